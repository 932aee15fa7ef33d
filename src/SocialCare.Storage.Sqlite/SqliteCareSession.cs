using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using SocialCare.Storage.Json;
using SocialCare.Storage.Relational;
using static SocialCare.Storage.Sqlite.SqliteParameters;

namespace SocialCare.Storage.Sqlite;

/// <summary>A unit of work on the SQLite store: reads on a pooled connection, writes applied by the group committer.</summary>
internal sealed class SqliteCareSession(SqliteCareStore store, WorkspaceId workspaceId) : BufferedCareSession(workspaceId)
{
    private const int SqliteConstraint = 19;
    private readonly string _ws = workspaceId.Value;
    private SqliteConnectionLease? _lease;

    private SqliteConnectionLease Lease => _lease ??= store.Rent();

    protected override ValueTask ReleaseResourcesAsync()
    {
        if (_lease is not null)
        {
            store.Return(_lease);
            _lease = null;
        }

        return ValueTask.CompletedTask;
    }

    // ------------------------------------------------------------------ reads
    protected override ValueTask<Contact?> LoadContactAsync(ContactId id, CancellationToken ct) =>
        ValueTask.FromResult(Contact(Lease.Command("SELECT doc FROM contacts WHERE workspace_id = $ws AND id = $id")
            .With("$ws", _ws).With("$id", Key(id.Value))));

    protected override ValueTask<Contact?> LoadContactByHandleAsync(ContactHandle handle, CancellationToken ct) =>
        ValueTask.FromResult(Contact(Lease.Command(
                "SELECT c.doc FROM contact_handles h JOIN contacts c ON c.workspace_id = h.workspace_id AND c.id = h.contact_id WHERE h.workspace_id = $ws AND h.kind = $k AND h.external_id = $e")
            .With("$ws", _ws).With("$k", handle.Kind.Name).With("$e", handle.ExternalId)));

    protected override ValueTask<Conversation?> LoadConversationAsync(ConversationId id, CancellationToken ct) =>
        ValueTask.FromResult(Conversation(Lease.Command("SELECT doc FROM conversations WHERE workspace_id = $ws AND id = $id")
            .With("$ws", _ws).With("$id", Key(id.Value))));

    protected override ValueTask<Conversation?> LoadLatestConversationAsync(ThreadKey key, CancellationToken ct) =>
        ValueTask.FromResult(Conversation(Thread(Lease.Command(
            "SELECT doc FROM conversations WHERE workspace_id = $ws AND channel_kind = $ck AND account_id = $acc AND handle_kind = $hk AND handle_id = $hid AND visibility = $vis ORDER BY created DESC, id DESC LIMIT 1"), key)));

    protected override ValueTask<Conversation?> LoadActiveConversationAsync(ThreadKey key, CancellationToken ct) =>
        ValueTask.FromResult(Conversation(Thread(Lease.Command(
            "SELECT doc FROM conversations WHERE workspace_id = $ws AND channel_kind = $ck AND account_id = $acc AND handle_kind = $hk AND handle_id = $hid AND visibility = $vis AND status <> 3 LIMIT 1"), key)));

    protected override ValueTask<Message?> LoadMessageAsync(MessageId id, CancellationToken ct) =>
        ValueTask.FromResult(Message(Lease.Command("SELECT doc FROM messages WHERE workspace_id = $ws AND id = $id")
            .With("$ws", _ws).With("$id", Key(id.Value))));

    protected override ValueTask<Message?> LoadMessageByPlatformIdAsync(ChannelAccount channel, string platformMessageId, CancellationToken ct) =>
        ValueTask.FromResult(Message(Lease.Command(
                "SELECT doc FROM messages WHERE workspace_id = $ws AND channel_kind = $ck AND account_id = $acc AND platform_id = $pid")
            .With("$ws", _ws).With("$ck", channel.Kind.Name).With("$acc", channel.AccountId).With("$pid", platformMessageId)));

