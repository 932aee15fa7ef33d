using System.Globalization;
using System.Runtime.InteropServices;

namespace SocialCare.Storage;

/// <summary>
/// A unit of work on the in-memory store: writes are buffered and checked against the committed state when made and
/// again, atomically, at commit; reads see committed data overlaid with the session's own writes.
/// </summary>
internal sealed class InMemoryCareSession(InMemoryWorkspace data) : ICareSession
{
    private PendingList<Contact> _contacts;
    private PendingList<Conversation> _conversations;
    private PendingList<Message> _messages;
    private List<OutboxEntry>? _outbox;
    private bool _finished;

    public WorkspaceId WorkspaceId => data.Workspace.Id;

    // ---------------------------------------------------------------- contacts

    public ValueTask<Contact?> GetContactAsync(ContactId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return ValueTask.FromResult(ReadContact(id));
    }

    public ValueTask<Contact?> FindContactAsync(ContactHandle handle, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return ValueTask.FromResult(OwnerOf(handle));
    }

    public ValueTask InsertContactAsync(Contact contact, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(contact);
        CheckScope(contact.WorkspaceId, "contact");
        CheckInsertVersion(contact.Version, "contact");
        if (contact.Id.IsEmpty)
        {
            throw new CareValidationException("Contact.Id", "must not be empty.");
        }

        if (ReadContact(contact.Id) is not null)
        {
            throw new ConcurrencyConflictException("contact", contact.Id.ToString(), null, null, "a contact with this id already exists");
        }

        CheckHandles(contact);
        Add(ref _contacts, new Pending<Contact>(contact, BaseVersion: 0));
        return ValueTask.CompletedTask;
    }

    public ValueTask UpdateContactAsync(Contact contact, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(contact);
        CheckScope(contact.WorkspaceId, "contact");
        var current = ReadContact(contact.Id);
        CheckUpdateVersion("contact", contact.Id, current?.Version, contact.Version);
        CheckHandles(contact);
        Replace(ref _contacts, contact.Id, contact, current!.Version, static c => c.Id);
        return ValueTask.CompletedTask;
    }

    // ---------------------------------------------------------------- conversations

    public ValueTask<Conversation?> GetConversationAsync(ConversationId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return ValueTask.FromResult(ReadConversation(id));
    }

    public ValueTask<Conversation?> FindLatestConversationAsync(ChannelAccount channel, ContactHandle handle, ConversationVisibility visibility, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        var key = new ThreadKey(channel, handle, visibility);
        Conversation? latest = null;
        lock (data.Gate)
        {
            if (data.LatestConversation.TryGetValue(key, out var id))
            {
                latest = data.Conversations[id];
            }
        }

        if (latest is not null && TryPending(_conversations, latest.Id, static c => c.Id, out var mine))
        {
            latest = mine;
        }

        if (_conversations.Count > 0)
        {
            foreach (var p in _conversations)
            {
                if (p.Inserted && ThreadKey.Of(p.Entity) == key && (latest is null || IsNewer(p.Entity, latest)))
                {
                    latest = p.Entity;
                }
            }
        }

        return ValueTask.FromResult(latest);
    }

    public ValueTask InsertConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(conversation);
        CheckScope(conversation.WorkspaceId, "conversation");
        CheckInsertVersion(conversation.Version, "conversation");
        if (conversation.Id.IsEmpty)
        {
            throw new CareValidationException("Conversation.Id", "must not be empty.");
        }

        if (ReadConversation(conversation.Id) is not null)
        {
            throw new ConcurrencyConflictException("conversation", conversation.Id.ToString(), null, null, "a conversation with this id already exists");
        }

