namespace SocialCare;

/// <summary>
/// Sends the replies waiting in the outbox. The engine runs it in a background service (see <see cref="OutboxOptions"/>);
/// a host without a generic host, or a test, can call it directly.
/// </summary>
public interface IOutboxDispatcher
{
    /// <summary>
    /// Claims the replies that are due now (up to <see cref="OutboxOptions.BatchSize"/>) and sends each through its
    /// channel adapter, recording the platform id or the failure on the message. Retryable failures are scheduled again
    /// with exponential backoff (or the platform's <c>Retry-After</c>).
    /// </summary>
    /// <param name="cancellationToken">Stops the work; a send in progress keeps its send-started mark, so it is not resent.</param>
    /// <returns>How many outbox entries were claimed.</returns>
    ValueTask<int> DispatchDueAsync(CancellationToken cancellationToken = default);
}
