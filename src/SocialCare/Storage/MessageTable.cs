using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SocialCare.Channels;

namespace SocialCare.Storage;

/// <summary>
/// The committed messages of one in-memory workspace, kept as encoded rows in large byte segments and indexed by
/// value-type keys instead of as objects.
/// </summary>
/// <remarks>
/// <para>Why rows: a store that holds its messages as objects makes every garbage collection of the host trace them and
/// copy each new one twice (gen0 → gen1 → gen2). Measured on the webhook benchmark, that was 1–2 µs per stored message,
/// more than the rest of ingestion. Rows live in 1 MiB segments of native memory (<see cref="NativeMemory"/>), which
/// the collector neither traces, copies nor counts towards its budgets, and the indexes below hold no references per
/// message, so the collector's work no longer grows with the number of messages stored. (Segments on the large object
/// heap were tried first: a growing store then triggered a full background collection every few megabytes of rows.)
/// The segments are freed by <see cref="Dispose"/> — the store disposes its tables — or, for a store nobody disposed,
/// by their finalizers.</para>
/// <para>Every read decodes a new <see cref="Message"/> (a snapshot, like a database row). Strings are stored as their
/// UTF-16 code units, so any text — unpaired surrogates included — comes back exactly as written. An update writes a
/// new row; the old one is dead space until the table compacts itself (when dead bytes exceed both the live bytes and
/// <see cref="CompactionThreshold"/>).</para>
/// <para>Not thread-safe: the workspace lock guards every call, <see cref="Dispose"/> included.</para>
/// </remarks>
internal sealed class MessageTable : IDisposable
{
    /// <summary>The size of one row segment (native memory).</summary>
    internal const int SegmentSize = 1 << 20;

    /// <summary>A row larger than this gets a segment of its own.</summary>
    internal const int LargeRow = SegmentSize / 4;

    /// <summary>Dead bytes tolerated before a compaction is considered.</summary>
    internal const long CompactionThreshold = 4L * SegmentSize;

    private const int NullText = -1;
    private const int SameWorkspace = -2;

    private const byte HasEditedAt = 1;
    private const byte HasDeletedAt = 2;
    private const byte HasDelivery = 4;
    private const byte HasTemplate = 8;

    private readonly WorkspaceId _workspace;
    private readonly Func<string, ulong>? _testHash;
    private readonly ulong _seed = (ulong)Random.Shared.NextInt64();
    private readonly List<RowSegment> _segments = [];
    private readonly RowBuffer _buffer = new();
    private readonly Dictionary<MessageId, int> _byId = [];
    private readonly Dictionary<PlatformSlot, int> _byPlatform = [];
    private readonly Dictionary<ConversationId, ConversationIndex> _byConversation = [];

    /// <summary>Where each message's current row is, by handle (a message's handle is its insertion ordinal).</summary>
    private Row[] _rows = [];
    private readonly List<ChannelAccount> _channels = [];
    private readonly Dictionary<ChannelAccount, int> _channelIds = [];

    /// <summary>Platform ids whose hash was already taken by another platform id of the same channel account.</summary>
    private Dictionary<PlatformKey, int>? _collided;

    private int _current = -1;
    private int _tail;
    private long _liveBytes;
    private long _deadBytes;

    private string? _lastHashed;
    private ulong _lastHash;
    private ChannelAccount _lastChannel;
    private int _lastChannelIndex = -1;
    private bool _disposed;

    public MessageTable(WorkspaceId workspace)
    {
        _workspace = workspace;
    }

    /// <summary>For tests: a table with its own platform id hash (a constant one forces every lookup through the collision path).</summary>
    internal MessageTable(WorkspaceId workspace, Func<string, ulong> hash)
        : this(workspace)
    {
        _testHash = hash;
    }

    /// <summary>The number of messages stored.</summary>
    public int Count => _byId.Count;

    /// <summary>Bytes held by rows an update replaced, not yet reclaimed.</summary>
    internal long DeadBytes => _deadBytes;

    /// <summary>How many times the table rewrote its rows to drop dead ones.</summary>
    internal int Compactions { get; private set; }

