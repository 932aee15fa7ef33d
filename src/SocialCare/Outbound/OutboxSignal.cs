namespace SocialCare.Outbound;

/// <summary>Wakes this process's dispatcher when a reply is queued here, so it does not wait for its next poll.</summary>
internal sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Dispose() => _signal.Dispose();

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke it first: one wake-up is enough.
            }
        }
    }

    /// <summary>Waits until notified or until the timeout passes on <paramref name="time"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timeoutCts.Token);
        var signaled = _signal.WaitAsync(timeoutCts.Token);
        await Task.WhenAny(delay, signaled).ConfigureAwait(false);
        await timeoutCts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, signaled).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled; the caller's own cancellation is checked by the caller.
        }
    }
}
