namespace SocialCare.Conversations;

/// <summary>
/// The conversation status machine. Every operation either returns the changed conversation (version unchanged; the
/// caller stores it as the next version) or throws <see cref="InvalidConversationTransitionException"/>.
/// </summary>
internal static class ConversationTransitions
{
    public static Conversation MarkPending(Conversation c, DateTimeOffset now) => c.Status switch
    {
        ConversationStatus.Open or ConversationStatus.Snoozed => c with { Status = ConversationStatus.Pending, SnoozedUntil = null },
        ConversationStatus.Pending => throw Refuse(c, "mark pending", "it is already pending."),
        _ => throw Refuse(c, "mark pending", "a resolved conversation must be reopened first."),
    };

    public static Conversation Snooze(Conversation c, DateTimeOffset until, DateTimeOffset now)
    {
        if (c.Status == ConversationStatus.Resolved)
        {
            throw Refuse(c, "snooze", "a resolved conversation must be reopened first.");
        }

        if (until <= now)
        {
            throw new CareValidationException("until", $"the snooze must end in the future; {until:O} is not after now ({now:O}).");
        }

        return c with { Status = ConversationStatus.Snoozed, SnoozedUntil = until };
    }

    public static Conversation Resolve(Conversation c, DateTimeOffset now) => c.Status switch
    {
        ConversationStatus.Resolved => throw Refuse(c, "resolve", "it is already resolved."),
        _ => c with { Status = ConversationStatus.Resolved, SnoozedUntil = null, ResolvedAt = now, WaitingSince = null },
    };

    /// <summary>An agent reopens: pending and snoozed return to open; resolved starts a new cycle.</summary>
    public static Conversation Reopen(Conversation c, DateTimeOffset now) => c.Status switch
    {
        ConversationStatus.Open => throw Refuse(c, "reopen", "it is already open."),
        ConversationStatus.Resolved => StartCycle(c, now, firstCustomerMessageAt: null),
        _ => c with { Status = ConversationStatus.Open, SnoozedUntil = null },
    };

    /// <summary>A customer writes into an active conversation: pending and snoozed wake to open.</summary>
    public static Conversation Wake(Conversation c) => c.Status is ConversationStatus.Pending or ConversationStatus.Snoozed
        ? c with { Status = ConversationStatus.Open, SnoozedUntil = null }
        : c;

    /// <summary>Starts the next cycle of a resolved conversation.</summary>
    public static Conversation StartCycle(Conversation c, DateTimeOffset now, DateTimeOffset? firstCustomerMessageAt) => c with
    {
        Status = ConversationStatus.Open,
        SnoozedUntil = null,
        Cycle = new ConversationCycle(c.Cycle.Number + 1, now, firstCustomerMessageAt),
    };

    /// <summary>Whether a customer message received at <paramref name="now"/> reopens a resolved conversation.</summary>
    public static bool ReopensWithin(Conversation resolved, DateTimeOffset now, TimeSpan window) =>
        window > TimeSpan.Zero && resolved.ResolvedAt is { } at && now - at <= window;

    public static void EnsureCanReply(Conversation c)
    {
        if (c.Status == ConversationStatus.Resolved)
        {
            throw Refuse(c, "reply to", "a resolved conversation must be reopened first.");
        }
    }

    private static InvalidConversationTransitionException Refuse(Conversation c, string action, string reason) =>
        new(c.Id, c.Status, action, reason);
}
