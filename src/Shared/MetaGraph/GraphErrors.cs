using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.MetaGraph;

/// <summary>
/// The Graph API's error JSON, <c>{"error":{"code":613,"error_subcode":…,"message":…}}</c>, shared by the Meta
/// adapters (WhatsApp Cloud API, Messenger, Instagram). Linked source, compiled into each adapter.
/// </summary>
internal static class GraphErrors
{
    /// <summary>Codes that mean "slow down" on every Graph API: API too many calls (4), user request limit (17),
    /// page request limit (32), rate limit (613).</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal) { "4", "17", "32", "613" };

    /// <summary>Resilience options pre-set to read Graph error codes and treat <paramref name="throttlingCodes"/> as throttling.</summary>
    public static ChannelResilienceOptions CreateResilience(IEnumerable<string> throttlingCodes)
    {
        var options = new ChannelResilienceOptions { ErrorCodeReader = ReadCodeAsync };
        foreach (var code in throttlingCodes)
        {
            options.ThrottlingErrorCodes.Add(code);
        }

        return options;
    }

    /// <summary>Reads the error code from a failed (buffered) response, or null.</summary>
    public static async ValueTask<string?> ReadCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Read(bytes)?.Code?.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The error in a Graph error body, or null when the body is not Graph error JSON.</summary>
    public static GraphError? Read(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, GraphErrorJsonContext.Default.GraphErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Maps a failed Graph response to <see cref="SendFailed"/>: the Graph error code (else the HTTP status),
    /// retryable for 5xx, 429 and <paramref name="throttlingCodes"/>, with the <c>Retry-After</c> wait.
    /// </summary>
    /// <param name="response">The failed response.</param>
    /// <param name="bytes">Its body.</param>
    /// <param name="throttlingCodes">The platform's throttling codes.</param>
    /// <param name="describe">The readable reason from the error (null when the body is not Graph error JSON) and the
    /// fallback naming the HTTP status.</param>
    /// <param name="timeProvider">The clock, for a <c>Retry-After</c> date.</param>
    public static SendFailed ReadFailure(
        HttpResponseMessage response,
        byte[] bytes,
        IReadOnlySet<string> throttlingCodes,
        Func<GraphError?, string, string> describe,
        TimeProvider timeProvider)
    {
        var error = Read(bytes);
        var status = (int)response.StatusCode;
        var code = error?.Code?.ToString(CultureInfo.InvariantCulture) ?? status.ToString(CultureInfo.InvariantCulture);
        var retryable = status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || throttlingCodes.Contains(code);
        var reason = describe(error, $"The Graph API answered {status} {response.ReasonPhrase}.");
        return SendResult.Failed(code, reason, retryable, response.GetRetryAfter(timeProvider));
    }
}

#pragma warning disable CA1812 // Instantiated by the source-generated serializer.

/// <summary>The Graph error envelope.</summary>
internal sealed class GraphErrorResponse
{
    public GraphError? Error { get; set; }
}

/// <summary>One Graph error. <see cref="ErrorData"/> is kept as JSON: WhatsApp puts an object with <c>details</c>
/// there, other Graph APIs other shapes.</summary>
internal sealed class GraphError
{
    public string? Message { get; set; }
    public string? Type { get; set; }
    public long? Code { get; set; }
    public long? ErrorSubcode { get; set; }
    public string? ErrorUserMsg { get; set; }
    public JsonElement? ErrorData { get; set; }

    /// <summary><c>error_data.details</c> when it is a string (WhatsApp's longer explanation), else null.</summary>
    public string? ErrorDataDetails =>
        ErrorData is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.String
            ? details.GetString()
            : null;
}

#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GraphErrorResponse))]
internal sealed partial class GraphErrorJsonContext : JsonSerializerContext;
