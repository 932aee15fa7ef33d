using SocialCare.Storage;

namespace SocialCare.Ingestion;

/// <summary>
/// The state of one inbound event travelling through the pipeline: the event, its unit of work, and the contact,
/// conversation and message built so far. Steps read and replace these; the pipeline writes the final conversation and
/// commits once, after the last step.
/// </summary>
public sealed class IngestContext
{
    private List<CareEvent>? _events;

    internal IngestContext(InboundEvent inboundEvent, ICareSession session, DateTimeOffset now, IServiceProvider services)
    {
        Event = inboundEvent;
        Session = session;
        Now = now;
        Services = services;
    }

    /// <summary>The event being ingested.</summary>
    public InboundEvent Event { get; }

    /// <summary>The unit of work every step writes through; committed by the pipeline after the last step.</summary>
    public ICareSession Session { get; }

    /// <summary>When the engine received the event (its <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The customer, once the contact stage ran (null for events about an unknown customer).</summary>
    public Contact? Contact { get; set; }

    /// <summary>
    /// The conversation as it should be stored after this event, once the thread stage ran. Steps replace it with
    /// changed copies; the pipeline stores it once at the end.
    /// </summary>
    public Conversation? Conversation { get; set; }

    /// <summary>The message stored or changed by this event, once the append stage ran.</summary>
    public Message? Message { get; set; }

    /// <summary>What became of the event so far. A step that stops the pipeline sets it.</summary>
    public IngestOutcome Outcome { get; set; } = IngestOutcome.Accepted;

    /// <summary>The care events collected so far; they are published after the commit.</summary>
    public IReadOnlyList<CareEvent> Events => (IReadOnlyList<CareEvent>?)_events ?? [];

    /// <summary>The conversation as the session stores it now (null before the thread stage).</summary>
    internal Conversation? StoredConversation { get; set; }

    /// <summary>The conversation as it was before this event (null when this event created it).</summary>
    internal Conversation? OriginalConversation { get; set; }

    internal bool MessageInserted { get; set; }

    internal bool Reopened { get; set; }

    /// <summary>Replaces collected events, for the pipeline to give them the committed state.</summary>
    /// <summary>Makes a <see cref="ConversationCreated"/> event of this conversation carry its committed state.</summary>
    internal void ReplaceCreatedConversation(Conversation committed)
    {
        if (_events is null)
        {
            return;
        }

        for (var i = 0; i < _events.Count; i++)
        {
            if (_events[i] is ConversationCreated created && created.Conversation.Id == committed.Id)
            {
                _events[i] = created with { Conversation = committed };
            }
        }
    }

    /// <summary>Adds a care event to publish after the commit.</summary>
    /// <param name="careEvent">The event.</param>
    public void AddEvent(CareEvent careEvent)
    {
        ArgumentNullException.ThrowIfNull(careEvent);
        (_events ??= []).Add(careEvent);
    }
}
