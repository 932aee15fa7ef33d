// Shared source: the unit of work of the SQL providers (internal to each). Writes are buffered and checked against
// what the session read; the provider applies them atomically at commit, where versions and unique constraints are
// checked again by the database. Reads see committed data overlaid with the session's own writes, exactly like the
// in-memory reference store.
using System.Globalization;

namespace SocialCare.Storage.Relational;

internal readonly record struct ThreadKey(ChannelAccount Channel, ContactHandle Handle, ConversationVisibility Visibility)
{
    public static ThreadKey Of(Conversation c) => new(c.Channel, c.Handle, c.Visibility);
}

internal sealed class PendingWrite<T>(T entity, bool inserted, long baseVersion, T? original = default)
{
    public T Entity { get; set; } = entity;

    /// <summary>For an update: the committed state the session read (so a provider can write only what changed).</summary>
    public T? Original { get; } = original;

    /// <summary>True for an insert; false for an update of the committed row at <see cref="BaseVersion"/>.</summary>
    public bool Inserted { get; } = inserted;

    public long BaseVersion { get; } = baseVersion;
}

/// <summary>Everything one unit of work changes, applied all together or not at all.</summary>
internal sealed class ChangeSet(WorkspaceId workspaceId, List<PendingWrite<Contact>> contacts, List<PendingWrite<Conversation>> conversations, List<PendingWrite<Message>> messages, List<OutboxEntry> outbox)
{
    public WorkspaceId WorkspaceId { get; } = workspaceId;

    public List<PendingWrite<Contact>> Contacts { get; } = contacts;

    /// <summary>Updates first (those leaving the active state before those entering it), then inserts.</summary>
    public List<PendingWrite<Conversation>> Conversations { get; } = StableSort(conversations, static p => p.Inserted ? 2 : p.Entity.IsActive ? 1 : 0);

    public List<PendingWrite<Message>> Messages { get; } = StableSort(messages, static p => p.Inserted ? 1 : 0);

    /// <summary>New outbox entries (checked: the session's workspace, no attempts); inserted after the messages.</summary>
    public List<OutboxEntry> Outbox { get; } = outbox;

    /// <summary>A copy ordered by the small integer key, equal keys in their original order (as OrderBy, without its buffers).</summary>
    private static List<T> StableSort<T>(List<T> items, Func<T, int> key)
    {
        var sorted = new List<T>(items.Count);
        foreach (var item in items)
        {
            var k = key(item);
            var at = sorted.Count;
            while (at > 0 && key(sorted[at - 1]) > k)
            {
                at--;
            }

            sorted.Insert(at, item);
        }

        return sorted;
    }
}

/// <summary>What <see cref="BufferedCareSession.LoadInboundAsync"/> found for an <see cref="InboundLookup"/> (committed state only).</summary>
internal readonly record struct InboundRows(Message? Message, Contact? Contact, Conversation? LatestConversation);

internal abstract class BufferedCareSession(WorkspaceId workspaceId) : ICareSession
{
    private readonly List<PendingWrite<Contact>> _contacts = [];
    private readonly List<PendingWrite<Conversation>> _conversations = [];
    private readonly List<PendingWrite<Message>> _messages = [];
    private readonly List<OutboxEntry> _outbox = [];

    // What this session last read of committed rows; used to check writes now (the database checks again at commit).
    private Dictionary<ContactId, Contact?>? _seenContactsMap;
    private Dictionary<ContactHandle, Contact?>? _seenHandlesMap;
    private Dictionary<ConversationId, Conversation?>? _seenConversationsMap;
    private Dictionary<MessageId, Message?>? _seenMessagesMap;
    private Dictionary<(ChannelAccount, string), Message?>? _seenPlatformIdsMap;
    private bool _finished;

    // Rows loaded together by PrefetchAsync: each answers the next fresh read of its key once, then is dropped.
    private InboundLookup _prefetched;
    private InboundRows _prefetchedRows;
    private bool _prefetchedMessage;
    private bool _prefetchedContact;
    private bool _prefetchedLatest;

    public WorkspaceId WorkspaceId { get; } = workspaceId;

    // ------------------------------------------------------------------ provider hooks (committed state only)
    protected abstract ValueTask<Contact?> LoadContactAsync(ContactId id, CancellationToken ct);

    protected abstract ValueTask<Contact?> LoadContactByHandleAsync(ContactHandle handle, CancellationToken ct);

    protected abstract ValueTask<Conversation?> LoadConversationAsync(ConversationId id, CancellationToken ct);

