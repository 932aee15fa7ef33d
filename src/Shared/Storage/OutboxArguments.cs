// Shared source: argument checks every store applies to the outbox and dead letters, so providers fail alike.
namespace SocialCare.Storage;

internal static class OutboxArguments
{
    public const int MaxDeadLetters = 1000;

    public static void CheckClaim(string owner, TimeSpan lease, int maxCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (lease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "The lease must be positive.");
        }

        if (maxCount is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "Claim between 1 and 1000 entries at a time.");
        }
    }

    public static void CheckEntry(OutboxEntry entry, WorkspaceId sessionWorkspace)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.WorkspaceId != sessionWorkspace)
        {
            throw new CareValidationException("OutboxEntry.WorkspaceId", $"is '{entry.WorkspaceId}' but the session belongs to workspace '{sessionWorkspace}'.");
        }

        if (entry.MessageId.IsEmpty)
        {
            throw new CareValidationException("OutboxEntry.MessageId", "must not be empty.");
        }

        if (entry.Attempts != 0 || entry.SendStarted)
        {
            throw new CareValidationException("OutboxEntry.Attempts", "a new entry must have no attempts and no started send.");
        }
    }

    public static void CheckDeadLetter(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        if (deadLetter.Id == Guid.Empty)
        {
            throw new CareValidationException("DeadLetter.Id", "must not be empty.");
        }

        if (deadLetter.Channel.IsEmpty)
        {
            throw new CareValidationException("DeadLetter.Channel", "must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(deadLetter.Reason))
        {
            throw new CareValidationException("DeadLetter.Reason", "must say why the request was not processed.");
        }

        if (string.IsNullOrWhiteSpace(deadLetter.Method) || string.IsNullOrWhiteSpace(deadLetter.Url))
        {
            throw new CareValidationException("DeadLetter.Url", "the request's method and URL are required.");
        }
    }

    public static void CheckDeadLetterCount(int maxCount)
    {
        if (maxCount is < 1 or > MaxDeadLetters)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"List between 1 and {MaxDeadLetters} dead letters at a time.");
        }
    }
}
