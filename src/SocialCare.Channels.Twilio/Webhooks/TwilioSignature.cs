using System.Security.Cryptography;
using System.Text;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>
/// Twilio's request signature (<c>X-Twilio-Signature</c>): base64 of HMAC-SHA1, keyed by the auth token's UTF-8 bytes,
/// over the UTF-8 bytes of the full URL followed, for a form POST, by every parameter sorted by name and then value
/// (ordinal), each as name + value with no separators.
/// </summary>
/// <remarks>
/// As Twilio's own validators do (twilio-python, twilio-csharp, twilio-node), a signature is accepted when it matches
/// the URL without its port or with its port (the explicit one, or :443 for https and :80 otherwise), because Twilio's
/// signing is inconsistent about default ports. When a name repeats with the same value twice, both the list with the
/// repeat (twilio-node, twilio-csharp) and without it (twilio-python's <c>sorted(set(values))</c>) are tried.
/// </remarks>
internal static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    /// <summary>The query parameter Twilio adds to a JSON-bodied webhook: the hex SHA-256 of the body.</summary>
    public const string BodyHashParameter = "bodySHA256";

    /// <summary>Computes the signature of one exact URL and parameter list (no port variants).</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters) =>
        WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha1, Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(url + Concatenate(parameters, distinct: false)));

    /// <summary>True when <paramref name="signature"/> is Twilio's signature of the URL (or its port variant) and parameters.</summary>
    public static bool Verify(string authToken, string url, IReadOnlyList<KeyValuePair<string, string>> parameters, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(authToken);
        var all = Concatenate(parameters, distinct: false);
        var distinct = Concatenate(parameters, distinct: true);
        foreach (var variant in UrlVariants(url))
        {
            if (WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha1, key, Encoding.UTF8.GetBytes(variant + all), signature)
                || (distinct.Length != all.Length
                    && WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha1, key, Encoding.UTF8.GetBytes(variant + distinct), signature)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="expectedHex"/> is the hex SHA-256 of <paramref name="body"/> (either case).</summary>
    public static bool BodyHashMatches(ReadOnlySpan<byte> body, string expectedHex)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        return expectedHex.Length == SHA256.HashSizeInBytes * 2
            && Convert.FromHexString(expectedHex, given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == SHA256.HashSizeInBytes
            && CryptographicOperations.FixedTimeEquals(hash, given);
    }

    /// <summary>
    /// The URL without its port and with its port (explicit, or the scheme's default), in that order; the text is
    /// otherwise kept exactly (no case or escape normalization).
    /// </summary>
    public static IReadOnlyList<string> UrlVariants(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return [url];
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var authority = url.AsSpan(authorityStart, authorityEnd - authorityStart);
        var hostStart = authority.LastIndexOf('@') + 1;
        var hostPort = authority[hostStart..];
        var bracket = hostPort.LastIndexOf(']');
        var colon = hostPort.LastIndexOf(':');
        var hasPort = colon > bracket;

        if (hasPort)
        {
            var portStart = authorityStart + hostStart + colon;
            var withoutPort = string.Concat(url.AsSpan(0, portStart), url.AsSpan(authorityEnd));
            return [withoutPort, url];
        }

        var port = url.AsSpan(0, schemeEnd).Equals("https", StringComparison.OrdinalIgnoreCase) ? ":443" : ":80";
        var withPort = string.Concat(url.AsSpan(0, authorityEnd), port, url.AsSpan(authorityEnd));
        return [url, withPort];
    }

    private static string Concatenate(IEnumerable<KeyValuePair<string, string>> parameters, bool distinct)
    {
        var sorted = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).ToList();
        var builder = new StringBuilder();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (distinct && i > 0
                && string.Equals(sorted[i].Key, sorted[i - 1].Key, StringComparison.Ordinal)
                && string.Equals(sorted[i].Value, sorted[i - 1].Value, StringComparison.Ordinal))
            {
                continue;
            }

            builder.Append(sorted[i].Key).Append(sorted[i].Value);
        }

        return builder.ToString();
    }
}