    protected abstract ValueTask<Conversation?> LoadLatestConversationAsync(ThreadKey key, CancellationToken ct);

    protected abstract ValueTask<Conversation?> LoadActiveConversationAsync(ThreadKey key, CancellationToken ct);

    protected abstract ValueTask<Message?> LoadMessageAsync(MessageId id, CancellationToken ct);

    protected abstract ValueTask<Message?> LoadMessageByPlatformIdAsync(ChannelAccount channel, string platformMessageId, CancellationToken ct);

    /// <summary>Committed conversations matching the query's filters, after <paramref name="after"/>, in its order.</summary>
    protected abstract ValueTask<List<Conversation>> LoadConversationPageAsync(ConversationQuery query, ConversationCursor? after, int limit, CancellationToken ct);

    /// <summary>Whether a committed message of the conversation contains the text (case-insensitive).</summary>
    protected abstract ValueTask<bool> LoadHasMessageTextAsync(ConversationId id, string text, CancellationToken ct);

    /// <summary>Committed messages matching the query, after <paramref name="afterSequence"/> (0: none), in its order.</summary>
    protected abstract ValueTask<List<Message>> LoadMessagePageAsync(MessageQuery query, long afterSequence, int limit, CancellationToken ct);

    /// <summary>Whether the workspace's committed outbox holds an entry for the message.</summary>
    protected abstract ValueTask<bool> LoadOutboxEntryExistsAsync(MessageId messageId, CancellationToken ct);

    /// <summary>
    /// Loads the committed rows an <see cref="InboundLookup"/> names together (one round trip, one snapshot); null when the
    /// provider does not (the default): the reads then go to the store one by one, only those the steps actually make.
    /// </summary>
    protected virtual ValueTask<InboundRows?> LoadInboundAsync(InboundLookup lookup, CancellationToken ct) => ValueTask.FromResult<InboundRows?>(null);

    /// <summary>Applies the changes atomically; throws <see cref="ConcurrencyConflictException"/> and keeps nothing when a check fails.</summary>
    protected abstract ValueTask ApplyAsync(ChangeSet changes, CancellationToken ct);

    protected virtual ValueTask ReleaseResourcesAsync() => ValueTask.CompletedTask;

    // ------------------------------------------------------------------ prefetch
    public async ValueTask PrefetchAsync(InboundLookup lookup, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        if (await LoadInboundAsync(lookup, cancellationToken).ConfigureAwait(false) is not { } rows)
        {
            return;
        }

        _prefetchedRows = rows;
        _prefetched = lookup;
        _prefetchedMessage = lookup.PlatformMessageId is not null;
        _prefetchedContact = true;
        _prefetchedLatest = lookup.Visibility is not null;
    }

    private bool TakePrefetchedMessage(ChannelAccount channel, string platformMessageId, out Message? message)
    {
        message = _prefetchedRows.Message;
        if (_prefetchedMessage && _prefetched.Channel == channel && string.Equals(_prefetched.PlatformMessageId, platformMessageId, StringComparison.Ordinal))
        {
            _prefetchedMessage = false;
            return true;
        }

        return false;
    }

    private bool TakePrefetchedContact(ContactHandle handle, out Contact? contact)
    {
        contact = _prefetchedRows.Contact;
        if (_prefetchedContact && _prefetched.Customer == handle)
        {
            _prefetchedContact = false;
            return true;
        }

        return false;
    }

    private bool TakePrefetchedLatest(ThreadKey key, out Conversation? conversation)
    {
        conversation = _prefetchedRows.LatestConversation;
        if (_prefetchedLatest && new ThreadKey(_prefetched.Channel, _prefetched.Customer, _prefetched.Visibility!.Value) == key)
        {
            _prefetchedLatest = false;
            return true;
        }

        return false;
    }

