namespace SocialCare.Storage.PostgreSql;

/// <summary>Settings of the PostgreSQL store (configuration section <c>SocialCare:PostgreSql</c>).</summary>
public sealed class PostgreSqlCareStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "SocialCare:PostgreSql";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=care;Username=care;Password=…</c>. Not needed when a data source is given.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema holding SocialCare's tables; created on first use. Default <c>socialcare</c>.</summary>
    public string Schema { get; set; } = "socialcare";
}
