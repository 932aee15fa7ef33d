using System.Collections.Concurrent;
using Polly;

namespace SocialCare.Channels.Http;

/// <summary>
/// A sliding-window limit per sending account: at most <c>permits</c> calls in any window of <c>period</c> plus
/// <c>margin</c>, which is how platforms state their limits ("80 messages per second") and count them. A burst up to
/// the limit goes at once; after that each call waits until the call <c>permits</c> places before it has left the
/// window. The margin absorbs network jitter, so the platform never counts one call too many in its own window. Driven
/// by <see cref="TimeProvider"/>, so a fake clock drives it in tests (System.Threading.RateLimiting's limiters read the
/// real stopwatch).
/// </summary>
internal sealed class AccountRateLimiter(int permits, TimeSpan period, TimeSpan margin, TimeSpan maxWait, TimeProvider timeProvider, RecipientPacer? pacer = null)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeSpan _span = period + margin;

    /// <summary>The pace of group recipients (<see cref="IsGroup"/>), instead of the per-recipient one; null when none.</summary>
    public RecipientPacer? GroupPacer { get; init; }

    /// <summary>Whether a recipient is a group; only consulted when <see cref="GroupPacer"/> is set.</summary>
    public Func<string, bool>? IsGroup { get; init; }

    /// <summary>
    /// Takes a slot, first the recipient's (when paced and <paramref name="recipient"/> is known: a group's pace for a
    /// group, else the per-recipient pace), then the account's, waiting up to the configured limit for each; throws
    /// <see cref="ChannelRateLimitedException"/> beyond it.
    /// </summary>
    public async ValueTask AcquireAsync(string account, string? recipient, CancellationToken cancellationToken)
    {
        var paceBy = string.IsNullOrEmpty(recipient) ? null : GroupPacer is not null && IsGroup!(recipient) ? GroupPacer : pacer;
        if (paceBy is not null)
        {
            while (paceBy.TryTake(account, recipient!) is var paced && paced > TimeSpan.Zero)
            {
                if (paced > maxWait)
                {
                    throw new ChannelRateLimitedException(account, recipient!, paced);
                }

                await Task.Delay(paced, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        var window = _windows.GetOrAdd(account, _ => new Window(permits));
        while (true)
        {
            var wait = window.TryTake(timeProvider, _span);
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

    /// <summary>The timestamps of the last <c>permits</c> calls, oldest first, in a ring.</summary>
    private sealed class Window(int permits)
    {
        private readonly Lock _gate = new();
        private readonly long[] _calls = new long[permits];
        private int _count;
        private int _oldest;

        /// <summary>Zero when the call may go now (and is recorded), else how long until a slot frees up.</summary>
        public TimeSpan TryTake(TimeProvider time, TimeSpan span)
        {
            lock (_gate)
            {
                var now = time.GetTimestamp();
                if (_count < _calls.Length)
                {
                    _calls[(_oldest + _count) % _calls.Length] = now;
                    _count++;
                    return TimeSpan.Zero;
                }

                var age = time.GetElapsedTime(_calls[_oldest], now);
                if (age >= span)
                {
                    _calls[_oldest] = now;
                    _oldest = (_oldest + 1) % _calls.Length;
                    return TimeSpan.Zero;
                }

                return span - age;
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
        var recipient = context.Properties.GetValue(ChannelResiliencePipelineFactory.Recipient, string.Empty);
        try
        {
            await limiter.AcquireAsync(account, recipient, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (ChannelRateLimitedException ex)
        {
            return Outcome.FromException<TResult>(ex);
        }

        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
