using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
            pragmas.CommandText = "PRAGMA encoding;";
            Utf8 = string.Equals(pragmas.ExecuteScalar() as string, "UTF-8", StringComparison.OrdinalIgnoreCase);
        }

        Connection.CreateFunction<string?, string, bool>(
            "socialcare_icontains",
            static (text, needle) => text is not null && text.Contains(needle, StringComparison.OrdinalIgnoreCase),
            isDeterministic: true);
    }

    public SqliteConnection Connection { get; }

    /// <summary>
    /// Whether the database stores text as UTF-8 (the default, and every file this store creates): then documents are
    /// read and bound as their UTF-8 bytes, with no UTF-16 string in between. Otherwise (a file created with another
    /// <c>PRAGMA encoding</c>) they go through strings, and SQLite converts.
    /// </summary>
    public bool Utf8 { get; }

    /// <summary>
    /// The cached command for the text, enlisted in <paramref name="transaction"/>. Its parameters are kept from the
    /// previous execution (<see cref="SqliteParameters.With"/> sets their values), so a statement binds new values
    /// without new parameter objects; every caller of a given text binds the same names every time.
    /// </summary>
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
    /// <summary>Sets the named parameter (reusing the command's parameter of that name, if it has one).</summary>
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index >= 0)
        {
            parameters[index].Value = value ?? DBNull.Value;
        }
        else
        {
            parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static byte[] Key(Guid id) => id.ToByteArray(bigEndian: true);

    public static string? ReadDoc(this SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetString(0) : null;
    }

    /// <summary>The document in the first column of the first row, if any (see <see cref="ReadDoc{T}(SqliteDataReader, int, JsonTypeInfo{T}, bool)"/>).</summary>
    public static T? ReadDoc<T>(this SqliteCommand command, JsonTypeInfo<T> type, bool utf8)
        where T : class
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.ReadDoc(0, type, utf8) : null;
    }

    /// <summary>The documents in the first column of every row.</summary>
    public static List<T> ReadDocs<T>(this SqliteCommand command, JsonTypeInfo<T> type, bool utf8)
    {
        var docs = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            docs.Add(reader.ReadDoc(ordinal: 0, type, utf8));
        }

        return docs;
    }

    /// <summary>
    /// Parses a stored JSON document. In a UTF-8 database the column's bytes are the UTF-8 text itself, parsed as they
    /// are (one byte array of the document's length, instead of a UTF-16 string of twice that, transcoded back to UTF-8
    /// by the parser).
    /// </summary>
    public static T ReadDoc<T>(this SqliteDataReader reader, int ordinal, JsonTypeInfo<T> type, bool utf8) =>
        (utf8 ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(ordinal), type) : JsonSerializer.Deserialize(reader.GetString(ordinal), type))
        ?? throw new JsonException($"null {typeof(T).Name}");
}