    /// <summary>The stored message with this id, decoded; null when there is none.</summary>
    public Message? Get(MessageId id) => _byId.TryGetValue(id, out var handle) ? Decode(RowBytes(handle)) : null;

    /// <summary>Whether a message with this id is stored.</summary>
    public bool Contains(MessageId id) => _byId.ContainsKey(id);

    /// <summary>The version of the stored message with this id; null when there is none.</summary>
    public long? VersionOf(MessageId id) => _byId.TryGetValue(id, out var handle) ? BinaryPrimitives.ReadInt64LittleEndian(RowBytes(handle)[VersionAt..]) : null;

    /// <summary>The id of the message with this platform id on this channel account; null when there is none.</summary>
    public MessageId? FindId(ChannelAccount channel, string platformMessageId)
    {
        if (!TryChannelIndex(channel, out var ch))
        {
            return null;
        }

        var handle = FindHandle(ch, channel, platformMessageId);
        return handle < 0 ? null : new MessageId(new Guid(RowBytes(handle)[..16]));
    }

    /// <summary>The message with this platform id on this channel account, decoded; null when there is none.</summary>
    public Message? Find(ChannelAccount channel, string platformMessageId)
    {
        if (!TryChannelIndex(channel, out var ch))
        {
            return null;
        }

        var handle = FindHandle(ch, channel, platformMessageId);
        return handle < 0 ? null : Decode(RowBytes(handle));
    }

    /// <summary>A conversation's messages in sequence order, decoded.</summary>
    public List<Message> OfConversation(ConversationId conversationId)
    {
        if (!_byConversation.TryGetValue(conversationId, out var index))
        {
            return [];
        }

        var result = new List<Message>(index.Handles.Count);
        foreach (var handle in index.Handles)
        {
            result.Add(Decode(RowBytes(handle)));
        }

        return result;
    }

    /// <summary>Stores a new message or replaces the stored one with the same id (the caller has checked versions and uniqueness).</summary>
    public void Put(Message message)
    {
        // Encode first: nothing below can fail half way through an update.
        var channel = ChannelIndex(message.Channel);
        var length = Encode(message, channel);
        var (segment, offset) = Reserve(length);
        _buffer.Written.CopyTo(_segments[segment].Span(offset, length));
        var row = new Row(segment, offset, length);

        ref var handleSlot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byId, message.Id, out var exists);
        if (!exists)
        {
            handleSlot = _byId.Count - 1;
            if (handleSlot == _rows.Length)
            {
                Array.Resize(ref _rows, Math.Max(16, _rows.Length * 2));
            }
        }

        var handle = handleSlot;
        var old = _rows[handle];
        _rows[handle] = row;
        _liveBytes += length;
        var placed = false;
        if (exists)
        {
            _liveBytes -= old.Length;
            _deadBytes += old.Length;
            var oldBytes = RowBytes(old);
            if (ReadPlatformId(oldBytes) is { } oldPlatformId)
            {
                RemovePlatform(BinaryPrimitives.ReadInt32LittleEndian(oldBytes[ChannelAt..]), oldPlatformId, handle);
            }

            // An update keeps its conversation and sequence (the session refuses to change them): already indexed.
            placed = new Guid(oldBytes.Slice(ConversationAt, 16)) == message.ConversationId.Value
                && SequenceOf(oldBytes) == message.Sequence;
        }

        if (message.PlatformMessageId is not null)
        {
            AddPlatform(channel, message.PlatformMessageId, handle);
        }

        if (!placed)
        {
            AddToConversation(message, handle);
        }

