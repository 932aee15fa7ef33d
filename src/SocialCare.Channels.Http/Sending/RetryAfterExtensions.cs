namespace SocialCare.Channels.Http;

/// <summary>Reads the wait a platform asks for in a response's <c>Retry-After</c> header.</summary>
public static class RetryAfterExtensions
{
    /// <summary>
    /// The <c>Retry-After</c> wait: the delta, or the time from now until the date (zero when it has passed); null
    /// without the header.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="timeProvider">The clock, for a date.</param>
    /// <returns>The wait, never negative, or null.</returns>
    public static TimeSpan? GetRetryAfter(this HttpResponseMessage response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
