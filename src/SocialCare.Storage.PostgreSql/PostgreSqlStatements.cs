namespace SocialCare.Storage.PostgreSql;

/// <summary>The store's SQL, qualified with its schema once.</summary>
internal sealed class PostgreSqlStatements(string s)
{
    public string S { get; } = s;

    public string InsertWorkspace { get; } = $"INSERT INTO {s}.workspaces (id, doc) VALUES (@id, @doc) ON CONFLICT (id) DO NOTHING";

    public string SelectWorkspace { get; } = $"SELECT doc FROM {s}.workspaces WHERE id = @id";

    public string ContactById { get; } = $"SELECT doc FROM {s}.contacts WHERE workspace_id = @ws AND id = @id";

    public string ContactByHandle { get; } = $"SELECT c.doc FROM {s}.contact_handles h JOIN {s}.contacts c ON c.workspace_id = h.workspace_id AND c.id = h.contact_id WHERE h.workspace_id = @ws AND h.kind = @k AND h.external_id = @e";

    public string ConversationById { get; } = $"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND id = @id";

    public string LatestConversation { get; } = $"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis ORDER BY created DESC, id DESC LIMIT 1";

    public string ActiveConversation { get; } = $"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis AND status <> 3 LIMIT 1";

    public string MessageById { get; } = $"SELECT doc FROM {s}.messages WHERE workspace_id = @ws AND id = @id";

    public string MessageByPlatformId { get; } = $"SELECT doc FROM {s}.messages WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND platform_id = @pid";

    public string HasMessageText { get; } = $"SELECT EXISTS (SELECT 1 FROM {s}.messages WHERE workspace_id = @ws AND conversation_id = @id AND strpos(lower(text), lower(@t)) > 0)";

    public string UpdateContact { get; } = $"UPDATE {s}.contacts SET version = @v, doc = @doc WHERE workspace_id = @ws AND id = @id AND version = @base";

    public string DeleteHandles { get; } = $"DELETE FROM {s}.contact_handles WHERE workspace_id = @ws AND contact_id = @id";

    public string InsertContact { get; } = $"INSERT INTO {s}.contacts (workspace_id, id, version, doc) VALUES (@ws, @id, @v, @doc)";

    public string InsertHandle { get; } = $"INSERT INTO {s}.contact_handles (workspace_id, kind, external_id, contact_id) VALUES (@ws, @k, @e, @id)";

    public string InsertConversation { get; } =
        $"INSERT INTO {s}.conversations (workspace_id, id, version, contact_id, channel_kind, account_id, handle_kind, handle_id, visibility, status, priority, queue, assignee, tags, created, last_activity, waiting, doc) " +
        "VALUES (@ws, @id, @v, @contact, @ck, @acc, @hk, @hid, @vis, @status, @priority, @queue, @assignee, @tags, @created, @la, @w, @doc)";

    public string UpdateConversation { get; } =
        $"UPDATE {s}.conversations SET version = @v, contact_id = @contact, status = @status, priority = @priority, queue = @queue, assignee = @assignee, tags = @tags, created = @created, last_activity = @la, waiting = @w, doc = @doc " +
        "WHERE workspace_id = @ws AND id = @id AND version = @base AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis";

    public string InsertMessage { get; } =
        $"INSERT INTO {s}.messages (workspace_id, id, version, conversation_id, sequence, channel_kind, account_id, platform_id, direction, sent_at, text, doc) " +
        "VALUES (@ws, @id, @v, @cid, @seq, @ck, @acc, @pid, @dir, @sent, @text, @doc)";

    public string UpdateMessage { get; } =
        $"UPDATE {s}.messages SET version = @v, sequence = @seq, channel_kind = @ck, account_id = @acc, platform_id = @pid, direction = @dir, sent_at = @sent, text = @text, doc = @doc " +
        "WHERE workspace_id = @ws AND id = @id AND conversation_id = @cid AND version = @base";

    public string OutboxEntryExists { get; } = $"SELECT EXISTS (SELECT 1 FROM {s}.outbox WHERE workspace_id = @ws AND message_id = @id)";

    public string InsertOutbox { get; } = $"INSERT INTO {s}.outbox (workspace_id, message_id, due) VALUES (@ws, @mid, @due)";

    /// <summary>One statement: the due, unleased entries are locked (skipping those another claimer holds) and leased.</summary>
    public string ClaimOutbox { get; } =
        $"WITH picked AS (SELECT workspace_id, message_id FROM {s}.outbox WHERE due <= @now AND (owner IS NULL OR lease_until <= @now) " +
        "ORDER BY due, message_id LIMIT @max FOR UPDATE SKIP LOCKED) " +
        $"UPDATE {s}.outbox o SET owner = @owner, lease_until = @until, attempts = o.attempts + 1 FROM picked " +
        "WHERE o.workspace_id = picked.workspace_id AND o.message_id = picked.message_id " +
        "RETURNING o.workspace_id, o.message_id, o.due, o.attempts, o.send_started, o.last_error";

    public string MarkSendStarted { get; } = $"UPDATE {s}.outbox SET send_started = true WHERE workspace_id = @ws AND message_id = @id AND owner = @owner AND lease_until > @now";

    public string RescheduleOutbox { get; } = $"UPDATE {s}.outbox SET due = @due, last_error = @error, send_started = false, owner = NULL, lease_until = NULL WHERE workspace_id = @ws AND message_id = @id AND owner = @owner";

    public string CompleteOutbox { get; } = $"DELETE FROM {s}.outbox WHERE workspace_id = @ws AND message_id = @id AND owner = @owner";

    public string CountOutbox { get; } = $"SELECT count(*) FROM {s}.outbox";

    public string InsertDeadLetter { get; } =
        $"INSERT INTO {s}.dead_letters (id, channel, registration, received, received_offset, reason, method, url, content_type, body) " +
        "VALUES (@id, @channel, @registration, @received, @offset, @reason, @method, @url, @type, @body) ON CONFLICT (id) DO NOTHING";

    public string ListDeadLetters { get; } = $"SELECT id, channel, registration, received, received_offset, reason, method, url, content_type, body FROM {s}.dead_letters ORDER BY received DESC, id DESC LIMIT @max";

    public string DeleteDeadLetter { get; } = $"DELETE FROM {s}.dead_letters WHERE id = @id";

    /// <summary>The versioned updates, each failing unless it changed exactly one row (see <see cref="PostgreSqlCommitter.ExpectOneRow"/>).</summary>
    public string UpdateContactExpectOne => field ??= PostgreSqlCommitter.ExpectOneRow(UpdateContact);

    public string UpdateConversationExpectOne => field ??= PostgreSqlCommitter.ExpectOneRow(UpdateConversation);

    public string UpdateMessageExpectOne => field ??= PostgreSqlCommitter.ExpectOneRow(UpdateMessage);

    public string Version(string table) => $"SELECT version FROM {S}.{table} WHERE workspace_id = @ws AND id = @id";
}
