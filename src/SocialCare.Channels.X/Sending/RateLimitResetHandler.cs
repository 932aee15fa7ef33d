using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace SocialCare.Channels.X.Sending;

/// <summary>
/// X answers 429 with <c>x-rate-limit-reset</c> (the Unix second the window resets) and usually no <c>Retry-After</c>.
/// This handler adds the equivalent <c>Retry-After</c> (measured on the injected clock), so the resilience pipeline
/// waits for a short reset itself and hands a long one back to the caller instead of retrying blindly.
/// </summary>
internal sealed class RateLimitResetHandler(TimeProvider timeProvider) : DelegatingHandler
{
    public const string ResetHeader = "x-rate-limit-reset";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter is null && WaitUntilReset(response, timeProvider) is { } wait)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(wait);
        }

        return response;
    }

    /// <summary>How long until <c>x-rate-limit-reset</c>, rounded up to whole seconds; zero when it has passed; null when absent.</summary>
    public static TimeSpan? WaitUntilReset(HttpResponseMessage response, TimeProvider timeProvider)
    {
        if (!response.Headers.TryGetValues(ResetHeader, out var values)
            || !long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var reset)
            || reset > 253_402_300_799)
        {
            return null;
        }

        var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - timeProvider.GetUtcNow();
        return wait > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds)) : TimeSpan.Zero;
    }
}
