using System.Text;

namespace SocialCare.Testing.Channels;

/// <summary>One request a <see cref="FakePlatformServer"/> received, exactly as it arrived, and what it answered.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(long sequence, string method, string pathAndQuery, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset receivedAt)
    {
        Sequence = sequence;
        Method = method;
        PathAndQuery = pathAndQuery;
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        Path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        Query = question < 0 ? string.Empty : pathAndQuery[question..];
        Headers = headers;
        Body = body;
        ReceivedAt = receivedAt;
    }

    /// <summary>The request's position: 1 for the first request the server received.</summary>
    public long Sequence { get; }

    /// <summary>The HTTP method, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The request target exactly as sent (not decoded): the path and the query string, for example <c>/v21.0/123/messages?x=1</c>.</summary>
    public string PathAndQuery { get; }

    /// <summary>The path part of <see cref="PathAndQuery"/>, not decoded.</summary>
    public string Path { get; }

    /// <summary>The query part of <see cref="PathAndQuery"/> with its leading <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>The request headers, names compared case-insensitively; a header sent more than once has its values joined with <c>", "</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The raw body bytes, exactly as received.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>When the server received the request, on the server's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The status code the server answered; 0 while the response is being chosen.</summary>
    public int StatusCode { get; internal set; }

    /// <summary>True when the server's rate limit refused the request (it answered 429 and used no scripted response).</summary>
    public bool Throttled { get; internal set; }

    /// <summary>A header's value, or null when absent.</summary>
    /// <param name="name">The header name, any case.</param>
    /// <returns>The value, or null.</returns>
    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public override string ToString() => $"#{Sequence} {Method} {PathAndQuery} -> {StatusCode}";
}
