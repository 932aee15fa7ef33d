using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SocialCare.Storage.Sqlite;

/// <summary>An open connection with its prepared commands, reused across units of work (statements stay prepared).</summary>
internal sealed class SqliteConnectionLease : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly int _timeoutSeconds;

    public SqliteConnectionLease(string connectionString, int timeoutSeconds)
    {
        _timeoutSeconds = timeoutSeconds;
        Connection = new SqliteConnection(connectionString);
        Connection.Open();
        using (var pragmas = Connection.CreateCommand())
        {
            // (memory-mapped reads were measured and dropped: the growing file is remapped constantly)
            pragmas.CommandText = "PRAGMA temp_store = MEMORY;";
            pragmas.ExecuteNonQuery();
        }

        Connection.CreateFunction<string?, string, bool>(
            "socialcare_icontains",
            static (text, needle) => text is not null && text.Contains(needle, StringComparison.OrdinalIgnoreCase),
            isDeterministic: true);
    }

    public SqliteConnection Connection { get; }

    /// <summary>The cached command for the text, its parameters cleared, enlisted in <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = _timeoutSeconds;
            if (_commands.Count > 512)
            {
                foreach (var old in _commands.Values)
                {
                    old.Dispose();
                }

                _commands.Clear();
            }

            _commands[sql] = command;
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Runs a statement without parameters through the command cache (prepared once).</summary>
    public void Execute(string sql) => Command(sql).ExecuteNonQuery();

    /// <summary>False while a transaction is open on the connection (also one begun with a plain BEGIN statement).</summary>
    public bool InAutocommit => raw.sqlite3_get_autocommit(Connection.Handle) != 0;

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}

internal static class SqliteParameters
{
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static byte[] Key(Guid id) => id.ToByteArray(bigEndian: true);

    public static string? ReadDoc(this SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetString(0) : null;
    }

    public static List<string> ReadDocs(this SqliteCommand command)
    {
        var docs = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            docs.Add(reader.GetString(0));
        }

        return docs;
    }
}
