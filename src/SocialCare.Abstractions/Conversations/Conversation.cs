namespace SocialCare;

/// <summary>
/// A thread with one contact on one channel account, public (mentions, comments) or private (direct messages).
/// </summary>
/// <remarks>
/// A conversation lives in <b>cycles</b>: a cycle starts when the conversation is created or reopened and ends when
/// it is resolved. <see cref="WaitingSince"/> is the customer's earliest unanswered message time; the inbox sorts by
/// it and SLA clocks start from it.
/// </remarks>
public sealed record Conversation
{
    /// <summary>The conversation's id.</summary>
    public required ConversationId Id { get; init; }

    /// <summary>The workspace the conversation belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The customer.</summary>
    public required ContactId ContactId { get; init; }

    /// <summary>The brand's account the conversation happens on.</summary>
    public required ChannelAccount Channel { get; init; }

    /// <summary>
    /// The customer's handle on that account. Threading is by channel account, handle and visibility, so merging two
    /// contacts never puts two active threads on one key.
    /// </summary>
    public required ContactHandle Handle { get; init; }

    /// <summary>Whether the thread is public (mentions, comments) or private (direct messages).</summary>
    public ConversationVisibility Visibility { get; init; } = ConversationVisibility.Private;

    /// <summary>Open, pending, snoozed or resolved.</summary>
    public ConversationStatus Status { get; init; } = ConversationStatus.Open;

    /// <summary>While <see cref="ConversationStatus.Snoozed"/>, when the snooze ends.</summary>
    public DateTimeOffset? SnoozedUntil { get; init; }

    /// <summary>How urgent the conversation is.</summary>
    public ConversationPriority Priority { get; init; } = ConversationPriority.Normal;

    /// <summary>Tags, lower-case, distinct and sorted ordinally.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The queue the conversation waits in, if any.</summary>
    public string? Queue { get; init; }

    /// <summary>The agent the conversation is assigned to, if any.</summary>
    public AgentId? Assignee { get; init; }

    /// <summary>The host's own attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes.Instance;

    /// <summary>The current cycle.</summary>
    public required ConversationCycle Cycle { get; init; }

    /// <summary>The customer's earliest message not yet answered by a person; null when nothing is waiting.</summary>
    public DateTimeOffset? WaitingSince { get; init; }

    /// <summary>
    /// The platform time of the customer's latest message, or null when they never wrote (a conversation the brand
    /// started). Platforms with a customer-service window (WhatsApp, Messenger: 24 hours) measure it from here.
    /// </summary>
    public DateTimeOffset? LastCustomerMessageAt { get; init; }

    /// <summary>How many messages (of any direction, notes included) the conversation holds.</summary>
    public long MessageCount { get; init; }

    /// <summary>When the conversation was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the last message (of any direction) was added; the creation time before that.</summary>
    public DateTimeOffset LastActivityAt { get; init; }

    /// <summary>When the conversation was last resolved; null while it never was.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The optimistic concurrency version: 1 when inserted, one more on every update.</summary>
    public long Version { get; init; } = 1;

    /// <summary>True while the conversation is not resolved (open, pending or snoozed).</summary>
    public bool IsActive => Status != ConversationStatus.Resolved;
}

/// <summary>One cycle of a conversation: from creation or reopening to resolution.</summary>
/// <param name="Number">1 for the first cycle, one more on every reopening.</param>
/// <param name="StartedAt">When the cycle started.</param>
/// <param name="FirstCustomerMessageAt">The first customer message of the cycle, if any yet.</param>
/// <param name="FirstResponseAt">The first public reply by a person in the cycle, if any yet.</param>
public sealed record ConversationCycle(
    int Number,
    DateTimeOffset StartedAt,
    DateTimeOffset? FirstCustomerMessageAt = null,
    DateTimeOffset? FirstResponseAt = null);

/// <summary>A conversation's status.</summary>
public enum ConversationStatus
{
    /// <summary>Needs the team's attention.</summary>
    Open = 0,

    /// <summary>Waiting on the customer.</summary>
    Pending = 1,

    /// <summary>Put aside until a time; wakes when it comes or when the customer writes.</summary>
    Snoozed = 2,

    /// <summary>Done; reopens when the customer writes within the reopen window.</summary>
    Resolved = 3,
}

/// <summary>A conversation's priority. Lower values are more urgent.</summary>
public enum ConversationPriority
{
    /// <summary>Drop everything.</summary>
    Urgent = 0,

    /// <summary>Before normal work.</summary>
    High = 1,

    /// <summary>The default.</summary>
    Normal = 2,

    /// <summary>When there is time.</summary>
    Low = 3,
}

/// <summary>Whether a conversation is visible to the public.</summary>
public enum ConversationVisibility
{
    /// <summary>A direct/private message thread.</summary>
    Private = 0,

    /// <summary>A public mention, comment or reply.</summary>
    Public = 1,
}
