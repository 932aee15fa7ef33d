namespace SocialCare.Storage;

/// <summary>
/// One outbound message waiting to be sent. It is written in the same unit of work as the message
/// (<see cref="ICareSession.EnqueueOutboxAsync"/>) and removed once the send's outcome is recorded.
/// </summary>
public sealed record OutboxEntry
{
    /// <summary>The workspace of the message.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The stored outbound message to send; also the send's idempotency key.</summary>
    public required MessageId MessageId { get; init; }

    /// <summary>When the message may be sent (first attempt: when it was queued; later: after a retry delay).</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>How many times the entry has been claimed, this claim included.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// True when an earlier claimer recorded that it started the platform call and then recorded no outcome (it
    /// stopped, or lost its lease, mid-send). The platform may or may not have the message: resending could deliver
    /// it twice.
    /// </summary>
    public bool SendStarted { get; init; }

    /// <summary>Why the previous attempt failed, when it failed with a retryable error.</summary>
    public string? LastError { get; init; }
}

/// <summary>
/// The outbox shared by every dispatcher of one store: due entries are claimed with a lease, so that across threads,
/// processes and (for a shared database) machines each entry is worked on by one claimer at a time. A claim whose lease
/// ran out (its claimer died) becomes claimable again. Every operation but the claim names the owner and does nothing
/// when the owner no longer holds the lease.
/// </summary>
public interface IOutboxStore
{
    /// <summary>
    /// Claims up to <paramref name="maxCount"/> entries that are due at <paramref name="now"/> and not leased (or whose
    /// lease ended), oldest due first, leasing them to <paramref name="owner"/> until <paramref name="now"/> +
    /// <paramref name="lease"/> and counting the attempt.
    /// </summary>
    /// <param name="owner">A name unique to the claimer (for example host name, process id and a random part).</param>
    /// <param name="now">The current time.</param>
    /// <param name="lease">How long the claim holds.</param>
    /// <param name="maxCount">The most entries to claim.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claimed entries, with <see cref="OutboxEntry.Attempts"/> already counting this claim.</returns>
    ValueTask<IReadOnlyList<OutboxEntry>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Durably records that <paramref name="owner"/> is about to call the platform for the entry, so a claimer that
    /// takes the entry over after a crash knows the outcome is unknown (<see cref="OutboxEntry.SendStarted"/>).
    /// </summary>
    /// <param name="workspaceId">The entry's workspace.</param>
    /// <param name="messageId">The entry's message.</param>
    /// <param name="owner">The claimer.</param>
    /// <param name="now">The current time; the lease must not have ended.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the owner no longer holds a live lease on the entry (it must not send).</returns>
    ValueTask<bool> MarkSendStartedAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the claim and makes the entry due again at <paramref name="dueAt"/>, after a retryable failure (the
    /// send-started mark is cleared: the platform refused the message, so a resend is safe).
    /// </summary>
    /// <param name="workspaceId">The entry's workspace.</param>
    /// <param name="messageId">The entry's message.</param>
    /// <param name="owner">The claimer.</param>
    /// <param name="dueAt">When to try again.</param>
    /// <param name="lastError">Why this attempt failed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the owner no longer held the claim.</returns>
    ValueTask<bool> RescheduleAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError, CancellationToken cancellationToken);

    /// <summary>Removes the entry once its outcome is recorded on the message.</summary>
    /// <param name="workspaceId">The entry's workspace.</param>
    /// <param name="messageId">The entry's message.</param>
    /// <param name="owner">The claimer.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the owner no longer held the claim (the entry is left alone).</returns>
    ValueTask<bool> CompleteAsync(WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken cancellationToken);

    /// <summary>Counts the entries not yet completed (claimed or not), across workspaces: the outbox depth.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    ValueTask<long> CountAsync(CancellationToken cancellationToken);
}
