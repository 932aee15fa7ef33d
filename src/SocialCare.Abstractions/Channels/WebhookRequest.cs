namespace SocialCare.Channels;

/// <summary>
/// One webhook request as the host received it: method, full URL, headers, query and the raw body bytes. Adapters
/// verify signatures over these exact bytes, so the host must not re-encode the body.
/// </summary>
public sealed class WebhookRequest
{
    private static readonly Dictionary<string, string> NoQuery = new(StringComparer.Ordinal);

    private Dictionary<string, string>? _query;

    /// <summary>Creates a request.</summary>
    /// <param name="method">The HTTP method, for example <c>GET</c> or <c>POST</c>.</param>
    /// <param name="url">The full request URL as received, including the query string.</param>
    /// <param name="headers">
    /// The request headers. Names are compared case-insensitively; a header given more than once keeps its values
    /// joined with <c>", "</c>, as HTTP allows.
    /// </param>
    /// <param name="body">The raw body bytes; empty for a GET.</param>
    /// <exception cref="ArgumentException"><paramref name="method"/> is empty or <paramref name="url"/> is not absolute.</exception>
    public WebhookRequest(string method, Uri url, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"The webhook URL '{url}' must be absolute.", nameof(url));
        }

        Method = method;
        Url = url;
        Body = body;

        Headers = WebhookHeaders.Create(headers);
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The full request URL as received.</summary>
    public Uri Url { get; }

    /// <summary>The headers, looked up case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>
    /// The query parameters parsed from <see cref="Url"/>, percent-decoded ('+' is a space), names compared ordinally;
    /// when a name repeats, the first value wins.
    /// </summary>
    /// <remarks>Parsed on first use: a POST webhook usually never reads it.</remarks>
    public IReadOnlyDictionary<string, string> Query => _query ??= ParseQuery(Url.Query);

    /// <summary>The raw body bytes, exactly as received.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The name of the registration (the named options) the host addressed the request to, if any.</summary>
    public string? RegistrationName { get; init; }

    /// <summary>The channel account the host addressed the request to, when its route names one.</summary>
    public ChannelAccount? Account { get; init; }

    /// <summary>A header's value, or null when absent.</summary>
    /// <param name="name">The header name, any case.</param>
    /// <returns>The value, or null.</returns>
    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A query parameter's value, or null when absent.</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    /// <returns>The value, or null.</returns>
    public string? GetQuery(string name) => Query.TryGetValue(name, out var value) ? value : null;

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var text = query.AsSpan();
        if (text.StartsWith('?'))
        {
            text = text[1..];
        }

        if (text.IsEmpty)
        {
            return NoQuery;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in text.Split('&'))
        {
            var pair = text[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            result.TryAdd(name, value);
        }

        return result;
    }

    private static string Decode(ReadOnlySpan<char> part) => Uri.UnescapeDataString(part.ToString().Replace('+', ' '));
}
