namespace SocialCare;

/// <summary>
/// Something that happened in the care engine, published to host subscribers after it is committed.
/// </summary>
public abstract record CareEvent
{
    /// <summary>The workspace it happened in.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>When it happened (the engine's clock).</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Handles a care event. Register with <c>care.AddEventHandler&lt;TEvent, THandler&gt;()</c>.</summary>
/// <typeparam name="TEvent">The event type; <see cref="CareEvent"/> receives every event.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Handles care events; not a .NET event handler delegate.")]
public interface ICareEventHandler<in TEvent>
    where TEvent : CareEvent
{
    /// <summary>Handles the event. Exceptions are logged and counted, never thrown back into the engine.</summary>
    /// <param name="careEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    ValueTask HandleAsync(TEvent careEvent, CancellationToken cancellationToken);
}

/// <summary>A customer message (or an echo of a brand message) was stored.</summary>
public sealed record MessageReceived : CareEvent
{
    /// <summary>The stored message.</summary>
    public required Message Message { get; init; }

    /// <summary>The conversation after the message joined it.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>An agent's reply was stored and queued for sending.</summary>
public sealed record ReplyQueued : CareEvent
{
    /// <summary>The outbound message, <see cref="DeliveryStatus.Queued"/>.</summary>
    public required Message Message { get; init; }

    /// <summary>The conversation after the reply.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>The outbox dispatcher handed a reply to its platform, which accepted it.</summary>
public sealed record ReplySent : CareEvent
{
    /// <summary>The outbound message, <see cref="DeliveryStatus.Sent"/>, with its platform id.</summary>
    public required Message Message { get; init; }
}

/// <summary>
/// A reply could not be sent: the platform refused it, the retries ran out, or the outcome of a send is unknown
/// because the sender stopped mid-call (then it is not resent, to never deliver it twice).
/// </summary>
public sealed record ReplyFailed : CareEvent
{
    /// <summary>The outbound message, <see cref="DeliveryStatus.Failed"/>, with the error code and reason.</summary>
    public required Message Message { get; init; }
}

/// <summary>A stored message changed: delivery status, reaction, edit or deletion.</summary>
public sealed record MessageUpdated : CareEvent
{
    /// <summary>The message after the change.</summary>
    public required Message Message { get; init; }

    /// <summary>What changed.</summary>
    public required MessageChange Change { get; init; }
}

/// <summary>What changed on a message.</summary>
public enum MessageChange
{
    /// <summary>The delivery status moved.</summary>
    Delivery = 0,

    /// <summary>A reaction was added or removed.</summary>
    Reaction = 1,

    /// <summary>The author edited the text.</summary>
    Edited = 2,

    /// <summary>The author deleted the message.</summary>
    Deleted = 3,
}

/// <summary>A conversation was created.</summary>
public sealed record ConversationCreated : CareEvent
{
    /// <summary>The new conversation.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>A conversation changed (status, priority, tags, queue, assignee, attributes or notes).</summary>
public sealed record ConversationUpdated : CareEvent
{
    /// <summary>The conversation before the change.</summary>
    public required Conversation Previous { get; init; }

    /// <summary>The conversation after the change.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>A conversation was assigned to an agent, moved to another, or unassigned.</summary>
public sealed record ConversationAssigned : CareEvent
{
    /// <summary>The conversation after the change.</summary>
    public required Conversation Conversation { get; init; }

    /// <summary>The previous assignee, if any.</summary>
    public AgentId? PreviousAssignee { get; init; }
}

/// <summary>A conversation was resolved; its cycle ended.</summary>
public sealed record ConversationResolved : CareEvent
{
    /// <summary>The resolved conversation.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>A resolved conversation was reopened, by an agent or by the customer writing within the reopen window.</summary>
public sealed record ConversationReopened : CareEvent
{
    /// <summary>The conversation in its new cycle.</summary>
    public required Conversation Conversation { get; init; }
}

/// <summary>Two contacts were merged; the merged contact's handles and conversations now belong to the survivor.</summary>
public sealed record ContactMerged : CareEvent
{
    /// <summary>The surviving contact, after the merge.</summary>
    public required Contact Survivor { get; init; }

    /// <summary>The contact merged away; it remains as a tombstone pointing at the survivor.</summary>
    public required ContactId MergedContactId { get; init; }
}
