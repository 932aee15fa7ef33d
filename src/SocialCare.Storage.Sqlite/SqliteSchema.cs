using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SocialCare.Storage.Sqlite;

/// <summary>
/// Versioned, embedded migrations. <c>socialcare_schema</c> holds the version; opening an older file applies the
/// missing steps in one transaction (keeping data); a file from a newer library is refused.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Each step moves the schema from version i to i + 1. Never edit a shipped step; add one.</summary>
    public static readonly string[] Migrations =
    [
        // 1: the care model
        """
        CREATE TABLE workspaces (id TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL);
        CREATE TABLE contacts (
            workspace_id TEXT NOT NULL, id BLOB NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE TABLE contact_handles (
            workspace_id TEXT NOT NULL, kind TEXT NOT NULL, external_id TEXT NOT NULL, contact_id BLOB NOT NULL,
            PRIMARY KEY (workspace_id, kind, external_id)) WITHOUT ROWID;
        CREATE INDEX ix_contact_handles_contact ON contact_handles (workspace_id, contact_id);
        CREATE TABLE conversations (
            workspace_id TEXT NOT NULL, id BLOB NOT NULL, version INTEGER NOT NULL, contact_id BLOB NOT NULL,
            channel_kind TEXT NOT NULL, account_id TEXT NOT NULL, handle_kind TEXT NOT NULL, handle_id TEXT NOT NULL,
            visibility INTEGER NOT NULL, status INTEGER NOT NULL, priority INTEGER NOT NULL, queue TEXT, assignee TEXT,
            tags TEXT NOT NULL, created INTEGER NOT NULL, last_activity INTEGER NOT NULL, waiting INTEGER NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX ux_conversations_active ON conversations (workspace_id, channel_kind, account_id, handle_kind, handle_id, visibility) WHERE status <> 3;
        CREATE INDEX ix_conversations_thread ON conversations (workspace_id, channel_kind, account_id, handle_kind, handle_id, visibility, created, id);
        CREATE INDEX ix_conversations_status_activity ON conversations (workspace_id, status, last_activity, id);
        CREATE INDEX ix_conversations_status_queue_priority ON conversations (workspace_id, status, queue, priority, waiting, id);
        CREATE INDEX ix_conversations_assignee ON conversations (workspace_id, assignee, status, priority, waiting, id);
        CREATE INDEX ix_conversations_created ON conversations (workspace_id, created, id);
        CREATE INDEX ix_conversations_contact ON conversations (workspace_id, contact_id);
        CREATE TABLE messages (
            workspace_id TEXT NOT NULL, id BLOB NOT NULL, version INTEGER NOT NULL, conversation_id BLOB NOT NULL,
            sequence INTEGER NOT NULL, channel_kind TEXT NOT NULL, account_id TEXT NOT NULL, platform_id TEXT,
            direction INTEGER NOT NULL, sent_at INTEGER NOT NULL, text TEXT, doc TEXT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX ux_messages_platform ON messages (workspace_id, channel_kind, account_id, platform_id) WHERE platform_id IS NOT NULL;
        CREATE INDEX ix_messages_conversation ON messages (workspace_id, conversation_id, sequence);
        """,

        // 2: the queue view (newest open conversations of a queue) walks one index backwards
        """
        CREATE INDEX ix_conversations_queue_activity ON conversations (workspace_id, queue, status, last_activity, id);
        """,

        // 3: outbound delivery (outbox entries, leased to one claimer at a time) and dead letters (unparseable webhooks);
        // instants are UTC ticks like the other indexed timestamps; a dead letter also keeps its offset (minutes)
        """
        CREATE TABLE outbox (
            workspace_id TEXT NOT NULL, message_id BLOB NOT NULL, due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            send_started INTEGER NOT NULL DEFAULT 0, last_error TEXT, owner TEXT, lease_until INTEGER,
            PRIMARY KEY (workspace_id, message_id)) WITHOUT ROWID;
        CREATE INDEX ix_outbox_due ON outbox (due, message_id);
        CREATE TABLE dead_letters (
            id BLOB NOT NULL PRIMARY KEY, channel TEXT NOT NULL, registration TEXT, received INTEGER NOT NULL,
            received_offset INTEGER NOT NULL, reason TEXT NOT NULL, method TEXT NOT NULL, url TEXT NOT NULL, content_type TEXT,
            body BLOB NOT NULL);
        CREATE INDEX ix_dead_letters_received ON dead_letters (received, id);
        """,
    ];

    public static int Latest => Migrations.Length;

    /// <summary>Brings the file to <paramref name="target"/>; returns the version it had.</summary>
    public static int Migrate(SqliteConnection connection, int target, string setting)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        Execute(connection, tx, "CREATE TABLE IF NOT EXISTS socialcare_schema (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, library TEXT NOT NULL)");
        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT version, library FROM socialcare_schema WHERE id = 1";
        var current = 0;
        string? library = null;
        using (var reader = read.ExecuteReader())
        {
            if (reader.Read())
            {
                current = reader.GetInt32(0);
                library = reader.GetString(1);
            }
        }

        if (current > Latest)
        {
            throw new CareStoreConfigurationException(
                setting,
                $"the database file was written by a newer SocialCare.Storage.Sqlite ({library}, schema version {current}); this library ({LibraryVersion}) understands schema versions up to {Latest}. Upgrade the SocialCare.Storage.Sqlite package, or point the connection string at another file.");
        }

        for (var v = current; v < target; v++)
        {
            Execute(connection, tx, Migrations[v]);
        }

        if (target > current)
        {
            using var write = connection.CreateCommand();
            write.Transaction = tx;
            write.CommandText = "INSERT INTO socialcare_schema (id, version, library) VALUES (1, $v, $l) ON CONFLICT (id) DO UPDATE SET version = excluded.version, library = excluded.library";
            write.Parameters.AddWithValue("$v", target);
            write.Parameters.AddWithValue("$l", LibraryVersion);
            write.ExecuteNonQuery();
        }

        tx.Commit();
        return current;
    }

    public static string LibraryVersion { get; } = "SocialCare.Storage.Sqlite " + (typeof(SqliteSchema).Assembly.GetName().Version?.ToString(3) ?? "0.0.0") + " schema " + Migrations.Length.ToString(CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
