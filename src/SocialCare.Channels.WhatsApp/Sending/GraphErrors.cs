using System.Globalization;
using System.Text.Json;
using SocialCare.Channels.WhatsApp.Webhooks;

namespace SocialCare.Channels.WhatsApp;

/// <summary>The Graph API's error JSON: <c>{"error":{"code":130429,…}}</c>.</summary>
internal static class GraphErrors
{
    /// <summary>Codes that mean "slow down" or "try again": rate limits, throughput, pair rate limit, spam rate limit.</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal) { "4", "17", "32", "613", "130429", "131056" };

    /// <summary>Reads the error code from a failed (buffered) response, or null.</summary>
    public static async ValueTask<string?> ReadCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, WhatsAppJsonContext.Default.GraphErrorResponse)?.Error?.Code?.ToString(CultureInfo.InvariantCulture);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