    // ------------------------------------------------------------------ contacts
    public async ValueTask<Contact?> GetContactAsync(ContactId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return TryPending(_contacts, id, static c => c.Id, out var mine) ? mine : await LoadContactCachedAsync(id, fresh: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Contact?> FindContactAsync(ContactHandle handle, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return await OwnerOfAsync(handle, fresh: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask InsertContactAsync(Contact contact, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(contact);
        CheckScope(contact.WorkspaceId, "contact");
        CheckInsertVersion(contact.Version, "contact");
        if (contact.Id.IsEmpty)
        {
            throw new CareValidationException("Contact.Id", "must not be empty.");
        }

        if (TryPending(_contacts, contact.Id, static c => c.Id, out _) || (_seenContactsMap?.TryGetValue(contact.Id, out var seen) == true && seen is not null))
        {
            throw new ConcurrencyConflictException("contact", contact.Id.ToString(), null, null, "a contact with this id already exists");
        }

        await CheckHandlesAsync(contact, cancellationToken).ConfigureAwait(false);
        _contacts.Add(new PendingWrite<Contact>(contact, inserted: true, baseVersion: 0));
    }

    public async ValueTask UpdateContactAsync(Contact contact, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(contact);
        CheckScope(contact.WorkspaceId, "contact");
        var pending = Find(_contacts, contact.Id, static c => c.Id);
        var current = pending is not null ? pending.Entity : await LoadContactCachedAsync(contact.Id, fresh: false, cancellationToken).ConfigureAwait(false);
        CheckUpdateVersion("contact", contact.Id.ToString(), current?.Version, contact.Version);
        await CheckHandlesAsync(contact, cancellationToken).ConfigureAwait(false);
        if (pending is not null)
        {
            pending.Entity = contact;
        }
        else
        {
            _contacts.Add(new PendingWrite<Contact>(contact, inserted: false, baseVersion: current!.Version, current));
        }
    }

    // ------------------------------------------------------------------ conversations
    public async ValueTask<Conversation?> GetConversationAsync(ConversationId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return TryPending(_conversations, id, static c => c.Id, out var mine) ? mine : await LoadConversationCachedAsync(id, fresh: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Conversation?> FindLatestConversationAsync(ChannelAccount channel, ContactHandle handle, ConversationVisibility visibility, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        var key = new ThreadKey(channel, handle, visibility);
        var latest = TakePrefetchedLatest(key, out var prefetched) ? prefetched : await LoadLatestConversationAsync(key, cancellationToken).ConfigureAwait(false);
        if (latest is not null)
        {
            (_seenConversationsMap ??= [])[latest.Id] = latest;
            if (TryPending(_conversations, latest.Id, static c => c.Id, out var mine))
            {
                latest = mine;
            }
        }

        foreach (var p in _conversations)
        {
            if (p.Inserted && ThreadKey.Of(p.Entity) == key && (latest is null || IsNewer(p.Entity, latest)))
            {
                latest = p.Entity;
            }
        }

        return latest;
    }

    public async ValueTask InsertConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(conversation);
        CheckScope(conversation.WorkspaceId, "conversation");
        CheckInsertVersion(conversation.Version, "conversation");
        if (conversation.Id.IsEmpty)
        {
            throw new CareValidationException("Conversation.Id", "must not be empty.");
        }

        if (TryPending(_conversations, conversation.Id, static c => c.Id, out _) || (_seenConversationsMap?.TryGetValue(conversation.Id, out var seen) == true && seen is not null))
        {
            throw new ConcurrencyConflictException("conversation", conversation.Id.ToString(), null, null, "a conversation with this id already exists");
        }

        await CheckSingleActiveAsync(conversation, cancellationToken).ConfigureAwait(false);
        _conversations.Add(new PendingWrite<Conversation>(conversation, inserted: true, baseVersion: 0));
    }

    public async ValueTask UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(conversation);
        CheckScope(conversation.WorkspaceId, "conversation");
        var pending = Find(_conversations, conversation.Id, static c => c.Id);
        var current = pending is not null ? pending.Entity : await LoadConversationCachedAsync(conversation.Id, fresh: false, cancellationToken).ConfigureAwait(false);
        CheckUpdateVersion("conversation", conversation.Id.ToString(), current?.Version, conversation.Version);
        if (ThreadKey.Of(current!) != ThreadKey.Of(conversation))
        {
            throw new CareValidationException("Conversation", "the channel account, handle and visibility of a conversation cannot change.");
        }

        if (conversation.IsActive && !current!.IsActive)
        {
            await CheckSingleActiveAsync(conversation, cancellationToken).ConfigureAwait(false);
        }

        if (pending is not null)
        {
            pending.Entity = conversation;
        }
        else
        {
            _conversations.Add(new PendingWrite<Conversation>(conversation, inserted: false, baseVersion: current!.Version, current));
        }
    }

    public async ValueTask<Page<Conversation>> QueryConversationsAsync(ConversationQuery query, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        ConversationCursor? after = ConversationCursor.TryDecode(query.After, out var decoded) ? decoded : null;
        var textMatters = query.TextContains is not null && _messages.Count > 0;
        if (_conversations.Count == 0 && !textMatters)
        {
            var rows = await LoadConversationPageAsync(query, after, query.Limit + 1, cancellationToken).ConfigureAwait(false);
            return ToPage(rows, query);
        }

        var fetched = await LoadConversationPageAsync(query, after, query.Limit + _conversations.Count + 1, cancellationToken).ConfigureAwait(false);
        var merged = fetched.Where(c => Find(_conversations, c.Id, static x => x.Id) is null).ToList();
        var tag = query.Tag?.Trim().ToLowerInvariant();
        foreach (var p in _conversations)
        {
            if ((after is null || ConversationCursor.From(p.Entity, query.Sort).CompareTo(after.Value) > 0)
                && await MatchesAsync(p.Entity, query, tag, cancellationToken).ConfigureAwait(false))
            {
                merged.Add(p.Entity);
            }
        }

        if (textMatters)
        {
            // Committed conversations that match only through a message this session added or changed.
            foreach (var p in _messages)
            {
                if (p.Entity.Text is not null && p.Entity.Text.Contains(query.TextContains!, StringComparison.OrdinalIgnoreCase)
                    && !merged.Any(c => c.Id == p.Entity.ConversationId) && Find(_conversations, p.Entity.ConversationId, static x => x.Id) is null
                    && await LoadConversationCachedAsync(p.Entity.ConversationId, fresh: true, cancellationToken).ConfigureAwait(false) is { } c
                    && (after is null || ConversationCursor.From(c, query.Sort).CompareTo(after.Value) > 0)
                    && await MatchesAsync(c, query, tag, cancellationToken).ConfigureAwait(false))
                {
                    merged.Add(c);
                }
            }
        }

        merged.Sort((x, y) => ConversationCursor.Compare(x, y, query.Sort));
        return ToPage(merged, query);
    }

    private static Page<Conversation> ToPage(List<Conversation> ordered, ConversationQuery query)
    {
        if (ordered.Count <= query.Limit)
        {
            return new Page<Conversation>(ordered, null);
        }

        var items = ordered.GetRange(0, query.Limit);
        return new Page<Conversation>(items, ConversationCursor.From(items[^1], query.Sort).Encode());
    }

    private async ValueTask<bool> MatchesAsync(Conversation c, ConversationQuery q, string? tag, CancellationToken ct)
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

        if (q.TextContains is null)
        {
            return true;
        }

        foreach (var p in _messages)
        {
            if (p.Entity.ConversationId == c.Id && p.Entity.Text is not null && p.Entity.Text.Contains(q.TextContains, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return await LoadHasMessageTextAsync(c.Id, q.TextContains, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ messages
    public async ValueTask<bool> TryInsertMessageAsync(Message message, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(message);
        CheckScope(message.WorkspaceId, "message");
        CheckInsertVersion(message.Version, "message");
        if (message.Id.IsEmpty)
        {
            throw new CareValidationException("Message.Id", "must not be empty.");
        }

        if (!TryPending(_conversations, message.ConversationId, static c => c.Id, out _)
            && await LoadConversationCachedAsync(message.ConversationId, fresh: false, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ConversationNotFoundException(WorkspaceId, message.ConversationId);
        }

        if (message.PlatformMessageId is not null && await ReadMessageAsync(message.Channel, message.PlatformMessageId, fresh: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        if (TryPending(_messages, message.Id, static m => m.Id, out _) || (_seenMessagesMap?.TryGetValue(message.Id, out var seen) == true && seen is not null))
        {
            throw new ConcurrencyConflictException("message", message.Id.ToString(), null, null, "a message with this id already exists");
        }

        _messages.Add(new PendingWrite<Message>(message, inserted: true, baseVersion: 0));
        return true;
    }

    public async ValueTask<Message?> GetMessageAsync(MessageId id, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        return TryPending(_messages, id, static m => m.Id, out var mine) ? mine : await LoadMessageCachedAsync(id, fresh: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(platformMessageId);
        return await ReadMessageAsync(channel, platformMessageId, fresh: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask UpdateMessageAsync(Message message, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(message);
        CheckScope(message.WorkspaceId, "message");
        var pending = Find(_messages, message.Id, static m => m.Id);
        var current = pending is not null ? pending.Entity : await LoadMessageCachedAsync(message.Id, fresh: false, cancellationToken).ConfigureAwait(false);
        CheckUpdateVersion("message", message.Id.ToString(), current?.Version, message.Version);
        if (current!.ConversationId != message.ConversationId || current.Sequence != message.Sequence)
        {
            throw new CareValidationException("Message", "the conversation and sequence of a message cannot change.");
        }

        if (message.PlatformMessageId is not null
            && !string.Equals(message.PlatformMessageId, current.PlatformMessageId, StringComparison.Ordinal)
            && await ReadMessageAsync(message.Channel, message.PlatformMessageId, fresh: false, cancellationToken).ConfigureAwait(false) is { } other && other.Id != message.Id)
        {
            throw new ConcurrencyConflictException("message", $"{message.Channel}/{message.PlatformMessageId}", null, null, "another message has this platform message id");
        }

        if (pending is not null)
        {
            pending.Entity = message;
        }
        else
        {
            _messages.Add(new PendingWrite<Message>(message, inserted: false, baseVersion: current.Version, current));
        }
    }

    public async ValueTask<Page<Message>> QueryMessagesAsync(MessageQuery query, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        query.TryGetAfterSequence(out var afterSequence);
        var mine = _messages.Where(p => p.Entity.ConversationId == query.ConversationId).Select(p => p.Entity).ToList();
        var rows = await LoadMessagePageAsync(query, afterSequence, query.Limit + mine.Count + 1, cancellationToken).ConfigureAwait(false);
        if (mine.Count > 0)
        {
            rows.RemoveAll(m => mine.Any(x => x.Id == m.Id));
            rows.AddRange(mine.Where(m =>
                (query.Direction is not { } d || m.Direction == d)
                && (query.SentAtOrBefore is not { } before || m.SentAt <= before)
                && (query.After is null || (query.Descending ? m.Sequence < afterSequence : m.Sequence > afterSequence))));
            rows.Sort((x, y) => query.Descending ? y.Sequence.CompareTo(x.Sequence) : x.Sequence.CompareTo(y.Sequence));
        }

        if (rows.Count <= query.Limit)
        {
            return new Page<Message>(rows, null);
        }

        var items = rows.GetRange(0, query.Limit);
        return new Page<Message>(items, items[^1].Sequence.ToString(CultureInfo.InvariantCulture));
    }

    // ------------------------------------------------------------------ outbox
    public async ValueTask EnqueueOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        OutboxArguments.CheckEntry(entry, WorkspaceId);
        if (_outbox.Exists(e => e.MessageId == entry.MessageId) || await LoadOutboxEntryExistsAsync(entry.MessageId, cancellationToken).ConfigureAwait(false))
        {
            throw new ConcurrencyConflictException("outbox entry", entry.MessageId.ToString(), null, null, "the message is already queued for sending");
        }

        _outbox.Add(entry);
    }

    // ------------------------------------------------------------------ commit
    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        if (_contacts.Count + _conversations.Count + _messages.Count + _outbox.Count > 0)
        {
            await ApplyAsync(new ChangeSet(WorkspaceId, _contacts, _conversations, _messages, _outbox), cancellationToken).ConfigureAwait(false);
        }

        _finished = true;
        await ReleaseAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _finished = true;
        _contacts.Clear();
        _conversations.Clear();
        _messages.Clear();
        _outbox.Clear();
        await ReleaseAsync().ConfigureAwait(false);
    }

    private bool _released;

    private async ValueTask ReleaseAsync()
    {
        if (!_released)
        {
            _released = true;
            await ReleaseResourcesAsync().ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ helpers
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

    private static void CheckUpdateVersion(string entity, string id, long? stored, long incoming)
    {
        if (stored is null || incoming != stored + 1)
        {
            throw new ConcurrencyConflictException(entity, id, incoming - 1, stored);
        }
    }

    private async ValueTask CheckHandlesAsync(Contact contact, CancellationToken ct)
    {
        foreach (var handle in contact.Handles)
        {
            if (handle.IsEmpty)
            {
                throw new CareValidationException("Contact.Handles", "a handle needs both the channel kind and the external id.");
            }

            var owner = await OwnerOfAsync(handle, fresh: false, ct).ConfigureAwait(false);
            if (owner is not null && owner.Id != contact.Id)
            {
                throw new ConcurrencyConflictException("contact", handle.ToString(), null, null, $"handle {handle} belongs to contact {owner.Id}");
            }
        }
    }

    private async ValueTask CheckSingleActiveAsync(Conversation conversation, CancellationToken ct)
    {
        var key = ThreadKey.Of(conversation);
        foreach (var p in _conversations)
        {
            if (p.Entity.Id != conversation.Id && p.Entity.IsActive && ThreadKey.Of(p.Entity) == key)
            {
                throw new ConcurrencyConflictException("conversation", key.ToString(), null, null, $"conversation {p.Entity.Id} is already active for this customer handle, channel account and visibility");
            }
        }

        var active = await LoadActiveConversationAsync(key, ct).ConfigureAwait(false);
        if (active is null || active.Id == conversation.Id)
        {
            return;
        }

        (_seenConversationsMap ??= [])[active.Id] = active;
        var now = TryPending(_conversations, active.Id, static c => c.Id, out var mine) ? mine : active;
        if (now.IsActive)
        {
            throw new ConcurrencyConflictException("conversation", key.ToString(), null, null, $"conversation {active.Id} is already active for this customer handle, channel account and visibility");
        }
    }

    private async ValueTask<Contact?> OwnerOfAsync(ContactHandle handle, bool fresh, CancellationToken ct)
    {
        foreach (var p in _contacts)
        {
            if (p.Entity.Handles.Contains(handle))
            {
                return p.Entity;
            }
        }

        if (fresh || _seenHandlesMap?.TryGetValue(handle, out var committed) != true)
        {
            committed = TakePrefetchedContact(handle, out var prefetched) ? prefetched : await LoadContactByHandleAsync(handle, ct).ConfigureAwait(false);
            (_seenHandlesMap ??= [])[handle] = committed;
            if (committed is not null)
            {
                (_seenContactsMap ??= [])[committed.Id] = committed;
            }
        }

        // A buffered update of the committed owner may have given the handle away.
        return committed is not null && Find(_contacts, committed.Id, static c => c.Id) is not null ? null : committed;
    }

    private async ValueTask<Message?> ReadMessageAsync(ChannelAccount channel, string platformMessageId, bool fresh, CancellationToken ct)
    {
        foreach (var p in _messages)
        {
            if (p.Entity.Channel == channel && string.Equals(p.Entity.PlatformMessageId, platformMessageId, StringComparison.Ordinal))
            {
                return p.Entity;
            }
        }

        var key = (channel, platformMessageId);
        if (fresh || _seenPlatformIdsMap?.TryGetValue(key, out var committed) != true)
        {
            committed = TakePrefetchedMessage(channel, platformMessageId, out var prefetched) ? prefetched : await LoadMessageByPlatformIdAsync(channel, platformMessageId, ct).ConfigureAwait(false);
            (_seenPlatformIdsMap ??= [])[key] = committed;
            if (committed is not null)
            {
                (_seenMessagesMap ??= [])[committed.Id] = committed;
            }
        }

        return committed is not null && Find(_messages, committed.Id, static m => m.Id) is not null ? null : committed;
    }

    private async ValueTask<Contact?> LoadContactCachedAsync(ContactId id, bool fresh, CancellationToken ct)
    {
        if (fresh || _seenContactsMap?.TryGetValue(id, out var value) != true)
        {
            value = await LoadContactAsync(id, ct).ConfigureAwait(false);
            (_seenContactsMap ??= [])[id] = value;
        }

        return value;
    }

    private async ValueTask<Conversation?> LoadConversationCachedAsync(ConversationId id, bool fresh, CancellationToken ct)
    {
        if (fresh || _seenConversationsMap?.TryGetValue(id, out var value) != true)
        {
            value = await LoadConversationAsync(id, ct).ConfigureAwait(false);
            (_seenConversationsMap ??= [])[id] = value;
        }

        return value;
    }

    private async ValueTask<Message?> LoadMessageCachedAsync(MessageId id, bool fresh, CancellationToken ct)
    {
        if (fresh || _seenMessagesMap?.TryGetValue(id, out var value) != true)
        {
            value = await LoadMessageAsync(id, ct).ConfigureAwait(false);
            (_seenMessagesMap ??= [])[id] = value;
        }

        return value;
    }

    private static bool IsNewer(Conversation candidate, Conversation than) =>
        candidate.CreatedAt > than.CreatedAt || (candidate.CreatedAt == than.CreatedAt && candidate.Id > than.Id);

    private static PendingWrite<T>? Find<T, TId>(List<PendingWrite<T>> list, TId id, Func<T, TId> idOf)
        where TId : IEquatable<TId>
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (idOf(list[i].Entity).Equals(id))
            {
                return list[i];
            }
        }

        return null;
    }

    private static bool TryPending<T, TId>(List<PendingWrite<T>> list, TId id, Func<T, TId> idOf, out T entity)
        where TId : IEquatable<TId>
    {
        var p = Find(list, id, idOf);
        entity = p is null ? default! : p.Entity;
        return p is not null;
    }
}
