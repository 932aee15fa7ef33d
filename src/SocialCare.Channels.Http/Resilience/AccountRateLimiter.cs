using System.Collections.Concurrent;
using Polly;

namespace SocialCare.Channels.Http;

/// <summary>
/// A token bucket per sending account, refilled evenly and driven by <see cref="TimeProvider"/> (so a fake clock drives
/// it in tests; System.Threading.RateLimiting's limiters read the real stopwatch).
/// </summary>
internal sealed class AccountRateLimiter(int permits, TimeSpan period, TimeSpan maxWait, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _tokensPerTick = permits / (double)period.Ticks;

    /// <summary>Takes a token, waiting up to the configured limit; throws <see cref="ChannelRateLimitedException"/> beyond it.</summary>
    public async ValueTask AcquireAsync(string account, CancellationToken cancellationToken)
    {
        var bucket = _buckets.GetOrAdd(account, _ => new Bucket(permits, timeProvider.GetTimestamp()));
        while (true)
        {
            var wait = bucket.TryTake(timeProvider, permits, _tokensPerTick);
            if (wait == TimeSpan.Zero)
            {
                return;
            }

            if (wait > maxWait)
            {
                throw new ChannelRateLimitedException(account, wait);
            }

            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Bucket(double tokens, long timestamp)
    {
        private readonly Lock _gate = new();
        private double _tokens = tokens;
        private long _timestamp = timestamp;

        /// <summary>Zero when a token was taken, else how long until one is free.</summary>
        public TimeSpan TryTake(TimeProvider time, int capacity, double tokensPerTick)
        {
            lock (_gate)
            {
                var now = time.GetTimestamp();
                var elapsed = time.GetElapsedTime(_timestamp, now);
                _timestamp = now;
                _tokens = Math.Min(capacity, _tokens + (elapsed.Ticks * tokensPerTick));
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return TimeSpan.Zero;
                }

                return TimeSpan.FromTicks((long)Math.Ceiling((1 - _tokens) / tokensPerTick));
            }
        }
    }
}

internal sealed class AccountRateLimiterStrategy(AccountRateLimiter limiter) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var account = context.Properties.GetValue(ChannelResiliencePipelineFactory.SendingAccount, string.Empty);
        try
        {
            await limiter.AcquireAsync(account, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (ChannelRateLimitedException ex)
        {
            return Outcome.FromException<TResult>(ex);
        }

        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
