using System.Globalization;
using Npgsql;

namespace SocialCare.Storage.PostgreSql;

/// <summary>
/// Versioned, embedded migrations, applied under a transaction-scoped advisory lock so that several instances starting
/// together migrate once. <c>{s}</c> stands for the configured schema.
/// </summary>
internal static class PostgreSqlSchema
{
    public static readonly string[] Migrations =
    [
        // 1: the care model
        """
        CREATE TABLE {s}.workspaces (id text PRIMARY KEY, doc text NOT NULL);
        CREATE TABLE {s}.contacts (
            workspace_id text NOT NULL, id uuid NOT NULL, version bigint NOT NULL, doc text NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE TABLE {s}.contact_handles (
            workspace_id text NOT NULL, kind text NOT NULL, external_id text NOT NULL, contact_id uuid NOT NULL,
            PRIMARY KEY (workspace_id, kind, external_id));
        CREATE INDEX ix_contact_handles_contact ON {s}.contact_handles (workspace_id, contact_id);
        CREATE TABLE {s}.conversations (
            workspace_id text NOT NULL, id uuid NOT NULL, version bigint NOT NULL, contact_id uuid NOT NULL,
            channel_kind text NOT NULL, account_id text NOT NULL, handle_kind text NOT NULL, handle_id text NOT NULL,
            visibility int NOT NULL, status int NOT NULL, priority int NOT NULL, queue text, assignee text,
            tags text[] NOT NULL, created bigint NOT NULL, last_activity bigint NOT NULL, waiting bigint NOT NULL,
            doc text NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX ux_conversations_active ON {s}.conversations (workspace_id, channel_kind, account_id, handle_kind, handle_id, visibility) WHERE status <> 3;
        CREATE INDEX ix_conversations_thread ON {s}.conversations (workspace_id, channel_kind, account_id, handle_kind, handle_id, visibility, created, id);
        CREATE INDEX ix_conversations_status_activity ON {s}.conversations (workspace_id, status, last_activity, id);
        CREATE INDEX ix_conversations_status_queue_priority ON {s}.conversations (workspace_id, status, queue, priority, waiting, id);
        CREATE INDEX ix_conversations_assignee ON {s}.conversations (workspace_id, assignee, status, priority, waiting, id);
        CREATE INDEX ix_conversations_queue_activity ON {s}.conversations (workspace_id, queue, status, last_activity, id);
        CREATE INDEX ix_conversations_created ON {s}.conversations (workspace_id, created, id);
        CREATE INDEX ix_conversations_contact ON {s}.conversations (workspace_id, contact_id);
        CREATE TABLE {s}.messages (
            workspace_id text NOT NULL, id uuid NOT NULL, version bigint NOT NULL, conversation_id uuid NOT NULL,
            sequence bigint NOT NULL, channel_kind text NOT NULL, account_id text NOT NULL, platform_id text,
            direction int NOT NULL, sent_at bigint NOT NULL, text text, doc text NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX ux_messages_platform ON {s}.messages (workspace_id, channel_kind, account_id, platform_id) WHERE platform_id IS NOT NULL;
        CREATE INDEX ix_messages_conversation ON {s}.messages (workspace_id, conversation_id, sequence);
        """,

        // 2: claimable work (SLA timers, outbox) shared by several instances
        """
        CREATE TABLE {s}.work_items (
            id bigserial PRIMARY KEY, queue text NOT NULL, workspace_id text NOT NULL, due bigint NOT NULL,
            payload text NOT NULL, claimed_by text, claimed_until bigint, attempts int NOT NULL DEFAULT 0);
        CREATE INDEX ix_work_items_due ON {s}.work_items (queue, due, id);
        """,

        // 3: the outbox in its own table rather than in work_items: an entry is keyed by its message (the primary key
        // refuses a second entry for one message inside the committing transaction) and has typed columns for the
        // send-started mark and the last error. Dead letters keep the raw body (bytea) and the offset of their instant.
        """
        CREATE TABLE {s}.outbox (
            workspace_id text NOT NULL, message_id uuid NOT NULL, due bigint NOT NULL, attempts int NOT NULL DEFAULT 0,
            send_started boolean NOT NULL DEFAULT false, last_error text, owner text, lease_until bigint,
            PRIMARY KEY (workspace_id, message_id));
        CREATE INDEX ix_outbox_due ON {s}.outbox (due, message_id);
        CREATE TABLE {s}.dead_letters (
            id uuid PRIMARY KEY, channel text NOT NULL, registration text, received bigint NOT NULL, received_offset int NOT NULL,
            reason text NOT NULL, method text NOT NULL, url text NOT NULL, content_type text, body bytea NOT NULL);
        CREATE INDEX ix_dead_letters_received ON {s}.dead_letters (received, id);
        """,
    ];

    public static int Latest => Migrations.Length;

    public static string LibraryVersion { get; } = "SocialCare.Storage.PostgreSql " + (typeof(PostgreSqlSchema).Assembly.GetName().Version?.ToString(3) ?? "0.0.0") + " schema " + Migrations.Length.ToString(CultureInfo.InvariantCulture);

    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string schema, int target, string setting, CancellationToken ct)
    {
        var s = Quote(schema);
        var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", ct, ("key", LockKey(schema))).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {s}", ct).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"CREATE TABLE IF NOT EXISTS {s}.socialcare_schema (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, library text NOT NULL)", ct).ConfigureAwait(false);
        var current = 0;
        string? library = null;
        var read = new NpgsqlCommand($"SELECT version, library FROM {s}.socialcare_schema WHERE id = 1", connection, tx);
        await using (read.ConfigureAwait(false))
        {
            var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    current = reader.GetInt32(0);
                    library = reader.GetString(1);
                }
            }
        }

        if (current > Latest)
        {
            throw new CareStoreConfigurationException(
                setting,
                $"schema '{schema}' was written by a newer SocialCare.Storage.PostgreSql ({library}, schema version {current}); this library ({LibraryVersion}) understands schema versions up to {Latest}. Upgrade the SocialCare.Storage.PostgreSql package on every instance, or use another schema.");
        }

        for (var v = current; v < target; v++)
        {
            await ExecuteAsync(connection, tx, Migrations[v].Replace("{s}", s, StringComparison.Ordinal), ct).ConfigureAwait(false);
        }

        if (target > current)
        {
            await ExecuteAsync(
                connection,
                tx,
                $"INSERT INTO {s}.socialcare_schema (id, version, library) VALUES (1, @v, @l) ON CONFLICT (id) DO UPDATE SET version = excluded.version, library = excluded.library",
                ct,
                ("v", target),
                ("l", LibraryVersion)).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return current;
    }

    public static string Quote(string schema) => "\"" + schema + "\"";

    /// <summary>A stable 64-bit key per schema (FNV-1a), so instances using different schemas do not wait on each other.</summary>
    private static long LockKey(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in "socialcare:" + schema)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
