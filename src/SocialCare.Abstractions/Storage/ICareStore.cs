namespace SocialCare.Storage;

/// <summary>
/// A storage provider's entry point. The in-memory store in the SocialCare package is the reference; every provider
/// passes the storage specification suite in SocialCare.Testing.
/// </summary>
public interface ICareStore
{
    /// <summary>Creates a workspace; does nothing when one with the same id exists.</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when created; false when it already existed.</returns>
    ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken);

    /// <summary>Reads a workspace.</summary>
    /// <param name="workspaceId">The workspace's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The workspace, or null when it does not exist.</returns>
    ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken);

    /// <summary>Begins a unit of work in one workspace.</summary>
    /// <param name="workspaceId">The workspace every operation of the session is scoped to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session; dispose it, and commit it to keep its writes.</returns>
    /// <exception cref="WorkspaceNotFoundException">The workspace does not exist.</exception>
    ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken);
}

/// <summary>
/// A unit of work in one workspace. Reads see committed data plus the session's own writes; writes become visible to
/// others only at <see cref="CommitAsync"/>, all together. Disposing without committing discards every write.
/// </summary>
/// <remarks>
/// Updates use optimistic concurrency: the entity passed to an update carries the new version, which must be exactly one
/// more than the stored version, otherwise <see cref="ConcurrencyConflictException"/> is thrown (now or at commit).
/// Unique keys (a contact handle, a platform message id per channel account, one active conversation per channel
/// account, customer handle and visibility) raise the same exception when a concurrent writer took them first.
/// </remarks>
public interface ICareSession : IAsyncDisposable
{
    /// <summary>The workspace every operation is scoped to.</summary>
    WorkspaceId WorkspaceId { get; }

    /// <summary>Reads a contact.</summary>
    /// <param name="id">The contact's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The contact, or null.</returns>
    ValueTask<Contact?> GetContactAsync(ContactId id, CancellationToken cancellationToken);

    /// <summary>Finds the contact a handle belongs to.</summary>
    /// <param name="handle">The handle.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The contact, or null.</returns>
    ValueTask<Contact?> FindContactAsync(ContactHandle handle, CancellationToken cancellationToken);

    /// <summary>Inserts a contact at version 1.</summary>
    /// <param name="contact">The contact.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">One of its handles belongs to another contact.</exception>
    ValueTask InsertContactAsync(Contact contact, CancellationToken cancellationToken);

    /// <summary>Replaces a contact; <paramref name="contact"/>.Version must be the stored version plus one.</summary>
    /// <param name="contact">The new state.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">The version is stale or a handle belongs to another contact.</exception>
    ValueTask UpdateContactAsync(Contact contact, CancellationToken cancellationToken);

    /// <summary>Reads a conversation.</summary>
    /// <param name="id">The conversation's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation, or null.</returns>
    ValueTask<Conversation?> GetConversationAsync(ConversationId id, CancellationToken cancellationToken);

    /// <summary>Finds the most recently created conversation with a customer handle on a channel account and visibility.</summary>
    /// <param name="channel">The channel account.</param>
    /// <param name="handle">The customer's handle.</param>
    /// <param name="visibility">Public or private.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation, or null.</returns>
    ValueTask<Conversation?> FindLatestConversationAsync(ChannelAccount channel, ContactHandle handle, ConversationVisibility visibility, CancellationToken cancellationToken);

    /// <summary>Inserts a conversation at version 1.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">The handle already has an active conversation on that channel account and visibility.</exception>
    ValueTask InsertConversationAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Replaces a conversation; <paramref name="conversation"/>.Version must be the stored version plus one.</summary>
    /// <param name="conversation">The new state.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">The version is stale.</exception>
    ValueTask UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Pages through conversations.</summary>
    /// <param name="query">Filters, sort and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page.</returns>
    ValueTask<Page<Conversation>> QueryConversationsAsync(ConversationQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a message at version 1 unless one with the same channel account and platform message id exists.
    /// Messages without a platform id are always inserted.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when inserted; false when the platform message id was already stored.</returns>
    ValueTask<bool> TryInsertMessageAsync(Message message, CancellationToken cancellationToken);

    /// <summary>Reads a message.</summary>
    /// <param name="id">The message's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The message, or null.</returns>
    ValueTask<Message?> GetMessageAsync(MessageId id, CancellationToken cancellationToken);

    /// <summary>Finds a message by its platform id.</summary>
    /// <param name="channel">The channel account.</param>
    /// <param name="platformMessageId">The platform's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The message, or null.</returns>
    ValueTask<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, CancellationToken cancellationToken);

    /// <summary>Replaces a message; <paramref name="message"/>.Version must be the stored version plus one.</summary>
    /// <param name="message">The new state.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">The version is stale or the platform id is taken.</exception>
    ValueTask UpdateMessageAsync(Message message, CancellationToken cancellationToken);

    /// <summary>Pages through the messages of one conversation in <see cref="Message.Sequence"/> order.</summary>
    /// <param name="query">The conversation, filters and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page.</returns>
    ValueTask<Page<Message>> QueryMessagesAsync(MessageQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Queues an outbound message for sending: the entry becomes visible to the outbox's claimers
    /// (<see cref="IOutboxStore"/>) at commit, together with the message.
    /// </summary>
    /// <param name="entry">The entry; its workspace must be the session's and <see cref="OutboxEntry.Attempts"/> 0.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">The message already has an outbox entry.</exception>
    ValueTask EnqueueOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// A hint that the caller is about to read the rows <paramref name="lookup"/> names (the ingestion pipeline calls it
    /// first for every inbound event). A provider may load them together, in one round trip, and answer the next read of
    /// each of those keys from what it loaded, as if that read had run at this call. The default does nothing: the reads
    /// then go to the store one by one, with the same results.
    /// </summary>
    /// <param name="lookup">The contact handle, platform message id and latest conversation about to be read.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the rows are loaded.</returns>
    ValueTask PrefetchAsync(InboundLookup lookup, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Makes every write of the session durable and visible, all together.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ConcurrencyConflictException">A concurrent writer won; nothing of this session was kept.</exception>
    ValueTask CommitAsync(CancellationToken cancellationToken);
}

/// <summary>One page of results and the cursor for the next.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="NextCursor">Pass as the query's <c>After</c> to get the next page; null on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