        CompactIfWorthIt();
    }

    /// <summary>
    /// Throws when a message has a null where its type promises a value (a row cannot hold it, and a commit must not
    /// fail half way): checked when the message is written to a session, long before the commit.
    /// </summary>
    public static void CheckStorable(Message message)
    {
        Require(message.Author, "Message.Author");
        Require(message.Attachments, "Message.Attachments");
        Require(message.Reactions, "Message.Reactions");
        for (var i = 0; i < message.Attachments.Count; i++)
        {
            Require(message.Attachments[i], $"Message.Attachments[{i}]");
        }

        for (var i = 0; i < message.Reactions.Count; i++)
        {
            var reaction = Require(message.Reactions[i], $"Message.Reactions[{i}]");
            Require(reaction.Author, $"Message.Reactions[{i}].Author");
            Require(reaction.Emoji, $"Message.Reactions[{i}].Emoji");
        }

        if (message.Template is { } template)
        {
            Require(template.Name, "Message.Template.Name");
            Require(template.Language, "Message.Template.Language");
            Require(template.Parameters, "Message.Template.Parameters");
            for (var i = 0; i < template.Parameters.Count; i++)
            {
                Require(template.Parameters[i], $"Message.Template.Parameters[{i}]");
            }
        }

        static T Require<T>(T? value, string property)
            where T : class => value ?? throw new CareValidationException(property, "must not be null.");
    }

    // ---------------------------------------------------------------- indexes

    private int ChannelIndex(ChannelAccount channel)
    {
        if (TryChannelIndex(channel, out var known))
        {
            return known;
        }

        var index = _channels.Count;
        _channels.Add(channel);
        _channelIds.Add(channel, index);
        return index;
    }

    /// <summary>The channel account's index; the last one asked for is remembered (a host has few, and bursts from one).</summary>
    private bool TryChannelIndex(ChannelAccount channel, out int index)
    {
        if (_lastChannelIndex >= 0 && channel == _lastChannel)
        {
            index = _lastChannelIndex;
            return true;
        }

        if (!_channelIds.TryGetValue(channel, out index))
        {
            return false;
        }

        _lastChannel = channel;
        _lastChannelIndex = index;
        return true;
    }

    /// <summary>The handle of the message with this platform id on this channel account (index <paramref name="ch"/>); -1 when none.</summary>
    private int FindHandle(int ch, ChannelAccount channel, string platformMessageId)
    {
        if (_byPlatform.TryGetValue(Slot(ch, platformMessageId), out var handle) && PlatformIdIs(handle, ch, platformMessageId))
        {
            return handle;
        }

        return _collided is not null && _collided.TryGetValue(new PlatformKey(channel, platformMessageId), out handle) ? handle : -1;
    }

    private void AddPlatform(int channel, string platformMessageId, int handle)
    {
        ref var owner = ref CollectionsMarshal.GetValueRefOrAddDefault(_byPlatform, Slot(channel, platformMessageId), out var exists);
        if (!exists || owner == handle || PlatformIdIs(owner, channel, platformMessageId))
        {
            // Free, ours, or the same platform id moving to this message (the caller checked it may).
            owner = handle;
            return;
        }

        // Another platform id has the same hash: keep this one by its full key.
        (_collided ??= [])[new PlatformKey(_channels[channel], platformMessageId)] = handle;
    }

    private void RemovePlatform(int channel, string platformMessageId, int handle)
    {
        var slot = Slot(channel, platformMessageId);
        var key = new PlatformKey(_channels[channel], platformMessageId);
        if (_collided is not null && _collided.Remove(key))
        {
            return;
        }

        if (!_byPlatform.TryGetValue(slot, out var owner) || owner != handle)
        {
            return;
        }

        _byPlatform.Remove(slot);
        if (_collided is null)
        {
            return;
        }

        // A platform id that collided with the removed one takes its place in the primary index.
        foreach (var (other, otherHandle) in _collided)
        {
            if (Slot(_channelIds[other.Channel], other.PlatformMessageId) == slot)
            {
                _collided.Remove(other);
                _byPlatform[slot] = otherHandle;
                return;
            }
        }
    }

    private void AddToConversation(Message message, int handle)
    {
        if (!_byConversation.TryGetValue(message.ConversationId, out var conversation))
        {
            _byConversation[message.ConversationId] = conversation = new ConversationIndex();
        }

        var handles = conversation.Handles;

        // A new message is almost always the conversation's last: append without reading any row.
        if (handles.Count == 0 || conversation.LastSequence < message.Sequence)
        {
            handles.Add(handle);
            conversation.LastSequence = message.Sequence;
            return;
        }

        // Out of order (an import, a backfill): search by the sequences kept in the rows.
        var index = BinarySearch(handles, message.Sequence);
        if (index >= 0)
        {
            handles[index] = handle;
        }
        else
        {
            handles.Insert(~index, handle);
        }
    }

    private int BinarySearch(List<int> handles, long sequence)
    {
        int lo = 0, hi = handles.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = SequenceOf(RowBytes(handles[mid])).CompareTo(sequence);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>The platform id index key: the id's hash mixed with the channel account's index.</summary>
    private PlatformSlot Slot(int channel, string platformMessageId) =>
        new(Hash(platformMessageId) ^ ((ulong)(uint)channel * 0x9E3779B97F4A7C15UL));

    private static long SequenceOf(ReadOnlySpan<byte> row) => BinaryPrimitives.ReadInt64LittleEndian(row[SequenceAt..]);

    /// <summary>The hash of a platform id; the last one is remembered, as an ingest looks an id up and then stores it.</summary>
    private ulong Hash(string platformMessageId)
    {
        if (_testHash is not null)
        {
            return _testHash(platformMessageId);
        }

        if (!ReferenceEquals(platformMessageId, _lastHashed))
        {
            _lastHash = PlatformHash(platformMessageId, _seed);
            _lastHashed = platformMessageId;
        }

        return _lastHash;
    }

    /// <summary>
    /// A seeded 64-bit hash of a platform id's UTF-16 code units (multiply-rotate per 8 bytes, then a 64-bit finalizer).
    /// Two platform ids with the same hash are still told apart (see <see cref="_collided"/>): the hash only has to make
    /// that rare, and the per-table seed keeps it from being predictable.
    /// </summary>
    internal static ulong PlatformHash(string value, ulong seed)
    {
        var h = seed ^ ((ulong)value.Length * 0x9E3779B97F4A7C15UL);
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        while (bytes.Length >= 8)
        {
            h = ulong.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xC2B2AE3D27D4EB4FUL, 31);
            bytes = bytes[8..];
        }

        foreach (var b in bytes)
        {
            h = ulong.RotateLeft((h ^ b) * 0xC2B2AE3D27D4EB4FUL, 31);
        }

        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    /// <summary>Frees the row segments; any later call that reads or writes a row throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var segment in _segments)
        {
            RowSegment.Return(segment);
        }

        _segments.Clear();
    }

    // ---------------------------------------------------------------- rows

    private ReadOnlySpan<byte> RowBytes(int handle) => RowBytes(_rows[handle]);

    private ReadOnlySpan<byte> RowBytes(Row row)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _segments[row.Segment].Span(row.Offset, row.Length);
    }

    private (int Segment, int Offset) Reserve(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length > LargeRow)
        {
            _segments.Add(new RowSegment(length)); // never pooled
            return (_segments.Count - 1, 0);
        }

        if (_current < 0 || _tail + length > SegmentSize)
        {
            _segments.Add(RowSegment.Rent());
            _current = _segments.Count - 1;
            _tail = 0;
        }

        var offset = _tail;
        _tail += length;
        return (_current, offset);
    }

    /// <summary>Rewrites every live row into fresh segments once dead rows outweigh live ones (and the threshold).</summary>
    private void CompactIfWorthIt()
    {
        if (_deadBytes < CompactionThreshold || _deadBytes < _liveBytes)
        {
            return;
        }

        var old = _segments.ToArray();
        _segments.Clear();
        _current = -1;
        _tail = 0;
        for (var handle = 0; handle < _byId.Count; handle++)
        {
            ref var row = ref _rows[handle];
            var (segment, offset) = Reserve(row.Length);
            old[row.Segment].Span(row.Offset, row.Length).CopyTo(_segments[segment].Span(offset, row.Length));
            row = row with { Segment = segment, Offset = offset };
        }

        foreach (var segment in old)
        {
            RowSegment.Return(segment);
        }

        _deadBytes = 0;
        Compactions++;
    }

    // ---------------------------------------------------------------- encoding

    // Fixed part: id, conversation id, sequence, version, channel, direction, author kind, flags, sent at, received at.
    private const int ConversationAt = 16;
    private const int SequenceAt = 32;
    private const int VersionAt = 40;
    private const int ChannelAt = 16 + 16 + 8 + 8;
    private const int FixedLength = ChannelAt + 4 + 3 + (2 * TimeLength);
    private const int TimeLength = 8 + 2;

    private int Encode(Message m, int channel)
    {
        var b = _buffer;
        b.Reset();
        var flags = (byte)((m.EditedAt is null ? 0 : HasEditedAt) | (m.DeletedAt is null ? 0 : HasDeletedAt)
            | (m.Delivery is null ? 0 : HasDelivery) | (m.Template is null ? 0 : HasTemplate));
        b.Guid(m.Id.Value);
        b.Guid(m.ConversationId.Value);
        b.Int64(m.Sequence);
        b.Int64(m.Version);
        b.Int32(channel);
        b.Byte((byte)m.Direction);
        b.Byte((byte)m.Author.Kind);
        b.Byte(flags);
        b.Time(m.SentAt);
        b.Time(m.ReceivedAt);

        // The platform id first: lookups by platform id compare it without decoding the rest.
        b.Text(m.PlatformMessageId);
        if (m.WorkspaceId == _workspace)
        {
            b.Int32(SameWorkspace);
        }
        else
        {
            b.Text(m.WorkspaceId.IsEmpty ? null : m.WorkspaceId.Value);
        }

        b.Text(m.Author.Id);
        b.Text(m.Author.DisplayName);
        b.Text(m.Text);
        b.Text(m.ReplyToPlatformMessageId);
        b.Text(m.Payload);
        if (m.EditedAt is { } edited)
        {
            b.Time(edited);
        }

        if (m.DeletedAt is { } deleted)
        {
            b.Time(deleted);
        }

        if (m.Delivery is { } delivery)
        {
            b.Byte((byte)delivery.Status);
            b.Time(delivery.UpdatedAt);
            b.Text(delivery.FailureCode);
            b.Text(delivery.FailureReason);
        }

        if (m.Template is { } template)
        {
            b.Text(template.Name);
            b.Text(template.Language);
            b.Int32(template.Parameters.Count);
            foreach (var parameter in template.Parameters)
            {
                b.Text(parameter);
            }
        }

        b.Int32(m.Attachments.Count);
        foreach (var a in m.Attachments)
        {
            b.Byte((byte)a.Kind);
            b.Text(a.Url?.OriginalString);
            b.Byte(a.Url is null ? (byte)0 : a.Url.IsAbsoluteUri ? (byte)1 : (byte)2);
            b.Text(a.MimeType);
            b.Byte(a.SizeBytes is null ? (byte)0 : (byte)1);
            b.Int64(a.SizeBytes ?? 0);
            b.Text(a.Name);
            b.Byte(a.Location is null ? (byte)0 : (byte)1);
            if (a.Location is { } place)
            {
                b.Double(place.Latitude);
                b.Double(place.Longitude);
                b.Text(place.Name);
                b.Text(place.Address);
            }
        }

        b.Int32(m.Reactions.Count);
        foreach (var r in m.Reactions)
        {
            b.Byte((byte)r.Author.Kind);
            b.Text(r.Author.Id);
            b.Text(r.Author.DisplayName);
            b.Text(r.Emoji);
            b.Time(r.ReactedAt);
        }

        return b.Length;
    }

    private static string? ReadPlatformId(ReadOnlySpan<byte> row)
    {
        var reader = new RowReader(row, FixedLength);
        return reader.Text();
    }

    private bool PlatformIdIs(int handle, int channel, string platformMessageId)
    {
        var bytes = RowBytes(handle);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[FixedLength..]);
        return length == platformMessageId.Length
            && BinaryPrimitives.ReadInt32LittleEndian(bytes[ChannelAt..]) == channel
            && bytes.Slice(FixedLength + 4, length * 2).SequenceEqual(MemoryMarshal.AsBytes(platformMessageId.AsSpan()));
    }

    private Message Decode(ReadOnlySpan<byte> row)
    {
        var r = new RowReader(row, 0);
        var id = new MessageId(r.Guid());
        var conversation = new ConversationId(r.Guid());
        var sequence = r.Int64();
        var version = r.Int64();
        var channel = _channels[r.Int32()];
        var direction = (MessageDirection)r.Byte();
        var authorKind = (AuthorKind)r.Byte();
        var flags = r.Byte();
        var sentAt = r.Time();
        var receivedAt = r.Time();
        var platformId = r.Text();
        var workspace = r.PeekInt32() == SameWorkspace ? Skip(ref r, _workspace) : r.Text() is { } other ? new WorkspaceId(other) : default;
        var author = new MessageAuthor(authorKind, r.Text(), r.Text());
        var text = r.Text();
        var replyTo = r.Text();
        var payload = r.Text();
        DateTimeOffset? editedAt = (flags & HasEditedAt) != 0 ? r.Time() : null;
        DateTimeOffset? deletedAt = (flags & HasDeletedAt) != 0 ? r.Time() : null;
        var delivery = (flags & HasDelivery) != 0 ? new DeliveryState((DeliveryStatus)r.Byte(), r.Time(), r.Text(), r.Text()) : null;
        MessageTemplate? template = null;
        if ((flags & HasTemplate) != 0)
        {
            var name = r.Text()!;
            var language = r.Text()!;
            var parameters = new string[r.Int32()];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = r.Text()!;
            }

            template = new MessageTemplate(name, language, parameters);
        }

        var attachmentCount = r.Int32();
        IReadOnlyList<Attachment> attachments = [];
        if (attachmentCount > 0)
        {
            var list = new Attachment[attachmentCount];
            for (var i = 0; i < list.Length; i++)
            {
                var kind = (AttachmentKind)r.Byte();
                var url = r.Text();
                var urlKind = r.Byte();
                var mime = r.Text();
                var hasSize = r.Byte() != 0;
                var size = r.Int64();
                var name = r.Text();
                var location = r.Byte() != 0 ? new GeoLocation(r.Double(), r.Double(), r.Text(), r.Text()) : null;
                list[i] = new Attachment
                {
                    Kind = kind,
                    Url = url is null ? null : new Uri(url, urlKind == 1 ? UriKind.Absolute : UriKind.Relative),
                    MimeType = mime,
                    SizeBytes = hasSize ? size : null,
                    Name = name,
                    Location = location,
                };
            }

            attachments = list;
        }

        var reactionCount = r.Int32();
        IReadOnlyList<Reaction> reactions = [];
        if (reactionCount > 0)
        {
            var list = new Reaction[reactionCount];
            for (var i = 0; i < list.Length; i++)
            {
                list[i] = new Reaction(new MessageAuthor((AuthorKind)r.Byte(), r.Text(), r.Text()), r.Text()!, r.Time());
            }

            reactions = list;
        }

        return new Message
        {
            Id = id,
            WorkspaceId = workspace,
            ConversationId = conversation,
            Sequence = sequence,
            Channel = channel,
            Direction = direction,
            Author = author,
            PlatformMessageId = platformId,
            Text = text,
            Attachments = attachments,
            ReplyToPlatformMessageId = replyTo,
            Payload = payload,
            Template = template,
            SentAt = sentAt,
            ReceivedAt = receivedAt,
            Delivery = delivery,
            Reactions = reactions,
            EditedAt = editedAt,
            DeletedAt = deletedAt,
            Version = version,
        };

        static WorkspaceId Skip(ref RowReader reader, WorkspaceId value)
        {
            reader.Int32();
            return value;
        }
    }

    /// <summary>Where a row is (12 bytes per message).</summary>
    private readonly record struct Row(int Segment, int Offset, int Length);

    /// <summary>A platform id's slot: its seeded hash mixed with the channel account's index (8 bytes per message).</summary>
    private readonly record struct PlatformSlot(ulong Key);

    /// <summary>A conversation's message handles in sequence order, and the last sequence (so appending never reads a row).</summary>
    private sealed class ConversationIndex
    {
        public List<int> Handles { get; } = [];

        public long LastSequence { get; set; }
    }

    /// <summary>
    /// One block of native memory holding rows. A <see cref="SafeHandle"/>, so the memory is freed exactly once: by
    /// <see cref="MessageTable.Dispose"/>, or by the finalizer when a table is dropped undisposed.
    /// </summary>
    /// <remarks>
    /// Up to <see cref="PooledSegments"/> standard segments given back by disposed tables and compactions are kept for
    /// the next table that grows (a test suite or benchmark creates and drops many stores): reusing them saves asking
    /// the operating system for fresh pages, which costs a page fault per 4 KB written.
    /// </remarks>
    private sealed unsafe class RowSegment : SafeHandle
    {
        /// <summary>The most standard segments kept for reuse, process-wide (8 MiB).</summary>
        internal const int PooledSegments = 8;

        private static readonly Stack<RowSegment> Pool = new(PooledSegments);

        private readonly int _length;

        /// <summary>A standard segment: a pooled one when there is one, else a new one.</summary>
        public static RowSegment Rent()
        {
            lock (Pool)
            {
                if (Pool.TryPop(out var pooled))
                {
                    return pooled;
                }
            }

            return new RowSegment(SegmentSize);
        }

        /// <summary>Gives a segment up: kept for reuse when it is a standard one and the pool has room, else freed.</summary>
        public static void Return(RowSegment segment)
        {
            if (segment._length == SegmentSize)
            {
                lock (Pool)
                {
                    if (Pool.Count < PooledSegments)
                    {
                        Pool.Push(segment);
                        return;
                    }
                }
            }

            segment.Dispose();
        }

        public RowSegment(int length)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _length = length;
            SetHandle((IntPtr)NativeMemory.Alloc((nuint)length));
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <summary>The bytes at <paramref name="offset"/>; bounds are checked as an array's would be.</summary>
        public Span<byte> Span(int offset, int length)
        {
            if ((uint)offset > (uint)_length || (uint)length > (uint)(_length - offset))
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes {offset}..{offset + length} are outside a segment of {_length}.");
            }

            return new Span<byte>((byte*)handle + offset, length);
        }

        protected override bool ReleaseHandle()
        {
            NativeMemory.Free((void*)handle);
            return true;
        }
    }

    /// <summary>The table's one encoding buffer (calls are serialized by the workspace lock).</summary>
    private sealed class RowBuffer
    {
        private byte[] _bytes = new byte[1024];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

        public void Reset()
        {
            Length = 0;
            if (_bytes.Length > LargeRow)
            {
                _bytes = new byte[1024];
            }
        }

        public void Byte(byte value) => Take(1)[0] = value;

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

        public void Guid(Guid value) => value.TryWriteBytes(Take(16));

        public void Time(DateTimeOffset value)
        {
            Int64(value.Ticks);
            BinaryPrimitives.WriteInt16LittleEndian(Take(2), (short)value.TotalOffsetMinutes);
        }

        public void Text(string? value)
        {
            if (value is null)
            {
                Int32(NullText);
                return;
            }

            Int32(value.Length);
            MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(Take(value.Length * 2));
        }

        private Span<byte> Take(int count)
        {
            if (Length + count > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
            }

            var span = _bytes.AsSpan(Length, count);
            Length += count;
            return span;
        }
    }

    private ref struct RowReader(ReadOnlySpan<byte> row, int at)
    {
        private readonly ReadOnlySpan<byte> _row = row;
        private int _at = at;

        public byte Byte() => _row[_at++];

        public int PeekInt32() => BinaryPrimitives.ReadInt32LittleEndian(_row[_at..]);

        public int Int32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_row[_at..]);
            _at += 4;
            return value;
        }

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_row[_at..]);
            _at += 8;
            return value;
        }

        public double Double()
        {
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_row[_at..]);
            _at += 8;
            return value;
        }

        public Guid Guid()
        {
            var value = new Guid(_row.Slice(_at, 16));
            _at += 16;
            return value;
        }

        public DateTimeOffset Time()
        {
            var ticks = Int64();
            var offset = BinaryPrimitives.ReadInt16LittleEndian(_row[_at..]);
            _at += 2;
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(offset));
        }

        public string? Text()
        {
            var length = Int32();
            if (length == NullText)
            {
                return null;
            }

            var bytes = _row.Slice(_at, length * 2);
            _at += length * 2;
            return length == 0 ? string.Empty : string.Create(length, bytes, static (text, source) => source.CopyTo(MemoryMarshal.AsBytes(text)));
        }
    }
}
