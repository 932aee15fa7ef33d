namespace SocialCare.Storage.Sqlite;

/// <summary>Settings of the SQLite store (configuration section <c>SocialCare:Sqlite</c>).</summary>
public sealed class SqliteCareStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "SocialCare:Sqlite";

    /// <summary>
    /// A Microsoft.Data.Sqlite connection string naming a file, e.g. <c>Data Source=care.db</c>. The directory must
    /// exist; the file is created and migrated on first use. In-memory databases are refused (use the in-memory store).
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>How long a unit of work waits for another process holding the database's write lock. Default 5 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most units of work committed together in one durable transaction (group commit). Default 256.</summary>
    public int MaxCommitBatch { get; set; } = 256;
}
