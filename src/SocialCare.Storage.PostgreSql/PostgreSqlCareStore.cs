using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SocialCare.Storage.Json;

namespace SocialCare.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL care store. Several host instances may share one database: unique indexes absorb duplicate platform
/// message ids and keep one active conversation per thread, version columns make stale writers lose and retry.
/// </summary>
public sealed partial class PostgreSqlCareStore : ICareStore, IOutboxStore, IDeadLetterStore, IAsyncDisposable
{
    internal const string ConnectionStringSetting = PostgreSqlCareStoreOptions.SectionName + ":" + nameof(PostgreSqlCareStoreOptions.ConnectionString);
    internal const string SchemaSetting = PostgreSqlCareStoreOptions.SectionName + ":" + nameof(PostgreSqlCareStoreOptions.Schema);

    private readonly bool _ownsDataSource;
    private readonly ILogger _logger;
    private readonly int _schemaVersion;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<WorkspaceId, bool> _knownWorkspaces = new();
    private Task? _ready;

    /// <summary>Creates the store over a data source. The schema is created or migrated on first use.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The settings (the schema).</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    /// <param name="ownsDataSource">Whether disposing the store disposes the data source.</param>
    public PostgreSqlCareStore(NpgsqlDataSource dataSource, PostgreSqlCareStoreOptions options, ILoggerFactory? loggerFactory = null, bool ownsDataSource = false)
        : this(dataSource, options, loggerFactory, ownsDataSource, PostgreSqlSchema.Latest)
    {
    }

    internal PostgreSqlCareStore(NpgsqlDataSource dataSource, PostgreSqlCareStoreOptions options, ILoggerFactory? loggerFactory, bool ownsDataSource, int schemaVersion)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options, requireConnectionString: false);
        DataSource = dataSource;
        Utf8Text = IsUtf8(dataSource.ConnectionString);
        Schema = options.Schema;
        Sql = new PostgreSqlStatements(PostgreSqlSchema.Quote(options.Schema));
        _ownsDataSource = ownsDataSource;
        _schemaVersion = schemaVersion;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgreSqlCareStore>();
    }

    internal NpgsqlDataSource DataSource { get; }

    internal string Schema { get; }

    internal PostgreSqlStatements Sql { get; }

    /// <summary>Whether text arrives as UTF-8 (Npgsql's default <c>Encoding</c>), so documents can be parsed from the received bytes.</summary>
    internal bool Utf8Text { get; }

    /// <summary>Connects and creates or migrates the schema now instead of on first use, so a bad setting fails at start.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    /// <exception cref="CareStoreConfigurationException">The database cannot be used; the message names the setting to fix.</exception>
    public ValueTask InitializeAsync(CancellationToken cancellationToken) => new(EnsureReady().WaitAsync(cancellationToken));

    /// <inheritdoc />
    public async ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Id.IsEmpty)
        {
            throw new CareValidationException("Workspace.Id", "must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(workspace.Name))
        {
            throw new CareValidationException("Workspace.Name", "must not be empty.");
        }

        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.InsertWorkspace);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", workspace.Id.Value);
        command.Parameters.AddWithValue("doc", CareJsonContext.Serialize(workspace));
        var created = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        _knownWorkspaces[workspace.Id] = true;
        return created;
    }

    /// <inheritdoc />
    public async ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.SelectWorkspace);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", workspaceId.Value);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string doc ? CareJsonContext.ReadWorkspace(doc) : null;
    }

    /// <inheritdoc />
    public async ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (workspaceId.IsEmpty)
        {
            throw new ArgumentException("The workspace id must not be empty.", nameof(workspaceId));
        }

        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!_knownWorkspaces.ContainsKey(workspaceId))
        {
            if (await GetWorkspaceAsync(workspaceId, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new WorkspaceNotFoundException(workspaceId);
            }

            _knownWorkspaces[workspaceId] = true;
        }

        return new PostgreSqlCareSession(this, workspaceId);
    }

    /// <summary>Disposes the data source when the store created it.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static NpgsqlDataSource CreateDataSource(PostgreSqlCareStoreOptions options)
    {
        var builder = CheckOptions(options, requireConnectionString: true)!;
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64; // the store's statements repeat; let Npgsql prepare them
        }

        if (!Mentions(options.ConnectionString!, "Multiplexing"))
        {
            // Concurrent units of work share a few connections, their statements written and read back together: the
            // store runs no explicit transaction on the hot path (a unit commits as one batch) and only async calls.
            builder.Multiplexing = true;
        }

        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    private static bool IsUtf8(string connectionString)
    {
        var encoding = new NpgsqlConnectionStringBuilder(connectionString).Encoding;
        return string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase) || string.Equals(encoding, "UTF-8", StringComparison.OrdinalIgnoreCase);
    }

    private static bool Mentions(string connectionString, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey(keyword);

    internal static NpgsqlConnectionStringBuilder? CheckOptions(PostgreSqlCareStoreOptions options, bool requireConnectionString)
    {
        if (string.IsNullOrEmpty(options.Schema) || !SchemaName().IsMatch(options.Schema))
        {
            throw new CareStoreConfigurationException(SchemaSetting, $"'{options.Schema}' is not a schema name SocialCare accepts: 1 to 63 lower-case ASCII letters, digits or '_', not starting with a digit.");
        }

        if (!requireConnectionString && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "is empty. Set it to an Npgsql connection string, e.g. \"Host=localhost;Database=care;Username=care;Password=…\".");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, $"is not a valid Npgsql connection string ({ex.Message}). Use \"Host=…;Database=…;Username=…;Password=…\".", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "names no Host. Add \"Host=your-server\".");
        }

        return builder;
    }

    private Task EnsureReady()
    {
        var ready = _ready;
        if (ready is { IsCompletedSuccessfully: true })
        {
            return ready;
        }

        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = InitializeCoreAsync();
            }

            return _ready;
        }
    }

    private async Task InitializeCoreAsync()
    {
        try
        {
            var connection = await DataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var from = await PostgreSqlSchema.MigrateAsync(connection, Schema, _schemaVersion, ConnectionStringSetting, CancellationToken.None).ConfigureAwait(false);
            if (from < _schemaVersion)
            {
                Log.Migrated(_logger, Schema, from, _schemaVersion);
            }
        }
        catch (PostgresException ex)
        {
            throw ex.SqlState switch
            {
                "28P01" or "28000" => new CareStoreConfigurationException(ConnectionStringSetting, $"the server refused the credentials ({ex.MessageText}). Check Username and Password.", ex),
                "3D000" => new CareStoreConfigurationException(ConnectionStringSetting, $"the database does not exist ({ex.MessageText}). Create it (createdb) or fix Database.", ex),
                "42501" => new CareStoreConfigurationException(SchemaSetting, $"the user may not create or change schema '{Schema}' ({ex.MessageText}). Grant CREATE on the database, or create the schema for this user.", ex),
                _ => new CareStoreConfigurationException(ConnectionStringSetting, $"the server refused to set up schema '{Schema}': {ex.SqlState} {ex.MessageText}", ex),
            };
        }
        catch (NpgsqlException ex)
        {
            var host = DataSource.ConnectionString;
            var reason = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            throw new CareStoreConfigurationException(ConnectionStringSetting, $"cannot connect to PostgreSQL ({reason}). Check Host and Port in the connection string and that the server is running and reachable. Connection: {Redact(host)}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "connecting to PostgreSQL timed out. Check Host and Port, firewalls, or raise Timeout in the connection string.", ex);
        }
    }

    private static string Redact(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
            return $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
        }
        catch (ArgumentException)
        {
            return "(unreadable)";
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
