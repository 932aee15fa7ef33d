using System.Globalization;
using System.Text.Json;

namespace SocialCare.Channels.Twilio.Sending;

/// <summary>The REST API's error JSON: <c>{"code":20429,"message":"Too Many Requests",…}</c>.</summary>
internal static class TwilioErrors
{
    /// <summary>Codes that mean "slow down": 20429 Too Many Requests.</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal) { "20429" };

    /// <summary>Reads the error JSON from a failed response's bytes, or null when it is not Twilio error JSON.</summary>
    public static TwilioError? Read(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, TwilioJsonContext.Default.TwilioError);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the error code from a failed (buffered) response, or null.</summary>
    public static async ValueTask<string?> ReadCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Read(bytes)?.Code?.ToString(CultureInfo.InvariantCulture);
    }
}