    /// <summary>
    /// The message by platform id, the contact by handle and the latest conversation on the thread as ONE statement: one
    /// statement is one read transaction on the reader connection (a consistent snapshot, one WAL read lock, one
    /// prepared statement stepped once) instead of three. Each branch uses the same index as its single-row read;
    /// a key the lookup leaves out is bound to NULL, which matches nothing.
    /// </summary>
    private const string InboundSql =
        "SELECT 0, doc FROM messages WHERE workspace_id = $ws AND channel_kind = $ck AND account_id = $acc AND platform_id = $pid " +
        "UNION ALL SELECT 1, c.doc FROM contact_handles h JOIN contacts c ON c.workspace_id = h.workspace_id AND c.id = h.contact_id WHERE h.workspace_id = $ws AND h.kind = $hk AND h.external_id = $hid " +
        "UNION ALL SELECT 2, doc FROM (SELECT doc FROM conversations WHERE workspace_id = $ws AND channel_kind = $ck AND account_id = $acc AND handle_kind = $hk AND handle_id = $hid AND visibility = $vis ORDER BY created DESC, id DESC LIMIT 1)";

    protected override ValueTask<InboundRows?> LoadInboundAsync(InboundLookup lookup, CancellationToken ct)
    {
        var command = Lease.Command(InboundSql)
            .With("$ws", _ws).With("$ck", lookup.Channel.Kind.Name).With("$acc", lookup.Channel.AccountId).With("$pid", lookup.PlatformMessageId)
            .With("$hk", lookup.Customer.Kind.Name).With("$hid", lookup.Customer.ExternalId).With("$vis", lookup.Visibility is { } v ? (int)v : null);
        Message? message = null;
        Contact? contact = null;
        Conversation? latest = null;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        message = reader.ReadDoc(1, CareJsonContext.Default.Message, Lease.Utf8);
                        break;
                    case 1:
                        contact = reader.ReadDoc(1, CareJsonContext.Default.Contact, Lease.Utf8);
                        break;
                    default:
                        latest = reader.ReadDoc(1, CareJsonContext.Default.Conversation, Lease.Utf8);
                        break;
                }
            }
        }

        return ValueTask.FromResult<InboundRows?>(new InboundRows(message, contact, latest));
    }

    protected override ValueTask<bool> LoadOutboxEntryExistsAsync(MessageId messageId, CancellationToken ct)
    {
        var command = Lease.Command("SELECT EXISTS (SELECT 1 FROM outbox WHERE workspace_id = $ws AND message_id = $id)")
            .With("$ws", _ws).With("$id", Key(messageId.Value));
        return ValueTask.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1);
    }

    protected override ValueTask<bool> LoadHasMessageTextAsync(ConversationId id, string text, CancellationToken ct)
    {
        var command = Lease.Command("SELECT EXISTS (SELECT 1 FROM messages WHERE workspace_id = $ws AND conversation_id = $id AND socialcare_icontains(text, $t))")
            .With("$ws", _ws).With("$id", Key(id.Value)).With("$t", text);
        return ValueTask.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1);
    }

    protected override ValueTask<List<Conversation>> LoadConversationPageAsync(ConversationQuery query, ConversationCursor? after, int limit, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT c.doc FROM conversations c WHERE c.workspace_id = $ws");
        var parameters = new List<(string, object?)> { ("$ws", _ws) };
        if (query.Statuses is { Count: > 0 } statuses)
        {
            sql.Append(" AND c.status IN (");
            var distinct = statuses.Distinct().ToList();
            for (var i = 0; i < distinct.Count; i++)
            {
                sql.Append(i == 0 ? "$s" : ", $s").Append(i);
                parameters.Add(($"$s{i}", (int)distinct[i]));
            }

            sql.Append(')');
        }

        if (query.Assignee is { } assignee)
        {
            sql.Append(" AND c.assignee = $assignee");
            parameters.Add(("$assignee", assignee.Value));
        }

        if (query.Assigned is { } assigned)
        {
            sql.Append(assigned ? " AND c.assignee IS NOT NULL" : " AND c.assignee IS NULL");
        }

        if (query.Queue is not null)
        {
            sql.Append(" AND c.queue = $queue");
            parameters.Add(("$queue", query.Queue));
        }

        if (query.Tag is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value = $tag)");
            parameters.Add(("$tag", query.Tag.Trim().ToLowerInvariant()));
        }

        if (query.ChannelKind is { } kind)
        {
            sql.Append(" AND c.channel_kind = $kind");
            parameters.Add(("$kind", kind.Name));
        }

        if (query.Channel is { } channel)
        {
            sql.Append(" AND c.channel_kind = $chk AND c.account_id = $acc");
            parameters.Add(("$chk", channel.Kind.Name));
            parameters.Add(("$acc", channel.AccountId));
        }

        if (query.Priority is { } priority)
        {
            sql.Append(" AND c.priority = $priority");
            parameters.Add(("$priority", (int)priority));
        }

        if (query.ContactId is { } contact)
        {
            sql.Append(" AND c.contact_id = $contact");
            parameters.Add(("$contact", Key(contact.Value)));
        }

        if (query.Visibility is { } visibility)
        {
            sql.Append(" AND c.visibility = $visibility");
            parameters.Add(("$visibility", (int)visibility));
        }

        if (query.TextContains is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND socialcare_icontains(m.text, $text))");
            parameters.Add(("$text", query.TextContains));
        }

        var (column, descending) = query.Sort switch
        {
            ConversationSort.LastActivityNewest => ("c.last_activity", true),
            ConversationSort.CreatedNewest => ("c.created", true),
            _ => ("c.waiting", false),
        };
        if (after is { } cursor)
        {
            var op = descending ? "<" : ">";
            sql.Append(query.Sort == ConversationSort.PriorityThenWaiting
                ? $" AND (c.priority, {column}, c.id) {op} ($ap, $at, $aid)"
                : $" AND ({column}, c.id) {op} ($at, $aid)");
            parameters.Add(("$ap", (int)cursor.Priority));
            parameters.Add(("$at", cursor.Ticks));
            parameters.Add(("$aid", Key(cursor.Id.Value)));
        }

        var direction = descending ? " DESC" : string.Empty;
        sql.Append(" ORDER BY ");
        if (query.Sort == ConversationSort.PriorityThenWaiting)
        {
            sql.Append("c.priority, ");
        }

        sql.Append(column).Append(direction).Append(", c.id").Append(direction).Append(" LIMIT $limit");
        parameters.Add(("$limit", limit));

        var command = Lease.Command(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        return ValueTask.FromResult(command.ReadDocs(CareJsonContext.Default.Conversation, Lease.Utf8));
    }

    protected override ValueTask<List<Message>> LoadMessagePageAsync(MessageQuery query, long afterSequence, int limit, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT doc FROM messages WHERE workspace_id = $ws AND conversation_id = $cid");
        if (query.Direction is not null)
        {
            sql.Append(" AND direction = $dir");
        }

        if (query.SentAtOrBefore is not null)
        {
            sql.Append(" AND sent_at <= $before");
        }

        if (afterSequence > 0)
        {
            sql.Append(query.Descending ? " AND sequence < $after" : " AND sequence > $after");
        }

        sql.Append(query.Descending ? " ORDER BY sequence DESC" : " ORDER BY sequence").Append(" LIMIT $limit");
        var command = Lease.Command(sql.ToString()).With("$ws", _ws).With("$cid", Key(query.ConversationId.Value)).With("$limit", limit);
        if (query.Direction is { } d)
        {
            command.With("$dir", (int)d);
        }

        if (query.SentAtOrBefore is { } before)
        {
            command.With("$before", before.UtcTicks);
        }

        if (afterSequence > 0)
        {
            command.With("$after", afterSequence);
        }

        return ValueTask.FromResult(command.ReadDocs(CareJsonContext.Default.Message, Lease.Utf8));
    }

    // ------------------------------------------------------------------ commit
    protected override async ValueTask ApplyAsync(ChangeSet changes, CancellationToken ct)
    {
        // JSON and SQL text are produced here, on the producer's thread: the single writer thread is the store's serial
        // bottleneck (it executes every unit of work of every producer), so it should only bind and execute.
        var prepared = new PreparedChanges(changes, store.Utf8Documents);
        await store.WriteAsync(lease => Apply(lease, prepared), ct).ConfigureAwait(false);
    }

    private static bool Apply(SqliteConnectionLease lease, PreparedChanges changes)
    {
        var ws = changes.WorkspaceId;

        // contacts: updates (and their old handles) first, so a handle can move between contacts in one unit of work
        foreach (var (p, doc) in changes.Contacts)
        {
            if (p.Inserted)
            {
                continue;
            }

            var c = p.Entity;
            var rows = lease.Command("UPDATE contacts SET version = $v, doc = CAST($doc AS TEXT) WHERE workspace_id = $ws AND id = $id AND version = $base")
                .With("$v", c.Version).With("$doc", doc).With("$ws", ws).With("$id", Key(c.Id.Value)).With("$base", p.BaseVersion)
                .ExecuteNonQuery();
            if (rows != 1)
            {
                throw new ConcurrencyConflictException("contact", c.Id.ToString(), p.BaseVersion, StoredVersion(lease, "contacts", ws, c.Id.Value));
            }

            lease.Command("DELETE FROM contact_handles WHERE workspace_id = $ws AND contact_id = $id").With("$ws", ws).With("$id", Key(c.Id.Value)).ExecuteNonQuery();
        }

        foreach (var (p, doc) in changes.Contacts)
        {
            if (!p.Inserted)
            {
                continue;
            }

            var c = p.Entity;
            Guard(
                () => lease.Command("INSERT INTO contacts (workspace_id, id, version, doc) VALUES ($ws, $id, $v, CAST($doc AS TEXT))")
                    .With("$ws", ws).With("$id", Key(c.Id.Value)).With("$v", c.Version).With("$doc", doc).ExecuteNonQuery(),
                () => new ConcurrencyConflictException("contact", c.Id.ToString(), null, null, "another writer inserted this contact first"));
        }

        foreach (var (p, _) in changes.Contacts)
        {
            foreach (var h in p.Entity.Handles)
            {
                Guard(
                    () => lease.Command("INSERT INTO contact_handles (workspace_id, kind, external_id, contact_id) VALUES ($ws, $k, $e, $id)")
                        .With("$ws", ws).With("$k", h.Kind.Name).With("$e", h.ExternalId).With("$id", Key(p.Entity.Id.Value)).ExecuteNonQuery(),
                    () => new ConcurrencyConflictException("contact", h.ToString(), null, null, $"handle {h} was taken by another contact"));
            }
        }

        foreach (var w in changes.Conversations)
        {
            var (p, c) = (w.Write, w.Write.Entity);
            if (p.Inserted)
            {
                Guard(
                    () => Bind(lease.Command(
                        "INSERT INTO conversations (workspace_id, id, version, contact_id, channel_kind, account_id, handle_kind, handle_id, visibility, status, priority, queue, assignee, tags, created, last_activity, waiting, doc) " +
                        "VALUES ($ws, $id, $v, $contact, $ck, $acc, $hk, $hid, $vis, $status, $priority, $queue, $assignee, $tags, $created, $la, $w, CAST($doc AS TEXT))"), ws, w).ExecuteNonQuery(),
                    () => new ConcurrencyConflictException("conversation", ThreadKey.Of(c).ToString(), null, null, "another writer started a conversation on this thread (or used this id) first"));
            }
            else
            {
                var rows = Guard(
                    () => Bind(lease.Command(w.UpdateSql!), ws, w).With("$base", p.BaseVersion).ExecuteNonQuery(),
                    () => new ConcurrencyConflictException("conversation", ThreadKey.Of(c).ToString(), null, null, "another conversation became active on this thread first"));
                if (rows != 1)
                {
                    throw new ConcurrencyConflictException("conversation", c.Id.ToString(), p.BaseVersion, StoredVersion(lease, "conversations", ws, c.Id.Value));
                }
            }
        }

        foreach (var (p, doc) in changes.Messages)
        {
            var m = p.Entity;
            if (p.Inserted)
            {
                Guard(
                    () => Bind(lease.Command(
                        "INSERT INTO messages (workspace_id, id, version, conversation_id, sequence, channel_kind, account_id, platform_id, direction, sent_at, text, doc) " +
                        "VALUES ($ws, $id, $v, $cid, $seq, $ck, $acc, $pid, $dir, $sent, $text, CAST($doc AS TEXT))"), ws, m, doc).ExecuteNonQuery(),
                    () => new ConcurrencyConflictException("message", $"{m.Channel}/{m.PlatformMessageId ?? m.Id.ToString()}", null, null, "another writer stored this platform message id (or message id) first"));
            }
            else
            {
                var rows = Guard(
                    () => Bind(lease.Command(
                        "UPDATE messages SET version = $v, sequence = $seq, channel_kind = $ck, account_id = $acc, platform_id = $pid, direction = $dir, sent_at = $sent, text = $text, doc = CAST($doc AS TEXT) " +
                        "WHERE workspace_id = $ws AND id = $id AND conversation_id = $cid AND version = $base"), ws, m, doc).With("$base", p.BaseVersion).ExecuteNonQuery(),
                    () => new ConcurrencyConflictException("message", $"{m.Channel}/{m.PlatformMessageId}", null, null, "another message has this platform message id"));
                if (rows != 1)
                {
                    throw new ConcurrencyConflictException("message", m.Id.ToString(), p.BaseVersion, StoredVersion(lease, "messages", ws, m.Id.Value));
                }
            }
        }

        foreach (var e in changes.Outbox)
        {
            Guard(
                () => lease.Command("INSERT INTO outbox (workspace_id, message_id, due) VALUES ($ws, $id, $due)")
                    .With("$ws", ws).With("$id", Key(e.MessageId.Value)).With("$due", e.DueAt.UtcTicks).ExecuteNonQuery(),
                () => new ConcurrencyConflictException("outbox entry", e.MessageId.ToString(), null, null, "another writer queued this message for sending first"));
        }

        return true;
    }

    /// <summary>
    /// SQLite rewrites every index whose column is named in SET, changed or not; naming only the changed indexed
    /// columns keeps an append (last activity moves) to two index updates instead of nine.
    /// </summary>
    private static string UpdateConversationSql(Conversation? original, Conversation c)
    {
        var set = new StringBuilder("UPDATE conversations SET version = $v, doc = CAST($doc AS TEXT)");
        var all = original is null;
        if (all || original!.ContactId != c.ContactId)
        {
            set.Append(", contact_id = $contact");
        }

        if (all || original!.Status != c.Status)
        {
            set.Append(", status = $status");
        }

        if (all || original!.Priority != c.Priority)
        {
            set.Append(", priority = $priority");
        }

        if (all || !string.Equals(original!.Queue, c.Queue, StringComparison.Ordinal))
        {
            set.Append(", queue = $queue");
        }

        if (all || original!.Assignee != c.Assignee)
        {
            set.Append(", assignee = $assignee");
        }

        if (all || !original!.Tags.SequenceEqual(c.Tags, StringComparer.Ordinal))
        {
            set.Append(", tags = $tags");
        }

        if (all || original!.CreatedAt.UtcTicks != c.CreatedAt.UtcTicks)
        {
            set.Append(", created = $created");
        }

        if (all || original!.LastActivityAt.UtcTicks != c.LastActivityAt.UtcTicks)
        {
            set.Append(", last_activity = $la");
        }

        if (all || ConversationCursor.SortTicks(original!, ConversationSort.WaitingLongest) != ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest))
        {
            set.Append(", waiting = $w");
        }

        return set.Append(" WHERE workspace_id = $ws AND id = $id AND version = $base AND channel_kind = $ck AND account_id = $acc AND handle_kind = $hk AND handle_id = $hid AND visibility = $vis").ToString();
    }

    private static SqliteCommand Bind(SqliteCommand command, string ws, PreparedConversation w)
    {
        var c = w.Write.Entity;
        return command
            .With("$ws", ws).With("$id", Key(c.Id.Value)).With("$v", c.Version).With("$contact", Key(c.ContactId.Value))
            .With("$ck", c.Channel.Kind.Name).With("$acc", c.Channel.AccountId).With("$hk", c.Handle.Kind.Name).With("$hid", c.Handle.ExternalId)
            .With("$vis", (int)c.Visibility).With("$status", (int)c.Status).With("$priority", (int)c.Priority).With("$queue", c.Queue)
            .With("$assignee", c.Assignee?.Value).With("$tags", w.Tags)
            .With("$created", c.CreatedAt.UtcTicks).With("$la", c.LastActivityAt.UtcTicks)
            .With("$w", ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest)).With("$doc", w.Doc);
    }

    private static SqliteCommand Bind(SqliteCommand command, string ws, Message m, object doc) => command
        .With("$ws", ws).With("$id", Key(m.Id.Value)).With("$v", m.Version).With("$cid", Key(m.ConversationId.Value)).With("$seq", m.Sequence)
        .With("$ck", m.Channel.Kind.Name).With("$acc", m.Channel.AccountId).With("$pid", m.PlatformMessageId).With("$dir", (int)m.Direction)
        .With("$sent", m.SentAt.UtcTicks).With("$text", m.Text).With("$doc", doc);

    private static int Guard(Func<int> write, Func<ConcurrencyConflictException> conflict)
    {
        try
        {
            return write();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw conflict();
        }
    }

    private static long? StoredVersion(SqliteConnectionLease lease, string table, string ws, Guid id)
    {
        var value = lease.Command($"SELECT version FROM {table} WHERE workspace_id = $ws AND id = $id").With("$ws", ws).With("$id", Key(id)).ExecuteScalar();
        return value is long v ? v : null;
    }

    private SqliteCommand Thread(SqliteCommand command, ThreadKey key) => command
        .With("$ws", _ws).With("$ck", key.Channel.Kind.Name).With("$acc", key.Channel.AccountId)
        .With("$hk", key.Handle.Kind.Name).With("$hid", key.Handle.ExternalId).With("$vis", (int)key.Visibility);

    private Contact? Contact(SqliteCommand command) => command.ReadDoc(CareJsonContext.Default.Contact, Lease.Utf8);

    private Conversation? Conversation(SqliteCommand command) => command.ReadDoc(CareJsonContext.Default.Conversation, Lease.Utf8);

    private Message? Message(SqliteCommand command) => command.ReadDoc(CareJsonContext.Default.Message, Lease.Utf8);

    /// <summary>A change set with every document serialized and every SQL text built, ready for the writer thread.</summary>
    /// <remarks>
    /// Documents are UTF-8 bytes (bound as a blob and stored by <c>CAST($doc AS TEXT)</c> as the same TEXT, byte for byte,
    /// as a bound string would be) in a UTF-8 database; strings otherwise.
    /// </remarks>
    private sealed class PreparedChanges(ChangeSet changes, bool utf8)
    {
        public string WorkspaceId { get; } = changes.WorkspaceId.Value;

        public List<(PendingWrite<Contact> Write, object Doc)> Contacts { get; } = changes.Contacts.ConvertAll(p => (p, SerializeDoc(p.Entity, CareJsonContext.Default.Contact, utf8)));

        public List<PreparedConversation> Conversations { get; } = changes.Conversations.ConvertAll(p => new PreparedConversation(p, utf8));

        public List<(PendingWrite<Message> Write, object Doc)> Messages { get; } = changes.Messages.ConvertAll(p => (p, SerializeDoc(p.Entity, CareJsonContext.Default.Message, utf8)));

        public List<OutboxEntry> Outbox { get; } = [.. changes.Outbox];
    }

    private static object SerializeDoc<T>(T entity, JsonTypeInfo<T> type, bool utf8) =>
        utf8 ? JsonSerializer.SerializeToUtf8Bytes(entity, type) : JsonSerializer.Serialize(entity, type);

    private sealed class PreparedConversation(PendingWrite<Conversation> write, bool utf8)
    {
        public PendingWrite<Conversation> Write { get; } = write;

        public object Doc { get; } = SerializeDoc(write.Entity, CareJsonContext.Default.Conversation, utf8);

        public string Tags { get; } = JsonSerializer.Serialize(write.Entity.Tags.ToList(), CareJsonContext.Default.ListString);

        /// <summary>For an update: the statement naming only the indexed columns that changed.</summary>
        public string? UpdateSql { get; } = write.Inserted ? null : UpdateConversationSql(write.Original, write.Entity);
    }
}
