using System.Globalization;
using System.Text;

namespace SocialCare.Testing.Channels;

/// <summary>
/// One scripted answer of a <see cref="FakePlatformServer"/>: status code, headers and body bytes. Create them with
/// <see cref="Json"/>, <see cref="Text"/> or <see cref="Status"/>, and add headers with <see cref="WithHeader"/>.
/// </summary>
public sealed record FakeResponse
{
    private static readonly Dictionary<string, string> NoHeaders = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The HTTP status code. Default 200.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>The response headers (<c>Content-Type</c> included), names compared case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>The body bytes, written exactly; empty for none.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>A JSON answer.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="json">The body, written as UTF-8 exactly as given.</param>
    /// <param name="retryAfter">When set, a <c>Retry-After</c> header in whole seconds (rounded up).</param>
    /// <returns>The response.</returns>
    public static FakeResponse Json(int statusCode, string json, TimeSpan? retryAfter = null) =>
        Create(statusCode, "application/json; charset=utf-8", json, retryAfter);

    /// <summary>A plain-text answer.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="text">The body, written as UTF-8.</param>
    /// <param name="retryAfter">When set, a <c>Retry-After</c> header in whole seconds (rounded up).</param>
    /// <returns>The response.</returns>
    public static FakeResponse Text(int statusCode, string text, TimeSpan? retryAfter = null) =>
        Create(statusCode, "text/plain; charset=utf-8", text, retryAfter);

    /// <summary>An answer with a status code and no body.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="retryAfter">When set, a <c>Retry-After</c> header in whole seconds (rounded up).</param>
    /// <returns>The response.</returns>
    public static FakeResponse Status(int statusCode, TimeSpan? retryAfter = null) => Create(statusCode, null, null, retryAfter);

    /// <summary>A copy with one more header (or a header replaced).</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    /// <returns>The new response.</returns>
    public FakeResponse WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value };
        return this with { Headers = headers };
    }

    /// <summary>The <c>Retry-After</c> header value for a wait: whole seconds, rounded up, never negative.</summary>
    /// <param name="wait">The wait.</param>
    /// <returns>The header value.</returns>
    internal static string RetryAfterSeconds(TimeSpan wait) =>
        ((long)Math.Ceiling(Math.Max(0, wait.TotalSeconds))).ToString(CultureInfo.InvariantCulture);

    private static FakeResponse Create(int statusCode, string? contentType, string? body, TimeSpan? retryAfter)
    {
        if (statusCode is < 100 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An HTTP status code has three digits.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (contentType is not null)
        {
            headers["Content-Type"] = contentType;
        }

        if (retryAfter is { } wait)
        {
            headers["Retry-After"] = RetryAfterSeconds(wait);
        }

        return new FakeResponse
        {
            StatusCode = statusCode,
            Headers = headers,
            Body = body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body),
        };
    }
}
