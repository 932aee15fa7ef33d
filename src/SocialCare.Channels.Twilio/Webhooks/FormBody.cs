using System.Text;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> body decoded from its raw bytes, as the WHATWG URL standard parses it:
/// pairs split on '&amp;', name and value on the first '=', '+' is a space, <c>%XX</c> is the byte XX (a '%' not followed
/// by two hex digits stays literal), and the resulting bytes are UTF-8. The pairs keep their order and repeats.
/// </summary>
internal sealed class FormBody
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding LossyUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private FormBody(List<KeyValuePair<string, string>> pairs) => Pairs = pairs;

    /// <summary>Every pair in body order, names and values decoded; a name may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    /// <summary>The first value of <paramref name="name"/> (case-sensitive), or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var (key, value) in Pairs)
            {
                if (string.Equals(key, name, StringComparison.Ordinal))
                {
                    return value;
                }
            }

            return null;
        }
    }

    /// <summary>Decodes the body; null with a reason when a name or value is not UTF-8 after percent-decoding.</summary>
    public static FormBody? Parse(ReadOnlySpan<byte> body, out string? reason) => Parse(body, StrictUtf8, out reason);

    /// <summary>
    /// Decodes a body that is not UTF-8, reading each invalid sequence as U+FFFD, only to check its signature: a
    /// correctly signed body that is not UTF-8 is then unparseable rather than refused. Never parsed into events.
    /// </summary>
    public static FormBody ParseLossy(ReadOnlySpan<byte> body) => Parse(body, LossyUtf8, out _)!;

    private static FormBody? Parse(ReadOnlySpan<byte> body, UTF8Encoding encoding, out string? reason)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var buffer = new byte[body.Length];
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'&');
            var pair = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf((byte)'=');
            var name = Decode(equals < 0 ? pair : pair[..equals], buffer, encoding);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..], buffer, encoding);
            if (name is null || value is null)
            {
                reason = $"Form pair {pairs.Count + 1} is not UTF-8 after percent-decoding.";
                return null;
            }

            pairs.Add(new(name, value));
        }

        reason = null;
        return new FormBody(pairs);
    }

    private static string? Decode(ReadOnlySpan<byte> encoded, byte[] buffer, UTF8Encoding encoding)
    {
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == (byte)'+')
            {
                b = (byte)' ';
            }
            else if (b == (byte)'%' && i + 2 < encoded.Length && HexValue(encoded[i + 1]) is var high and >= 0 && HexValue(encoded[i + 2]) is var low and >= 0)
            {
                b = (byte)((high << 4) | low);
                i += 2;
            }

            buffer[length++] = b;
        }

        try
        {
            return encoding.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
