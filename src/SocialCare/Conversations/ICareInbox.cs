using SocialCare.Channels;
using SocialCare.Storage;

namespace SocialCare;

/// <summary>
/// The operations a care team performs every minute, for a host's inbox UI or API: list and read conversations,
/// reply, write notes, assign, tag, prioritise, snooze, resolve, reopen and merge contacts.
/// </summary>
/// <remarks>
/// Every change is one unit of work. Pass <c>expectedVersion</c> (the <see cref="Conversation.Version"/> the agent is
/// looking at) to refuse the change with <see cref="ConcurrencyConflictException"/> when someone else changed the
/// conversation meanwhile; without it the change applies to the latest version. Operations not allowed in the current
/// status throw <see cref="InvalidConversationTransitionException"/>; bad input throws
/// <see cref="CareValidationException"/> naming the field. Nothing is stored when an operation throws.
/// </remarks>
public interface ICareInbox
{
    /// <summary>Lists conversations, one page at a time.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="query">Filters, order and page (see <see cref="ConversationQuery.Mine"/> and friends for common views).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page.</returns>
    ValueTask<Page<Conversation>> ListAsync(WorkspaceId workspaceId, ConversationQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads one conversation.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation.</returns>
    /// <exception cref="ConversationNotFoundException">It does not exist in the workspace.</exception>
    ValueTask<Conversation> GetAsync(WorkspaceId workspaceId, ConversationId conversationId, CancellationToken cancellationToken = default);

    /// <summary>Lists a conversation's messages in order, one page at a time.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="query">The conversation and page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page.</returns>
    ValueTask<Page<Message>> GetMessagesAsync(WorkspaceId workspaceId, MessageQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads a contact. A merged-away contact is returned as its tombstone (see <see cref="Contact.MergedInto"/>).</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="contactId">The contact.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The contact.</returns>
    /// <exception cref="ContactNotFoundException">It does not exist in the workspace.</exception>
    ValueTask<Contact> GetContactAsync(WorkspaceId workspaceId, ContactId contactId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores an agent's reply as an outbound message, <see cref="DeliveryStatus.Queued"/> for sending. The reply
    /// answers the customer: <see cref="Conversation.WaitingSince"/> is cleared and the cycle's first response recorded.
    /// </summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="reply">The reply.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored outbound message.</returns>
    ValueTask<Message> ReplyAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentReply reply, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Adds an internal note, never sent to the customer.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="author">The agent writing the note.</param>
    /// <param name="text">The note.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored note.</returns>
    ValueTask<Message> AddNoteAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentId author, string text, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Assigns the conversation to an agent (replacing any other assignee).</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="agent">The agent.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> AssignAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentId agent, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the assignee; the conversation waits in its queue.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> UnassignAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Adds tags (lower-cased; already present ones are ignored).</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="tags">The tags.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> TagAsync(WorkspaceId workspaceId, ConversationId conversationId, IReadOnlyCollection<string> tags, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Removes tags (absent ones are ignored).</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="tags">The tags.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> UntagAsync(WorkspaceId workspaceId, ConversationId conversationId, IReadOnlyCollection<string> tags, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Sets the priority.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="priority">The priority.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> SetPriorityAsync(WorkspaceId workspaceId, ConversationId conversationId, ConversationPriority priority, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Marks the conversation pending (waiting on the customer). Allowed from Open and Snoozed.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> MarkPendingAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Snoozes the conversation until a time in the future. Allowed from Open, Pending and Snoozed.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="until">When the snooze ends.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> SnoozeAsync(WorkspaceId workspaceId, ConversationId conversationId, DateTimeOffset until, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Resolves the conversation, ending its cycle. Allowed from Open, Pending and Snoozed.</summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> ResolveAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reopens the conversation: Pending and Snoozed return to Open; Resolved starts a new cycle. A resolved conversation
    /// can be reopened only while it is the customer's latest on its channel account and visibility; once a newer one
    /// exists, continue in that one.
    /// </summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="expectedVersion">The version the agent is looking at, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation after the change.</returns>
    ValueTask<Conversation> ReopenAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges one contact into another: the survivor gains the merged contact's handles, attributes it lacks, notes and
    /// conversations; the merged contact remains as a tombstone pointing at the survivor.
    /// </summary>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="survivorId">The contact that remains.</param>
    /// <param name="mergedId">The contact merged away.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The survivor after the merge.</returns>
    ValueTask<Contact> MergeContactsAsync(WorkspaceId workspaceId, ContactId survivorId, ContactId mergedId, CancellationToken cancellationToken = default);
}

/// <summary>An agent's reply to a customer.</summary>
public sealed record AgentReply
{
    /// <summary>The agent replying.</summary>
    public required AgentId Agent { get; init; }

    /// <summary>The text; may be null when the reply only carries attachments or is a template.</summary>
    public string? Text { get; init; }

    /// <summary>Media and files to send.</summary>
    public IReadOnlyList<Attachment> Attachments { get; init; } = [];

    /// <summary>The platform id of the customer message this reply answers, when the platform threads replies.</summary>
    public string? ReplyToPlatformMessageId { get; init; }

    /// <summary>
    /// A platform-approved template to send instead of text and attachments: the only reply WhatsApp delivers once
    /// its 24-hour customer-service window has closed. Only on channels whose adapter declares
    /// <see cref="Channels.ChannelCapabilities.SupportsTemplates"/>.
    /// </summary>
    public MessageTemplate? Template { get; init; }
}
