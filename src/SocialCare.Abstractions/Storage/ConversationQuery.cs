namespace SocialCare.Storage;

/// <summary>
/// Which conversations to list, in which order, one page at a time. Every filter is optional; filters combine with
/// AND. Paging is by keyset: pass the previous page's <see cref="Page{T}.NextCursor"/> as <see cref="After"/>.
/// </summary>
public sealed record ConversationQuery
{
    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>Only these statuses; null or empty for any.</summary>
    public IReadOnlyList<ConversationStatus>? Statuses { get; init; }

    /// <summary>Only conversations assigned to this agent.</summary>
    public AgentId? Assignee { get; init; }

    /// <summary>True: only assigned conversations; false: only unassigned ones; null: either.</summary>
    public bool? Assigned { get; init; }

    /// <summary>Only conversations in this queue.</summary>
    public string? Queue { get; init; }

    /// <summary>Only conversations with this tag (compared lower-case).</summary>
    public string? Tag { get; init; }

    /// <summary>Only conversations on this platform.</summary>
    public ChannelKind? ChannelKind { get; init; }

    /// <summary>Only conversations on this channel account.</summary>
    public ChannelAccount? Channel { get; init; }

    /// <summary>Only conversations with this priority.</summary>
    public ConversationPriority? Priority { get; init; }

    /// <summary>Only conversations of this contact.</summary>
    public ContactId? ContactId { get; init; }

    /// <summary>Only public or only private conversations.</summary>
    public ConversationVisibility? Visibility { get; init; }

    /// <summary>Only conversations with a message whose text contains this (case-insensitive, ordinal).</summary>
    public string? TextContains { get; init; }

    /// <summary>The order.</summary>
    public ConversationSort Sort { get; init; } = ConversationSort.LastActivityNewest;

    /// <summary>The page size, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The cursor of the previous page, or null for the first page.</summary>
    public string? After { get; init; }

    /// <summary>Checks the query, naming the first property that is wrong.</summary>
    /// <exception cref="CareValidationException">A property is out of range, or the cursor is not one this sort produced.</exception>
    public void Validate()
    {
        if (Limit is < 1 or > MaxLimit)
        {
            throw new CareValidationException(nameof(Limit), $"must be between 1 and {MaxLimit}; it is {Limit}.");
        }

        if (!Enum.IsDefined(Sort))
        {
            throw new CareValidationException(nameof(Sort), $"'{Sort}' is not a ConversationSort.");
        }

        if (Assignee is { IsEmpty: true })
        {
            throw new CareValidationException(nameof(Assignee), "must not be empty; use Assigned = false for unassigned conversations.");
        }

        if (Assignee is not null && Assigned == false)
        {
            throw new CareValidationException(nameof(Assigned), "is false (unassigned only) while Assignee is set; they contradict each other.");
        }

        if (After is not null && !ConversationCursor.TryDecode(After, out var cursor))
        {
            throw new CareValidationException(nameof(After), "is not a cursor returned by a previous page.");
        }
        else if (After is not null && ConversationCursor.TryDecode(After, out cursor) && cursor.Sort != Sort)
        {
            throw new CareValidationException(nameof(After), $"was produced for sort {cursor.Sort}, but this query sorts by {Sort}.");
        }
    }

    /// <summary>Open conversations assigned to an agent, most urgent and longest waiting first.</summary>
    /// <param name="agent">The agent.</param>
    /// <returns>The query.</returns>
    public static ConversationQuery Mine(AgentId agent) => new()
    {
        Assignee = agent,
        Statuses = [ConversationStatus.Open],
        Sort = ConversationSort.PriorityThenWaiting,
    };

    /// <summary>Open conversations nobody is assigned to, most urgent and longest waiting first.</summary>
    /// <param name="queue">Only this queue, or null for every queue.</param>
    /// <returns>The query.</returns>
    public static ConversationQuery Unassigned(string? queue = null) => new()
    {
        Assigned = false,
        Queue = queue,
        Statuses = [ConversationStatus.Open],
        Sort = ConversationSort.PriorityThenWaiting,
    };

    /// <summary>Every open conversation, newest activity first.</summary>
    /// <returns>The query.</returns>
    public static ConversationQuery AllOpen() => new() { Statuses = [ConversationStatus.Open] };
}

/// <summary>Orders of a conversation list. Every order ends with the conversation id, so it is total and stable.</summary>
public enum ConversationSort
{
    /// <summary>Most recent activity first.</summary>
    LastActivityNewest = 0,

    /// <summary>Longest waiting customer first; conversations nobody waits on come last.</summary>
    WaitingLongest = 1,

    /// <summary>By priority (urgent first), then longest waiting first.</summary>
    PriorityThenWaiting = 2,

    /// <summary>Most recently created first.</summary>
    CreatedNewest = 3,
}

/// <summary>Which messages of one conversation to list, one page at a time, in sequence order.</summary>
public sealed record MessageQuery
{
    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>The conversation.</summary>
    public required ConversationId ConversationId { get; init; }

    /// <summary>Only this direction.</summary>
    public MessageDirection? Direction { get; init; }

    /// <summary>Only messages sent at or before this time.</summary>
    public DateTimeOffset? SentAtOrBefore { get; init; }

    /// <summary>Newest first instead of oldest first.</summary>
    public bool Descending { get; init; }

    /// <summary>The page size, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The cursor of the previous page (a sequence number), or null for the first page.</summary>
    public string? After { get; init; }

    /// <summary>Checks the query, naming the first property that is wrong.</summary>
    /// <exception cref="CareValidationException">A property is out of range.</exception>
    public void Validate()
    {
        if (ConversationId.IsEmpty)
        {
            throw new CareValidationException(nameof(ConversationId), "must not be empty.");
        }

        if (Limit is < 1 or > MaxLimit)
        {
            throw new CareValidationException(nameof(Limit), $"must be between 1 and {MaxLimit}; it is {Limit}.");
        }

        if (After is not null && !TryGetAfterSequence(out _))
        {
            throw new CareValidationException(nameof(After), "is not a cursor returned by a previous page.");
        }
    }

    /// <summary>Reads the sequence number in <see cref="After"/>.</summary>
    /// <param name="sequence">The last sequence of the previous page; 0 when there is no cursor.</param>
    /// <returns>False when the cursor is malformed.</returns>
    public bool TryGetAfterSequence(out long sequence)
    {
        if (After is null)
        {
            sequence = 0;
            return true;
        }

        return long.TryParse(After, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence) && sequence > 0;
    }
}
