using System.Collections.Concurrent;

namespace SocialCare.Channels.Http;

/// <summary>
/// Paces the messages one sending account sends to one recipient: a burst of up to <c>burst</c> goes at once, after
/// that one message per <c>interval</c> (the generic cell rate algorithm: each send moves the pair's "theoretical
/// arrival time" one interval on, and a send may go while that time is at most <c>burst - 1</c> intervals ahead of now).
/// This is how WhatsApp counts its pair rate limit (about one message every 6 seconds to the same user, a short
/// burst borrowing from later). Pairs idle long enough to be back at a full burst are forgotten, so memory follows the
/// recipients messaged recently, not all recipients ever. Driven by <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RecipientPacer(TimeSpan interval, int burst, TimeProvider timeProvider)
{
    /// <summary>How many sends pass between sweeps of forgotten pairs.</summary>
    internal const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<(string Account, string Recipient), Pair> _pairs = new();
    private readonly long _intervalTicks = ToTimestamp(interval, timeProvider);
    private readonly long _toleranceTicks = ToTimestamp(interval, timeProvider) * (burst - 1);
    private int _sinceSweep;

    /// <summary>The pairs currently remembered (for tests).</summary>
    internal int Count => _pairs.Count;

    /// <summary>Zero when the send may go now (and is counted), else how long until it may.</summary>
    public TimeSpan TryTake(string account, string recipient)
    {
        var now = timeProvider.GetTimestamp();
        if (Interlocked.Increment(ref _sinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _sinceSweep, 0);
            Sweep(now);
        }

        while (true)
        {
            var pair = _pairs.GetOrAdd((account, recipient), static _ => new Pair());
            lock (pair)
            {
                if (pair.Forgotten)
                {
                    continue; // a sweep removed it after we found it: take the pair that replaces it
                }

                var arrival = Math.Max(pair.TheoreticalArrival, now);
                var ahead = arrival - now;
                if (ahead > _toleranceTicks)
                {
                    return timeProvider.GetElapsedTime(now, now + (ahead - _toleranceTicks));
                }

                pair.TheoreticalArrival = arrival + _intervalTicks;
                return TimeSpan.Zero;
            }
        }
    }

    private void Sweep(long now)
    {
        foreach (var (key, pair) in _pairs)
        {
            lock (pair)
            {
                // Back at a full burst: remembering it changes nothing.
                if (pair.TheoreticalArrival <= now && _pairs.TryRemove(new KeyValuePair<(string, string), Pair>(key, pair)))
                {
                    pair.Forgotten = true;
                }
            }
        }
    }

    private static long ToTimestamp(TimeSpan span, TimeProvider time) => (long)(span.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    private sealed class Pair
    {
        public long TheoreticalArrival;

        public bool Forgotten;
    }
}
