using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SocialCare.Channels.X.Sending;

/// <summary>
/// OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849 section 3.4, as X's "Creating a signature" describes it):
/// collect the oauth_* and request parameters, percent-encode names and values (RFC 3986), sort them by name then value,
/// join them into the signature base string <c>METHOD&amp;url&amp;params</c>, and sign it with
/// <c>consumer secret &amp; token secret</c>.
/// </summary>
internal static class OAuth1Signer
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>Builds the <c>Authorization: OAuth …</c> header value for one request.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">The request URL; its query parameters are signed too.</param>
    /// <param name="formParameters">Form-encoded body parameters (signed); none for a JSON body, which is not signed.</param>
    /// <param name="credentials">The app and user credentials.</param>
    /// <param name="nonce">A value unique to this request.</param>
    /// <param name="timestamp">Unix seconds, from the injected clock.</param>
    /// <returns>The header value, starting with <c>OAuth </c>.</returns>
    public static string AuthorizationHeader(
        string method,
        Uri url,
        IEnumerable<KeyValuePair<string, string>> formParameters,
        OAuth1Credentials credentials,
        string nonce,
        long timestamp)
    {
        var oauth = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", credentials.ConsumerKey),
            new("oauth_nonce", nonce),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            new("oauth_token", credentials.Token),
            new("oauth_version", "1.0"),
        };

        var all = new List<KeyValuePair<string, string>>(oauth);
        all.AddRange(QueryParameters(url));
        all.AddRange(formParameters);
        var signature = Sign(BaseString(method, url, all), credentials.ConsumerSecret, credentials.TokenSecret);
        oauth.Add(new("oauth_signature", signature));

        var header = new StringBuilder("OAuth ");
        foreach (var (name, value) in oauth.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (header.Length > "OAuth ".Length)
            {
                header.Append(", ");
            }

            header.Append(Encode(name)).Append("=\"").Append(Encode(value)).Append('"');
        }

        return header.ToString();
    }

    /// <summary>The signature base string: method, base URL and the sorted, encoded parameter string, each encoded and joined by '&amp;'.</summary>
    public static string BaseString(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters) =>
        method.ToUpperInvariant() + "&" + Encode(BaseUrl(url)) + "&" + Encode(ParameterString(parameters));

    /// <summary>The parameters encoded, sorted by encoded name then encoded value, and joined as <c>a=1&amp;b=2</c>.</summary>
    public static string ParameterString(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));

    /// <summary>The base URL: scheme and host in lower case, the default port dropped, no query or fragment.</summary>
    public static string BaseUrl(Uri url)
    {
        var scheme = url.Scheme.ToLowerInvariant();
        var host = url.Host.ToLowerInvariant();
        var port = url.IsDefaultPort ? string.Empty : ":" + url.Port.ToString(CultureInfo.InvariantCulture);
        return scheme + "://" + host + port + url.AbsolutePath;
    }

    /// <summary>HMAC-SHA1 of the base string keyed by <c>encode(consumer secret)&amp;encode(token secret)</c>, as base64.</summary>
    public static string Sign(string baseString, string consumerSecret, string tokenSecret)
    {
        var key = Encoding.UTF8.GetBytes(Encode(consumerSecret) + "&" + Encode(tokenSecret));
#pragma warning disable CA5350 // OAuth 1.0a as X implements it is defined with HMAC-SHA1; we do not choose it.
        var hash = HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(baseString));
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Percent-encodes per RFC 3986 section 2.1 as OAuth requires: unreserved characters (ALPHA, DIGIT, '-', '.', '_',
    /// '~') stay; every other UTF-8 byte becomes '%' and two upper-case hex digits (a space is %20, never '+').
    /// </summary>
    public static string Encode(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var result = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return result.ToString();
    }

    private static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri url)
    {
        var query = url.Query.TrimStart('?');
        if (query.Length == 0)
        {
            yield break;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            yield return new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value));
        }
    }
}

/// <summary>The app's consumer key and secret and the brand account's access token and secret.</summary>
internal sealed record OAuth1Credentials(string ConsumerKey, string ConsumerSecret, string Token, string TokenSecret)
{
    /// <inheritdoc />
    public override string ToString() => $"OAuth1Credentials {{ ConsumerKey = {ConsumerKey}, Token = {Token} }}"; // never the secrets
}

/// <summary>Makes the <c>oauth_nonce</c> of each request; tests replace it with a deterministic one.</summary>
internal class OAuthNonceSource
{
    /// <summary>A new nonce: 32 random hex digits.</summary>
    public virtual string Next() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