        CheckSingleActive(conversation);
        Add(ref _conversations, new Pending<Conversation>(conversation, BaseVersion: 0));
        return ValueTask.CompletedTask;
    }

    public ValueTask UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(conversation);
        CheckScope(conversation.WorkspaceId, "conversation");
        var current = ReadConversation(conversation.Id);
        CheckUpdateVersion("conversation", conversation.Id, current?.Version, conversation.Version);
        if (ThreadKey.Of(current!) != ThreadKey.Of(conversation))
        {
            throw new CareValidationException("Conversation", "the channel account, handle and visibility of a conversation cannot change.");
        }

        // A conversation that is already active keeps the one active slot it holds (checked when it became active, and
        // again at commit); only one becoming active needs the early check.
        if (!current!.IsActive)
        {
            CheckSingleActive(conversation);
        }

        Replace(ref _conversations, conversation.Id, conversation, current.Version, static c => c.Id);
        return ValueTask.CompletedTask;
    }

    public ValueTask<Page<Conversation>> QueryConversationsAsync(ConversationQuery query, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        ConversationCursor.TryDecode(query.After, out var after);
        var tag = query.Tag?.Trim().ToLowerInvariant();

        var candidates = new List<Conversation>();
        lock (data.Gate)
        {
            foreach (var c in data.Conversations.Values)
            {
                if (!IsPending(_conversations, c.Id, static x => x.Id))
                {
                    candidates.Add(c);
                }
            }
        }

        if (_conversations.Count > 0)
        {
            foreach (var p in _conversations)
            {
                candidates.Add(p.Entity);
            }
        }

        var matching = new List<Conversation>();
        foreach (var c in candidates)
        {
            if (Matches(c, query, tag) && (query.After is null || ConversationCursor.From(c, query.Sort).CompareTo(after) > 0))
            {
                matching.Add(c);
            }
        }

        matching.Sort((x, y) => ConversationCursor.Compare(x, y, query.Sort));
        var items = matching.Take(query.Limit).ToList();
        var next = matching.Count > query.Limit ? ConversationCursor.From(items[^1], query.Sort).Encode() : null;
        return ValueTask.FromResult(new Page<Conversation>(items, next));
    }

    private bool Matches(Conversation c, ConversationQuery q, string? tag)
    {
        if (q.Statuses is { Count: > 0 } statuses && !statuses.Contains(c.Status))
        {
            return false;
        }

        if ((q.Assignee is { } assignee && c.Assignee != assignee)
            || (q.Assigned is { } assigned && assigned != c.Assignee.HasValue)
            || (q.Queue is not null && !string.Equals(q.Queue, c.Queue, StringComparison.Ordinal))
            || (tag is not null && !c.Tags.Contains(tag, StringComparer.Ordinal))
            || (q.ChannelKind is { } kind && c.Channel.Kind != kind)
            || (q.Channel is { } channel && c.Channel != channel)
            || (q.Priority is { } priority && c.Priority != priority)
            || (q.ContactId is { } contact && c.ContactId != contact)
            || (q.Visibility is { } visibility && c.Visibility != visibility))
        {
            return false;
        }

        return q.TextContains is null || MessagesOf(c.Id).Any(m => m.Text is not null && m.Text.Contains(q.TextContains, StringComparison.OrdinalIgnoreCase));
    }

    // ---------------------------------------------------------------- messages

    public ValueTask<bool> TryInsertMessageAsync(Message message, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(message);
        CheckScope(message.WorkspaceId, "message");
        CheckInsertVersion(message.Version, "message");
        if (message.Id.IsEmpty)
        {
            throw new CareValidationException("Message.Id", "must not be empty.");
        }

        MessageTable.CheckStorable(message);

        var (conversationExists, platformIdTaken, idTaken) = InsertChecks(message);
        if (!conversationExists)
        {
            throw new ConversationNotFoundException(WorkspaceId, message.ConversationId);
        }

        if (platformIdTaken)
        {
            return ValueTask.FromResult(false);
        }

        if (idTaken)
        {
            throw new ConcurrencyConflictException("message", message.Id.ToString(), null, null, "a message with this id already exists");
        }

        Add(ref _messages, new Pending<Message>(message, BaseVersion: 0));
        return ValueTask.FromResult(true);
    }

    public ValueTask<Message?> GetMessageAsync(MessageId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return ValueTask.FromResult(ReadMessage(id));
    }

    public ValueTask<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(platformMessageId);
        return ValueTask.FromResult(ReadMessage(channel, platformMessageId));
    }

    public ValueTask UpdateMessageAsync(Message message, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(message);
        CheckScope(message.WorkspaceId, "message");
        MessageTable.CheckStorable(message);
        var current = ReadMessage(message.Id);
        CheckUpdateVersion("message", message.Id, current?.Version, message.Version);
        if (current!.ConversationId != message.ConversationId || current.Sequence != message.Sequence)
        {
            throw new CareValidationException("Message", "the conversation and sequence of a message cannot change.");
        }

        if (message.PlatformMessageId is not null
            && !string.Equals(message.PlatformMessageId, current.PlatformMessageId, StringComparison.Ordinal)
            && ReadMessage(message.Channel, message.PlatformMessageId) is { } other && other.Id != message.Id)
        {
            throw new ConcurrencyConflictException("message", $"{message.Channel}/{message.PlatformMessageId}", null, null, "another message has this platform message id");
        }

        Replace(ref _messages, message.Id, message, current.Version, static m => m.Id);
        return ValueTask.CompletedTask;
    }

    public ValueTask<Page<Message>> QueryMessagesAsync(MessageQuery query, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        query.TryGetAfterSequence(out var afterSequence);
        IEnumerable<Message> all = MessagesOf(query.ConversationId);
        all = query.Descending ? all.OrderByDescending(m => m.Sequence) : all.OrderBy(m => m.Sequence);
        var matching = all.Where(m =>
            (query.Direction is not { } d || m.Direction == d)
            && (query.SentAtOrBefore is not { } before || m.SentAt <= before)
            && (query.After is null || (query.Descending ? m.Sequence < afterSequence : m.Sequence > afterSequence)));
        var items = matching.Take(query.Limit + 1).ToList();
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Sequence.ToString(CultureInfo.InvariantCulture);
        }

        return ValueTask.FromResult(new Page<Message>(items, next));
    }

    private List<Message> MessagesOf(ConversationId conversationId)
    {
        List<Message> result;
        lock (data.Gate)
        {
            result = data.Messages.OfConversation(conversationId);
        }

        if (_messages.Count > 0)
        {
            for (var i = 0; i < result.Count; i++)
            {
                if (TryPending(_messages, result[i].Id, static m => m.Id, out var mine))
                {
                    result[i] = mine;
                }
            }

            foreach (var p in _messages)
            {
                if (p.Inserted && p.Entity.ConversationId == conversationId)
                {
                    result.Add(p.Entity);
                }
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- outbox

    public ValueTask EnqueueOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        OutboxArguments.CheckEntry(entry, WorkspaceId);
        if ((_outbox?.Exists(e => e.MessageId == entry.MessageId) ?? false) || data.Outbox.Contains(WorkspaceId, entry.MessageId))
        {
            throw new ConcurrencyConflictException("outbox entry", entry.MessageId.ToString(), null, null, "the message is already queued for sending");
        }

        (_outbox ??= []).Add(entry);
        return ValueTask.CompletedTask;
    }

    // ---------------------------------------------------------------- commit

    public ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        lock (data.Gate)
        {
            ObjectDisposedException.ThrowIf(data.Disposed, typeof(InMemoryCareStore));
            Validate();
            Apply();
            if (_outbox is not null)
            {
                foreach (var entry in _outbox)
                {
                    data.Outbox.Add(entry);
                }
            }
        }

        _finished = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _finished = true;
        _contacts = default;
        _conversations = default;
        _messages = default;
        _outbox = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Checks every buffered write against the committed state; runs under the workspace lock.</summary>
    private void Validate()
    {
        if (_outbox is not null)
        {
            foreach (var entry in _outbox)
            {
                if (data.Outbox.Contains(WorkspaceId, entry.MessageId))
                {
                    throw new ConcurrencyConflictException("outbox entry", entry.MessageId.ToString(), null, null, "another writer queued this message for sending first");
                }
            }
        }

        if (_contacts.Count > 0)
        {
            foreach (var (contact, inserted, baseVersion) in _contacts)
            {
                CheckCommitted("contact", contact.Id, inserted, baseVersion, data.Contacts.TryGetValue(contact.Id, out var stored) ? stored.Version : null);
                foreach (var handle in contact.Handles)
                {
                    if (data.Handles.TryGetValue(handle, out var owner) && owner != contact.Id
                        && !(TryPending(_contacts, owner, static c => c.Id, out var ownerNow) && !ownerNow.Handles.Contains(handle)))
                    {
                        throw new ConcurrencyConflictException("contact", handle.ToString(), null, null, $"handle {handle} was taken by contact {owner}");
                    }
                }
            }
        }

        if (_conversations.Count > 0)
        {
            foreach (var (conversation, inserted, baseVersion) in _conversations)
            {
                CheckCommitted("conversation", conversation.Id, inserted, baseVersion, data.Conversations.TryGetValue(conversation.Id, out var stored) ? stored.Version : null);

                // A stored active conversation holds its thread's active slot itself: nothing to look up.
                if (conversation.IsActive
                    && stored is not { IsActive: true }
                    && data.ActiveConversation.TryGetValue(ThreadKey.Of(conversation), out var activeId) && activeId != conversation.Id
                    && !(TryPending(_conversations, activeId, static c => c.Id, out var otherNow) && !otherNow.IsActive))
                {
                    throw new ConcurrencyConflictException("conversation", ThreadKey.Of(conversation).ToString(), null, null, $"conversation {activeId} is already active for this customer handle, channel account and visibility");
                }
            }
        }

        if (_messages.Count > 0)
        {
            foreach (var (message, inserted, baseVersion) in _messages)
            {
                CheckCommitted("message", message.Id, inserted, baseVersion, data.Messages.VersionOf(message.Id));
                if (message.PlatformMessageId is not null
                    && data.Messages.FindId(message.Channel, message.PlatformMessageId) is { } owner && owner != message.Id)
                {
                    throw new ConcurrencyConflictException("message", $"{message.Channel}/{message.PlatformMessageId}", null, null, "another writer stored this platform message id first");
                }
            }
        }
    }

    /// <summary>Makes the buffered writes the committed state; runs under the workspace lock after <see cref="Validate"/>.</summary>
    private void Apply()
    {
        if (_contacts.Count > 0)
        {
            foreach (var p in _contacts)
            {
                if (data.Contacts.TryGetValue(p.Entity.Id, out var old))
                {
                    foreach (var handle in old.Handles)
                    {
                        if (data.Handles.TryGetValue(handle, out var owner) && owner == old.Id)
                        {
                            data.Handles.Remove(handle);
                        }
                    }
                }
            }

            foreach (var p in _contacts)
            {
                data.Contacts[p.Entity.Id] = p.Entity;
                foreach (var handle in p.Entity.Handles)
                {
                    data.Handles[handle] = p.Entity.Id;
                }
            }
        }

        if (_conversations.Count > 0)
        {
            foreach (var p in _conversations)
            {
                var c = p.Entity;
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(data.Conversations, c.Id, out _);
                var previous = slot;
                slot = c;

                // An update keeps the thread key (UpdateConversationAsync refuses to change it): while it stays as active
                // as it was and keeps its creation time, the active and latest indexes already say the right thing.
                if (previous is not null && previous.IsActive == c.IsActive && previous.CreatedAt == c.CreatedAt)
                {
                    continue;
                }

                var key = ThreadKey.Of(c);
                if (c.IsActive)
                {
                    data.ActiveConversation[key] = c.Id;
                }
                else if (data.ActiveConversation.TryGetValue(key, out var active) && active == c.Id)
                {
                    data.ActiveConversation.Remove(key);
                }

                if (!data.LatestConversation.TryGetValue(key, out var latestId) || (latestId != c.Id && IsNewer(c, data.Conversations[latestId])))
                {
                    data.LatestConversation[key] = c.Id;
                }
            }
        }

        if (_messages.Count > 0)
        {
            foreach (var p in _messages)
            {
                data.Messages.Put(p.Entity);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void Enter(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void CheckScope(WorkspaceId entityWorkspace, string entity)
    {
        if (entityWorkspace != WorkspaceId)
        {
            throw new CareValidationException($"{char.ToUpperInvariant(entity[0])}{entity[1..]}.WorkspaceId", $"the {entity} belongs to workspace '{entityWorkspace}', but this session is scoped to '{WorkspaceId}'.");
        }
    }

    private static void CheckInsertVersion(long version, string entity)
    {
        if (version != 1)
        {
            throw new CareValidationException($"{char.ToUpperInvariant(entity[0])}{entity[1..]}.Version", $"a new {entity} is inserted at version 1; it has {version}.");
        }
    }

    // The id is generic (never boxed) and formatted only when the check fails: these run on every write and commit.
    private static void CheckUpdateVersion<TId>(string entity, TId id, long? stored, long incoming)
        where TId : struct
    {
        if (stored is null || incoming != stored + 1)
        {
            throw new ConcurrencyConflictException(entity, id.ToString()!, incoming - 1, stored);
        }
    }

    private static void CheckCommitted<TId>(string entity, TId id, bool inserted, long baseVersion, long? committedVersion)
        where TId : struct
    {
        if (inserted ? committedVersion is not null : committedVersion != baseVersion)
        {
            throw inserted
                ? new ConcurrencyConflictException(entity, id.ToString()!, null, committedVersion, $"another writer inserted this {entity} first")
                : new ConcurrencyConflictException(entity, id.ToString()!, baseVersion, committedVersion);
        }
    }

    private void CheckHandles(Contact contact)
    {
        foreach (var handle in contact.Handles)
        {
            if (handle.IsEmpty)
            {
                throw new CareValidationException("Contact.Handles", "a handle needs both the channel kind and the external id.");
            }

            var owner = OwnerOf(handle);
            if (owner is not null && owner.Id != contact.Id)
            {
                throw new ConcurrencyConflictException("contact", handle.ToString(), null, null, $"handle {handle} belongs to contact {owner.Id}");
            }
        }
    }

    private void CheckSingleActive(Conversation conversation)
    {
        if (!conversation.IsActive)
        {
            return;
        }

        var key = ThreadKey.Of(conversation);
        if (_conversations.Count > 0)
        {
            foreach (var p in _conversations)
            {
                if (p.Entity.Id != conversation.Id && p.Entity.IsActive && ThreadKey.Of(p.Entity) == key)
                {
                    throw new ConcurrencyConflictException("conversation", key.ToString(), null, null, $"conversation {p.Entity.Id} is already active for this customer handle, channel account and visibility");
                }
            }
        }

        ConversationId activeId;
        lock (data.Gate)
        {
            if (!data.ActiveConversation.TryGetValue(key, out activeId))
            {
                return;
            }
        }

        if (activeId != conversation.Id && ReadConversation(activeId) is { IsActive: true })
        {
            throw new ConcurrencyConflictException("conversation", key.ToString(), null, null, $"conversation {activeId} is already active for this customer handle, channel account and visibility");
        }
    }

    private Contact? OwnerOf(ContactHandle handle)
    {
        if (_contacts.Count > 0)
        {
            foreach (var p in _contacts)
            {
                if (p.Entity.Handles.Contains(handle))
                {
                    return p.Entity;
                }
            }
        }

        Contact? committed;
        lock (data.Gate)
        {
            committed = data.Handles.TryGetValue(handle, out var id) ? data.Contacts[id] : null;
        }

        // A buffered update of the committed owner may have given the handle away.
        return committed is not null && IsPending(_contacts, committed.Id, static c => c.Id) ? null : committed;
    }

    private Contact? ReadContact(ContactId id)
    {
        if (TryPending(_contacts, id, static c => c.Id, out var mine))
        {
            return mine;
        }

        lock (data.Gate)
        {
            return data.Contacts.GetValueOrDefault(id);
        }
    }

    private Conversation? ReadConversation(ConversationId id)
    {
        if (TryPending(_conversations, id, static c => c.Id, out var mine))
        {
            return mine;
        }

        lock (data.Gate)
        {
            return data.Conversations.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// What inserting <paramref name="message"/> must know, as this session sees it (its own writes first), taking the
    /// workspace lock once and decoding nothing: whether its conversation exists, whether its platform id and its id
    /// are already taken.
    /// </summary>
    private (bool ConversationExists, bool PlatformIdTaken, bool IdTaken) InsertChecks(Message message)
    {
        var conversationExists = IsPending(_conversations, message.ConversationId, static c => c.Id);
        var idTaken = IsPending(_messages, message.Id, static m => m.Id);
        var platformId = message.PlatformMessageId;
        var platformIdTaken = platformId is not null && PendingWithPlatformId(message.Channel, platformId) is not null;

        lock (data.Gate)
        {
            conversationExists = conversationExists || data.Conversations.ContainsKey(message.ConversationId);
            idTaken = idTaken || data.Messages.Contains(message.Id);

            // A committed owner this session has a buffered update for may have given the platform id away (as in ReadMessage).
            platformIdTaken = platformIdTaken
                || (platformId is not null && data.Messages.FindId(message.Channel, platformId) is { } owner && !IsPending(_messages, owner, static m => m.Id));
        }

        return (conversationExists, platformIdTaken, idTaken);
    }

    private Message? ReadMessage(MessageId id)
    {
        if (TryPending(_messages, id, static m => m.Id, out var mine))
        {
            return mine;
        }

        lock (data.Gate)
        {
            return data.Messages.Get(id);
        }
    }

    private Message? ReadMessage(ChannelAccount channel, string platformMessageId)
    {
        if (PendingWithPlatformId(channel, platformMessageId) is { } mine)
        {
            return mine;
        }

        Message? committed;
        lock (data.Gate)
        {
            committed = data.Messages.Find(channel, platformMessageId);
        }

        return committed is not null && IsPending(_messages, committed.Id, static m => m.Id) ? null : committed;
    }

    /// <summary>The message this session has written with this platform id on this channel account, if any.</summary>
    private Message? PendingWithPlatformId(ChannelAccount channel, string platformMessageId)
    {
        if (_messages.Count > 0)
        {
            foreach (var p in _messages)
            {
                if (p.Entity.Channel == channel && string.Equals(p.Entity.PlatformMessageId, platformMessageId, StringComparison.Ordinal))
                {
                    return p.Entity;
                }
            }
        }

        return null;
    }

    private static bool IsNewer(Conversation candidate, Conversation than) =>
        candidate.CreatedAt > than.CreatedAt || (candidate.CreatedAt == than.CreatedAt && candidate.Id > than.Id);

    private static void Add<T>(ref PendingList<T> list, Pending<T> entry) => list.Add(entry);

    private static void Replace<T, TId>(ref PendingList<T> list, TId id, T entity, long committedVersion, Func<T, TId> idOf)
        where TId : IEquatable<TId>
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (idOf(list[i].Entity).Equals(id))
            {
                list[i] = list[i] with { Entity = entity };
                return;
            }
        }

        Add(ref list, new Pending<T>(entity, BaseVersion: committedVersion));
    }

    private static bool TryPending<T, TId>(in PendingList<T> list, TId id, Func<T, TId> idOf, out T entity)
        where TId : IEquatable<TId>
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (idOf(list[i].Entity).Equals(id))
            {
                entity = list[i].Entity;
                return true;
            }
        }

        entity = default!;
        return false;
    }

    private static bool IsPending<T, TId>(in PendingList<T> list, TId id, Func<T, TId> idOf)
        where TId : IEquatable<TId> => TryPending(in list, id, idOf, out _);

    /// <summary>
    /// A buffered write: the entity and the committed version it replaces, 0 for an insert (committed versions start at
    /// 1). No separate flag, so an entry is 16 bytes.
    /// </summary>
    private readonly record struct Pending<T>(T Entity, long BaseVersion)
    {
        public bool Inserted => BaseVersion == 0;

        public void Deconstruct(out T entity, out bool inserted, out long baseVersion)
        {
            entity = Entity;
            inserted = Inserted;
            baseVersion = BaseVersion;
        }
    }

    /// <summary>
    /// The session's buffered writes of one kind, in the order made. The first is held inline: most units of work write
    /// one entity of each kind (an ingest: one message, one conversation), so that needs no allocation at all: the list is
    /// a mutable struct held in the session's fields and passed by reference.
    /// </summary>
    private struct PendingList<T>
    {
        private Pending<T> _first;
        private List<Pending<T>>? _rest;

        public int Count { get; private set; }

        public Pending<T> this[int index]
        {
            readonly get
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
                return index == 0 ? _first : _rest![index - 1];
            }

            set
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
                if (index == 0)
                {
                    _first = value;
                }
                else
                {
                    _rest![index - 1] = value;
                }
            }
        }

        public void Add(Pending<T> entry)
        {
            if (Count == 0)
            {
                _first = entry;
            }
            else
            {
                (_rest ??= []).Add(entry);
            }

            Count++;
        }

        public readonly Enumerator GetEnumerator() => new(this);

        public struct Enumerator(PendingList<T> list)
        {
            private int _index = -1;

            public readonly Pending<T> Current => list[_index];

            public bool MoveNext() => ++_index < list.Count;
        }
    }
}
