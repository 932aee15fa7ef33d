using System.Globalization;
using System.Text.Json;
using SocialCare.Channels.Meta.Webhooks;

namespace SocialCare.Channels.Meta.Sending;

/// <summary>The Graph API's error JSON: <c>{"error":{"code":613,"error_subcode":…,"message":…}}</c>.</summary>
internal static class GraphErrors
{
    /// <summary>Codes that mean "slow down": API too many calls (4), user request limit (17), page request limit (32), rate limit (613).</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal) { "4", "17", "32", "613" };

    /// <summary>Reads the error code from a failed (buffered) response, or null.</summary>
    public static async ValueTask<string?> ReadCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, MetaJsonContext.Default.GraphErrorResponse)?.Error?.Code?.ToString(CultureInfo.InvariantCulture);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
