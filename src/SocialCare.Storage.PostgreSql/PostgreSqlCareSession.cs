using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;
using SocialCare.Storage.Json;
using SocialCare.Storage.Relational;

namespace SocialCare.Storage.PostgreSql;

/// <summary>A unit of work on PostgreSQL: reads on one pooled connection; writes sent as one batch in one transaction at commit.</summary>
internal sealed class PostgreSqlCareSession(PostgreSqlCareStore store, WorkspaceId workspaceId) : BufferedCareSession(workspaceId)
{
    private readonly PostgreSqlStatements _sql = store.Sql;
    private readonly string _ws = workspaceId.Value;
    private NpgsqlConnection? _connection;

    protected override async ValueTask ReleaseResourcesAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    private async ValueTask<NpgsqlCommand> CommandAsync(string sql, CancellationToken ct)
    {
        _connection ??= await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var command = new NpgsqlCommand(sql, _connection);
        command.Parameters.AddWithValue("ws", _ws);
        return command;
    }

    private async ValueTask<string?> DocAsync(PositionalSql sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        _connection ??= await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var command = new NpgsqlCommand(sql.Text, _connection);
        await using var commandScope = command.ConfigureAwait(false);
        sql.Bind(command.Parameters, _ws, parameters);

        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    // ------------------------------------------------------------------ reads
    protected override async ValueTask<bool> LoadOutboxEntryExistsAsync(MessageId messageId, CancellationToken ct)
    {
        var command = await CommandAsync(_sql.OutboxEntryExists, ct).ConfigureAwait(false);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", messageId.Value);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
    }

    protected override async ValueTask<Contact?> LoadContactAsync(ContactId id, CancellationToken ct) =>
        await DocAsync(_sql.ContactById, ct, ("id", id.Value)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadContact(doc) : null;

    protected override async ValueTask<Contact?> LoadContactByHandleAsync(ContactHandle handle, CancellationToken ct) =>
        await DocAsync(_sql.ContactByHandle, ct, ("k", handle.Kind.Name), ("e", handle.ExternalId)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadContact(doc) : null;

    protected override async ValueTask<Conversation?> LoadConversationAsync(ConversationId id, CancellationToken ct) =>
        await DocAsync(_sql.ConversationById, ct, ("id", id.Value)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadConversation(doc) : null;

    protected override async ValueTask<Conversation?> LoadLatestConversationAsync(ThreadKey key, CancellationToken ct) =>
        await DocAsync(_sql.LatestConversation, ct, Thread(key)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadConversation(doc) : null;

    protected override async ValueTask<Conversation?> LoadActiveConversationAsync(ThreadKey key, CancellationToken ct) =>
        await DocAsync(_sql.ActiveConversation, ct, Thread(key)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadConversation(doc) : null;

    protected override async ValueTask<Message?> LoadMessageAsync(MessageId id, CancellationToken ct) =>
        await DocAsync(_sql.MessageById, ct, ("id", id.Value)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadMessage(doc) : null;

    protected override async ValueTask<Message?> LoadMessageByPlatformIdAsync(ChannelAccount channel, string platformMessageId, CancellationToken ct) =>
        await DocAsync(_sql.MessageByPlatformId, ct, ("ck", channel.Kind.Name), ("acc", channel.AccountId), ("pid", platformMessageId)).ConfigureAwait(false) is { } doc ? CareJsonContext.ReadMessage(doc) : null;

    protected override async ValueTask<bool> LoadHasMessageTextAsync(ConversationId id, string text, CancellationToken ct)
    {
        var command = await CommandAsync(_sql.HasMessageText, ct).ConfigureAwait(false);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", id.Value);
        command.Parameters.AddWithValue("t", SearchText(text)!);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
    }

    protected override async ValueTask<List<Conversation>> LoadConversationPageAsync(ConversationQuery query, ConversationCursor? after, int limit, CancellationToken ct)
    {
        var s = _sql.S;
        var sql = new StringBuilder($"SELECT c.doc FROM {s}.conversations c WHERE c.workspace_id = @ws");
        var parameters = new List<(string, object)>();
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var distinct = statuses.Distinct().Select(x => (int)x).ToArray();
            if (distinct.Length == 1)
            {
                // equality lets the planner read the inbox indexes in sort order (= ANY would sort every match)
                sql.Append(" AND c.status = @status");
                parameters.Add(("status", distinct[0]));
            }
            else
            {
                sql.Append(" AND c.status = ANY(@statuses)");
                parameters.Add(("statuses", distinct));
            }
        }

        if (query.Assignee is { } assignee)
        {
            sql.Append(" AND c.assignee = @assignee");
            parameters.Add(("assignee", assignee.Value));
        }

        if (query.Assigned is { } assigned)
        {
            sql.Append(assigned ? " AND c.assignee IS NOT NULL" : " AND c.assignee IS NULL");
        }

        if (query.Queue is not null)
        {
            sql.Append(" AND c.queue = @queue");
            parameters.Add(("queue", query.Queue));
        }

        if (query.Tag is not null)
        {
            sql.Append(" AND @tag = ANY(c.tags)");
            parameters.Add(("tag", query.Tag.Trim().ToLowerInvariant()));
        }

        if (query.ChannelKind is { } kind)
        {
            sql.Append(" AND c.channel_kind = @kind");
            parameters.Add(("kind", kind.Name));
        }

        if (query.Channel is { } channel)
        {
            sql.Append(" AND c.channel_kind = @chk AND c.account_id = @acc");
            parameters.Add(("chk", channel.Kind.Name));
            parameters.Add(("acc", channel.AccountId));
        }

        if (query.Priority is { } priority)
        {
            sql.Append(" AND c.priority = @priority");
            parameters.Add(("priority", (int)priority));
        }

        if (query.ContactId is { } contact)
        {
            sql.Append(" AND c.contact_id = @contact");
            parameters.Add(("contact", contact.Value));
        }

        if (query.Visibility is { } visibility)
        {
            sql.Append(" AND c.visibility = @visibility");
            parameters.Add(("visibility", (int)visibility));
        }

        if (query.TextContains is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(s).Append(".messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND strpos(lower(m.text), lower(@text)) > 0)");// (SELECT 1 FROM {s}.messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND strpos(lower(m.text), lower(@text)) > 0)");
            parameters.Add(("text", SearchText(query.TextContains)!));
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
                ? $" AND (c.priority, {column}, c.id) {op} (@ap, @at, @aid)"
                : $" AND ({column}, c.id) {op} (@at, @aid)");
            if (query.Sort == ConversationSort.PriorityThenWaiting)
            {
                parameters.Add(("ap", (int)cursor.Priority));
            }

            parameters.Add(("at", cursor.Ticks));
            parameters.Add(("aid", cursor.Id.Value));
        }

        var direction = descending ? " DESC" : string.Empty;
        sql.Append(" ORDER BY ");
        if (query.Sort == ConversationSort.PriorityThenWaiting)
        {
            sql.Append("c.priority, ");
        }

        sql.Append(column).Append(direction).Append(", c.id").Append(direction).Append(" LIMIT @limit");
        parameters.Add(("limit", limit));

        var command = await CommandAsync(sql.ToString(), ct).ConfigureAwait(false);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = new List<Conversation>();
        var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(CareJsonContext.ReadConversation(reader.GetString(0)));
        }

        return result;
    }

    protected override async ValueTask<List<Message>> LoadMessagePageAsync(MessageQuery query, long afterSequence, int limit, CancellationToken ct)
    {
        var sql = new StringBuilder($"SELECT doc FROM {_sql.S}.messages WHERE workspace_id = @ws AND conversation_id = @cid");
        if (query.Direction is not null)
        {
            sql.Append(" AND direction = @dir");
        }

        if (query.SentAtOrBefore is not null)
        {
            sql.Append(" AND sent_at <= @before");
        }

        if (afterSequence > 0)
        {
            sql.Append(query.Descending ? " AND sequence < @after" : " AND sequence > @after");
        }

        sql.Append(query.Descending ? " ORDER BY sequence DESC" : " ORDER BY sequence").Append(" LIMIT @limit");
        var command = await CommandAsync(sql.ToString(), ct).ConfigureAwait(false);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("cid", query.ConversationId.Value);
        command.Parameters.AddWithValue("limit", limit);
        if (query.Direction is { } d)
        {
            command.Parameters.AddWithValue("dir", (int)d);
        }

        if (query.SentAtOrBefore is { } before)
        {
            command.Parameters.AddWithValue("before", before.UtcTicks);
        }

        if (afterSequence > 0)
        {
            command.Parameters.AddWithValue("after", afterSequence);
        }

        var result = new List<Message>();
        var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(CareJsonContext.ReadMessage(reader.GetString(0)));
        }

        return result;
    }

    /// <summary>The contact, the platform message and the latest conversation an inbound event reads: one batch, one round trip.</summary>
    protected override async ValueTask<InboundRows?> LoadInboundAsync(InboundLookup lookup, CancellationToken ct)
    {
        _connection ??= await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var batch = new NpgsqlBatch(_connection);
        await using var batchScope = batch.ConfigureAwait(false);
        void Add(PositionalSql sql, params (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql.Text);
            sql.Bind(command.Parameters, _ws, parameters);
            batch.BatchCommands.Add(command);
        }

        Add(_sql.ContactByHandle, ("k", lookup.Customer.Kind.Name), ("e", lookup.Customer.ExternalId));
        if (lookup.PlatformMessageId is { } platformId)
        {
            Add(_sql.MessageByPlatformId, ("ck", lookup.Channel.Kind.Name), ("acc", lookup.Channel.AccountId), ("pid", platformId));
        }

        if (lookup.Visibility is { } visibility)
        {
            Add(_sql.LatestConversation, Thread(new ThreadKey(lookup.Channel, lookup.Customer, visibility)));
        }

        var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var contact = await ReadDocAsync(reader, CareJsonContext.Default.Contact, ct).ConfigureAwait(false);
        Message? message = null;
        if (lookup.PlatformMessageId is not null)
        {
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            message = await ReadDocAsync(reader, CareJsonContext.Default.Message, ct).ConfigureAwait(false);
        }

        Conversation? latest = null;
        if (lookup.Visibility is not null)
        {
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            latest = await ReadDocAsync(reader, CareJsonContext.Default.Conversation, ct).ConfigureAwait(false);
        }

        return new InboundRows(message, contact, latest);
    }

    /// <summary>
    /// The document of the next row, if any. With the (default) UTF-8 text encoding it is parsed from the bytes the
    /// server sent, as they are: no UTF-16 string of twice the size, transcoded back to UTF-8 by the parser.
    /// </summary>
    private async ValueTask<T?> ReadDocAsync<T>(NpgsqlDataReader reader, JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var doc = store.Utf8Text ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(0), type) : JsonSerializer.Deserialize(reader.GetString(0), type);
        return doc ?? throw new JsonException($"null {typeof(T).Name}");
    }

    // ------------------------------------------------------------------ commit
    protected override async ValueTask ApplyAsync(ChangeSet changes, CancellationToken ct)
    {
        var writes = new List<PostgreSqlWrite>();
        void Add(PositionalSql sql, Func<ConcurrencyConflictException> conflict, (string Name, object? Value)[] values, VersionedRow? versioned = null) =>
            writes.Add(new PostgreSqlWrite(sql, values, conflict, versioned));

        foreach (var p in changes.Contacts.Where(p => !p.Inserted))
        {
            var c = p.Entity;
            Add(_sql.UpdateContactExpectOne, () => new ConcurrencyConflictException("contact", c.Id.ToString(), p.BaseVersion, null), [("v", c.Version), ("doc", CareJsonContext.Serialize(c)), ("id", c.Id.Value), ("base", p.BaseVersion)], new VersionedRow("contact", "contacts", c.Id.Value, p.BaseVersion));
            Add(_sql.DeleteHandles, () => new ConcurrencyConflictException("contact", c.Id.ToString(), p.BaseVersion, null), [("id", c.Id.Value)]);
        }

        foreach (var p in changes.Contacts.Where(p => p.Inserted))
        {
            var c = p.Entity;
            Add(_sql.InsertContact, () => new ConcurrencyConflictException("contact", c.Id.ToString(), null, null, "another writer inserted this contact first"), [("id", c.Id.Value), ("v", c.Version), ("doc", CareJsonContext.Serialize(c))]);
        }

        foreach (var p in changes.Contacts)
        {
            foreach (var h in p.Entity.Handles)
            {
                Add(_sql.InsertHandle, () => new ConcurrencyConflictException("contact", h.ToString(), null, null, $"handle {h} was taken by another contact"), [("k", h.Kind.Name), ("e", h.ExternalId), ("id", p.Entity.Id.Value)]);
            }
        }

        foreach (var p in changes.Conversations)
        {
            var c = p.Entity;
            var values = Values(c);
            if (p.Inserted)
            {
                Add(_sql.InsertConversation, () => new ConcurrencyConflictException("conversation", ThreadKey.Of(c).ToString(), null, null, "another writer started a conversation on this thread (or used this id) first"), values);
            }
            else
            {
                Add(_sql.UpdateConversationExpectOne, () => new ConcurrencyConflictException("conversation", ThreadKey.Of(c).ToString(), null, null, "another conversation became active on this thread first"), [.. values, ("base", p.BaseVersion)], new VersionedRow("conversation", "conversations", c.Id.Value, p.BaseVersion));
            }
        }

        foreach (var p in changes.Messages)
        {
            var m = p.Entity;
            var values = Values(m);
            if (p.Inserted)
            {
                Add(_sql.InsertMessage, () => new ConcurrencyConflictException("message", $"{m.Channel}/{m.PlatformMessageId ?? m.Id.ToString()}", null, null, "another writer stored this platform message id (or message id) first"), values);
            }
            else
            {
                Add(_sql.UpdateMessageExpectOne, () => new ConcurrencyConflictException("message", $"{m.Channel}/{m.PlatformMessageId}", null, null, "another message has this platform message id"), [.. values, ("base", p.BaseVersion)], new VersionedRow("message", "messages", m.Id.Value, p.BaseVersion));
            }
        }

        foreach (var e in changes.Outbox)
        {
            Add(_sql.InsertOutbox, () => new ConcurrencyConflictException("outbox entry", e.MessageId.ToString(), null, null, "another writer queued this message for sending first"), [("mid", e.MessageId.Value), ("due", e.DueAt.UtcTicks)]);
        }

        _connection ??= await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await PostgreSqlCommitter.ApplyAsync(_connection, _sql, _ws, writes, ct).ConfigureAwait(false);
    }

    private static (string, object?)[] Values(Conversation c) =>
    [
        ("id", c.Id.Value), ("v", c.Version), ("contact", c.ContactId.Value), ("ck", c.Channel.Kind.Name), ("acc", c.Channel.AccountId),
        ("hk", c.Handle.Kind.Name), ("hid", c.Handle.ExternalId), ("vis", (int)c.Visibility), ("status", (int)c.Status),
        ("priority", (int)c.Priority), ("queue", c.Queue), ("assignee", c.Assignee?.Value), ("tags", c.Tags.ToArray()),
        ("created", c.CreatedAt.UtcTicks), ("la", c.LastActivityAt.UtcTicks), ("w", ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest)),
        ("doc", CareJsonContext.Serialize(c)),
    ];

    private static (string, object?)[] Values(Message m) =>
    [
        ("id", m.Id.Value), ("v", m.Version), ("cid", m.ConversationId.Value), ("seq", m.Sequence), ("ck", m.Channel.Kind.Name),
        ("acc", m.Channel.AccountId), ("pid", m.PlatformMessageId), ("dir", (int)m.Direction), ("sent", m.SentAt.UtcTicks),
        ("text", SearchText(m.Text)), ("doc", CareJsonContext.Serialize(m)),
    ];

    /// <summary>PostgreSQL text cannot hold U+0000; the searchable copy drops it (the document keeps the exact text).</summary>
    private static string? SearchText(string? text) => text?.Replace("\0", string.Empty, StringComparison.Ordinal);

    private static (string, object?)[] Thread(ThreadKey key) =>
        [("ck", key.Channel.Kind.Name), ("acc", key.Channel.AccountId), ("hk", key.Handle.Kind.Name), ("hid", key.Handle.ExternalId), ("vis", (int)key.Visibility)];
}
