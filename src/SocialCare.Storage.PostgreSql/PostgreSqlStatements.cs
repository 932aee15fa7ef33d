using System.Text.RegularExpressions;
using Npgsql;

namespace SocialCare.Storage.PostgreSql;

/// <summary>The store's SQL, qualified with its schema once.</summary>
internal sealed class PostgreSqlStatements(string s)
{
    public string S { get; } = s;

    public string InsertWorkspace { get; } = $"INSERT INTO {s}.workspaces (id, doc) VALUES (@id, @doc) ON CONFLICT (id) DO NOTHING";

    public string SelectWorkspace { get; } = $"SELECT doc FROM {s}.workspaces WHERE id = @id";

    public PositionalSql ContactById { get; } = new($"SELECT doc FROM {s}.contacts WHERE workspace_id = @ws AND id = @id");

    public PositionalSql ContactByHandle { get; } = new($"SELECT c.doc FROM {s}.contact_handles h JOIN {s}.contacts c ON c.workspace_id = h.workspace_id AND c.id = h.contact_id WHERE h.workspace_id = @ws AND h.kind = @k AND h.external_id = @e");

    public PositionalSql ConversationById { get; } = new($"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND id = @id");

    public PositionalSql LatestConversation { get; } = new($"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis ORDER BY created DESC, id DESC LIMIT 1");

    public PositionalSql ActiveConversation { get; } = new($"SELECT doc FROM {s}.conversations WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis AND status <> 3 LIMIT 1");

    public PositionalSql MessageById { get; } = new($"SELECT doc FROM {s}.messages WHERE workspace_id = @ws AND id = @id");

    public PositionalSql MessageByPlatformId { get; } = new($"SELECT doc FROM {s}.messages WHERE workspace_id = @ws AND channel_kind = @ck AND account_id = @acc AND platform_id = @pid");

    public string HasMessageText { get; } = $"SELECT EXISTS (SELECT 1 FROM {s}.messages WHERE workspace_id = @ws AND conversation_id = @id AND strpos(lower(text), lower(@t)) > 0)";

    public string UpdateContact { get; } = $"UPDATE {s}.contacts SET version = @v, doc = @doc WHERE workspace_id = @ws AND id = @id AND version = @base";

    public PositionalSql DeleteHandles { get; } = new($"DELETE FROM {s}.contact_handles WHERE workspace_id = @ws AND contact_id = @id");

    public PositionalSql InsertContact { get; } = new($"INSERT INTO {s}.contacts (workspace_id, id, version, doc) VALUES (@ws, @id, @v, @doc)");

    public PositionalSql InsertHandle { get; } = new($"INSERT INTO {s}.contact_handles (workspace_id, kind, external_id, contact_id) VALUES (@ws, @k, @e, @id)");

    public PositionalSql InsertConversation { get; } = new(
        $"INSERT INTO {s}.conversations (workspace_id, id, version, contact_id, channel_kind, account_id, handle_kind, handle_id, visibility, status, priority, queue, assignee, tags, created, last_activity, waiting, doc) " +
        "VALUES (@ws, @id, @v, @contact, @ck, @acc, @hk, @hid, @vis, @status, @priority, @queue, @assignee, @tags, @created, @la, @w, @doc)");

    public string UpdateConversation { get; } =
        $"UPDATE {s}.conversations SET version = @v, contact_id = @contact, status = @status, priority = @priority, queue = @queue, assignee = @assignee, tags = @tags, created = @created, last_activity = @la, waiting = @w, doc = @doc " +
        "WHERE workspace_id = @ws AND id = @id AND version = @base AND channel_kind = @ck AND account_id = @acc AND handle_kind = @hk AND handle_id = @hid AND visibility = @vis";

    public PositionalSql InsertMessage { get; } = new(
        $"INSERT INTO {s}.messages (workspace_id, id, version, conversation_id, sequence, channel_kind, account_id, platform_id, direction, sent_at, text, doc) " +
        "VALUES (@ws, @id, @v, @cid, @seq, @ck, @acc, @pid, @dir, @sent, @text, @doc)");

    public string UpdateMessage { get; } =
        $"UPDATE {s}.messages SET version = @v, sequence = @seq, channel_kind = @ck, account_id = @acc, platform_id = @pid, direction = @dir, sent_at = @sent, text = @text, doc = @doc " +
        "WHERE workspace_id = @ws AND id = @id AND conversation_id = @cid AND version = @base";

    public string OutboxEntryExists { get; } = $"SELECT EXISTS (SELECT 1 FROM {s}.outbox WHERE workspace_id = @ws AND message_id = @id)";

    public PositionalSql InsertOutbox { get; } = new($"INSERT INTO {s}.outbox (workspace_id, message_id, due) VALUES (@ws, @mid, @due)");

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
    public PositionalSql UpdateContactExpectOne => field ??= new(PostgreSqlCommitter.ExpectOneRow(UpdateContact));

    public PositionalSql UpdateConversationExpectOne => field ??= new(PostgreSqlCommitter.ExpectOneRow(UpdateConversation));

    public PositionalSql UpdateMessageExpectOne => field ??= new(PostgreSqlCommitter.ExpectOneRow(UpdateMessage));

    public string Version(string table) => $"SELECT version FROM {S}.{table} WHERE workspace_id = @ws AND id = @id";
}

/// <summary>
/// A statement of the hot path with its <c>@name</c> placeholders turned into positional ones (<c>$1</c>, <c>$2</c>, …;
/// a name used twice gets one position). Npgsql sends such a statement as it is, with unnamed parameters: no SQL
/// rewriting and no name lookup tables per execution (it builds two dictionaries for any command of five or more named
/// parameters), and no parameter names. The values are still given by name; <see cref="Bind"/> puts them in order.
/// </summary>
internal sealed partial class PositionalSql
{
    public PositionalSql(string namedSql)
    {
        var names = new List<string>();
        Text = Placeholder().Replace(namedSql, match =>
        {
            var index = names.IndexOf(match.Groups[1].Value);
            if (index < 0)
            {
                names.Add(match.Groups[1].Value);
                index = names.Count - 1;
            }

            return "$" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        Names = [.. names];
    }

    /// <summary>The statement with positional placeholders.</summary>
    public string Text { get; }

    /// <summary>The parameter names, in position order.</summary>
    public string[] Names { get; }

    /// <summary>Adds one unnamed parameter per position: <c>ws</c> is the workspace, the others come from <paramref name="values"/>.</summary>
    public void Bind(NpgsqlParameterCollection parameters, string workspaceId, ReadOnlySpan<(string Name, object? Value)> values)
    {
        foreach (var name in Names)
        {
            parameters.Add(new NpgsqlParameter { Value = ValueOf(name, workspaceId, values) ?? DBNull.Value });
        }
    }

    private static object? ValueOf(string name, string workspaceId, ReadOnlySpan<(string Name, object? Value)> values)
    {
        foreach (var (n, value) in values)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return string.Equals(name, "ws", StringComparison.Ordinal) ? workspaceId : throw new InvalidOperationException($"No value for parameter @{name}.");
    }

    [GeneratedRegex("@([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
