using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SocialCare.Ingestion;

/// <summary>
/// Creates the engine's ids as version 7 GUIDs laid out exactly like <see cref="Guid.CreateVersion7(DateTimeOffset)"/>
/// (48 bits of Unix milliseconds, the version and variant bits, 74 cryptographically random bits), so they sort by
/// creation time just the same. The difference: the random bits come from a per-thread buffer that
/// <see cref="RandomNumberGenerator"/> refills 64 ids at a time, where <see cref="Guid.NewGuid"/> asks the operating
/// system for 16 bytes on every call — about half a microsecond on virtual machines, a quarter of a whole ingest.
/// </summary>
internal static class Version7Ids
{
    private const int IdBytes = 16;
    private const int BufferBytes = 64 * IdBytes;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    public static MessageId NewMessageId(DateTimeOffset timestamp) => new(Create(timestamp));

    public static ConversationId NewConversationId(DateTimeOffset timestamp) => new(Create(timestamp));

    public static ContactId NewContactId(DateTimeOffset timestamp) => new(Create(timestamp));

    /// <summary>A new version 7 GUID whose timestamp part is <paramref name="timestamp"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is before the Unix epoch.</exception>
    public static Guid Create(DateTimeOffset timestamp)
    {
        var unixMs = timestamp.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(unixMs, nameof(timestamp));

        var random = t_random ??= new byte[BufferBytes];
        var next = t_next;
        if (next == 0)
        {
            RandomNumberGenerator.Fill(random);
        }

        t_next = (next + IdBytes) % BufferBytes;
        ReadOnlySpan<byte> r = random.AsSpan(next, IdBytes);

        // Same fields as Guid.CreateVersion7: a/b hold the timestamp, c's top nibble the version (7), d's top two bits
        // the RFC 9562 variant (10); every other bit is random.
        return new Guid(
            (int)(unixMs >> 16),
            (short)unixMs,
            (short)((BinaryPrimitives.ReadUInt16LittleEndian(r) & 0x0FFF) | 0x7000),
            (byte)((r[2] & 0x3F) | 0x80),
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9]);
    }
}
