using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocialCare.Storage.Json;
using SocialCare.Storage.Relational;

namespace SocialCare.Storage.Sqlite;

/// <summary>
/// The SQLite care store: one file in WAL mode. Units of work buffer their writes; commits from concurrent units of
/// work are grouped into one durable transaction (one conflict never affects another: see <see cref="CommitBatch"/>),
/// and a commit returns only after that transaction is on disk (<c>synchronous=FULL</c>).
/// </summary>
public sealed partial class SqliteCareStore : ICareStore, IOutboxStore, IDeadLetterStore, IAsyncDisposable
{
    internal const string ConnectionStringSetting = SqliteCareStoreOptions.SectionName + ":" + nameof(SqliteCareStoreOptions.ConnectionString);
    internal const string BusyTimeoutSetting = SqliteCareStoreOptions.SectionName + ":" + nameof(SqliteCareStoreOptions.BusyTimeout);

    private readonly SqliteCareStoreOptions _options;
    private readonly ILogger _logger;
    private readonly int _schemaVersion;
    private readonly Lock _gate = new();
    private readonly ConcurrentBag<SqliteConnectionLease> _readers = [];
    private readonly ConcurrentDictionary<WorkspaceId, bool> _knownWorkspaces = new();
    private readonly WriteQueue _writes = new();
    private long _committedBatches;
    private long _committedUnits;
    private string _connectionString = string.Empty;
    private int _timeoutSeconds;
    private bool _utf8Documents;
    private Task? _ready;
    private Task? _writerLoop;
    private bool _disposed;

    /// <summary>Creates the store. The file is opened, checked and migrated on first use.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    public SqliteCareStore(SqliteCareStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, SqliteSchema.Latest)
    {
    }

    internal SqliteCareStore(SqliteCareStoreOptions options, ILoggerFactory? loggerFactory, int schemaVersion)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _schemaVersion = schemaVersion;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteCareStore>();
    }

    /// <summary>Opens, checks and migrates the file now instead of on first use, so a bad setting fails at start.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    /// <exception cref="CareStoreConfigurationException">The file cannot be used; the message names the setting to fix.</exception>
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
        var doc = CareJsonContext.Serialize(workspace);
        var created = await WriteAsync(
            lease => lease.Command("INSERT INTO workspaces (id, doc) VALUES ($id, $doc) ON CONFLICT (id) DO NOTHING")
                .With("$id", workspace.Id.Value).With("$doc", doc).ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
        _knownWorkspaces[workspace.Id] = true;
        return created;
    }

    /// <inheritdoc />
    public async ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var lease = Rent();
        try
        {
            var doc = lease.Command("SELECT doc FROM workspaces WHERE id = $id").With("$id", workspaceId.Value).ReadDoc();
            return doc is null ? null : CareJsonContext.ReadWorkspace(doc);
        }
        finally
        {
            Return(lease);
        }
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

        return new SqliteCareSession(this, workspaceId);
    }

    /// <summary>Finishes pending commits and closes the file.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writes.Complete();
            loop = _writerLoop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        while (_readers.TryTake(out var lease))
        {
            lease.Dispose();
        }

        _writes.Dispose();
    }

    /// <summary>Durable transactions and the units of work they carried, for tests and diagnostics.</summary>
    /// <summary>Whether documents are bound as UTF-8 bytes (the database's text encoding is UTF-8); known once ready.</summary>
    internal bool Utf8Documents => _utf8Documents;

    internal (long Batches, long Units) CommitStatistics => (Interlocked.Read(ref _committedBatches), Interlocked.Read(ref _committedUnits));

    internal SqliteConnectionLease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _readers.TryTake(out var lease) ? lease : new SqliteConnectionLease(_connectionString, _timeoutSeconds);
    }

    internal void Return(SqliteConnectionLease lease)
    {
        if (_disposed || _readers.Count >= 64)
        {
            lease.Dispose();
        }
        else
        {
            _readers.Add(lease);
        }
    }

    /// <summary>Queues a write for the next group commit; completes when its transaction is durable.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteConnectionLease, T> apply, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest<T>(apply);
        ObjectDisposedException.ThrowIf(!_writes.TryAdd(request), this);

        // Not cancellable once queued: the write may already be in the durable transaction.
        return request.Task;
    }

    internal static SqliteConnectionStringBuilder CheckOptions(SqliteCareStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "is empty. Set it to a database file, e.g. \"Data Source=care.db\".");
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, $"is not a valid SQLite connection string ({ex.Message}). Use Microsoft.Data.Sqlite syntax, e.g. \"Data Source=care.db\".", ex);
        }

        var dataSource = builder.DataSource;
        if (string.IsNullOrWhiteSpace(dataSource) || dataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "names no file (an in-memory SQLite database lives only as long as one connection). Set \"Data Source=path/to/care.db\", or use care.UseInMemoryStore() for a store in memory.");
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, "opens the database read-only (Mode=ReadOnly), but the care store writes. Remove Mode=ReadOnly.");
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            throw new CareStoreConfigurationException(BusyTimeoutSetting, $"must be between 0 and 10 minutes; it is {options.BusyTimeout}.");
        }

        if (options.MaxCommitBatch is < 1 or > 100_000)
        {
            throw new CareStoreConfigurationException(SqliteCareStoreOptions.SectionName + ":" + nameof(SqliteCareStoreOptions.MaxCommitBatch), $"must be between 1 and 100,000; it is {options.MaxCommitBatch}.");
        }

        var path = Path.GetFullPath(dataSource);
        var directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, $"names the file '{path}', but its directory '{directory}' does not exist. Create the directory or change Data Source.");
        }

        if (File.Exists(path) && IsReadOnly(path))
        {
            throw new CareStoreConfigurationException(ConnectionStringSetting, $"names the file '{path}', which is read-only. Make it writable (chmod u+w) or point Data Source at another file.");
        }

        builder.DataSource = path;
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = false; // the store keeps its own connections with their prepared statements
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        return builder;
    }

    private static bool IsReadOnly(string path)
    {
        var attributes = File.GetAttributes(path);
        if ((attributes & FileAttributes.ReadOnly) != 0)
        {
            return true;
        }

        return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;
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
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_ready is null || _ready.IsFaulted)
            {
                _ready = Task.Run(Initialize);
            }

            return _ready;
        }
    }

    private void Initialize()
    {
        var builder = CheckOptions(_options);
        _connectionString = builder.ToString();
        _timeoutSeconds = builder.DefaultTimeout;
        SqliteConnectionLease? writer = null;
        try
        {
            writer = new SqliteConnectionLease(_connectionString, _timeoutSeconds);
            Pragma(writer, $"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}");
            var mode = Pragma(writer, "PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new CareStoreConfigurationException(ConnectionStringSetting, $"the database could not switch to WAL journaling (it reports '{mode}'). Put the file on a local file system that supports shared memory.");
            }

            Pragma(writer, "PRAGMA synchronous = FULL");
            var from = SqliteSchema.Migrate(writer.Connection, _schemaVersion, ConnectionStringSetting);
            if (from < _schemaVersion)
            {
                Log.Migrated(_logger, builder.DataSource, from, _schemaVersion);
            }
        }
        catch (SqliteException ex)
        {
            writer?.Dispose();
            throw Translate(ex, builder.DataSource);
        }
        catch
        {
            writer?.Dispose();
            throw;
        }

        // A dedicated thread: the writer blocks on disk (fsync) and must not hold a thread-pool thread while it does.
        _utf8Documents = writer.Utf8;
        _writerLoop = Task.Factory.StartNew(() => WriterLoop(writer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private CareStoreConfigurationException Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        5 or 6 => new CareStoreConfigurationException(BusyTimeoutSetting, $"the database '{path}' stayed locked by another connection or process for longer than {_options.BusyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Close the program holding it, or raise the busy timeout.", ex),
        8 => new CareStoreConfigurationException(ConnectionStringSetting, $"the database '{path}' is read-only. Make the file and its directory writable (SQLite also writes '-wal' and '-shm' files next to it).", ex),
        14 => new CareStoreConfigurationException(ConnectionStringSetting, $"cannot open '{path}' ({ex.Message}). Check that the path is a file you may create and write.", ex),
        26 => new CareStoreConfigurationException(ConnectionStringSetting, $"'{path}' is not a SQLite database (or it is encrypted). Point Data Source at a SocialCare database file or at a new path.", ex),
        _ => new CareStoreConfigurationException(ConnectionStringSetting, $"cannot use the database '{path}': {ex.Message}", ex),
    };

    private static string? Pragma(SqliteConnectionLease lease, string sql)
    {
        using var command = lease.Connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private void WriterLoop(SqliteConnectionLease writer)
    {
        var spare = new List<WriteRequest>();
        try
        {
            while (_writes.Take(spare, _options.MaxCommitBatch) is { } batch)
            {
                CommitBatch(writer, batch);
                spare = batch;
            }
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// One durable transaction for the batch. Units of work rarely fail, so the batch is first applied without
    /// savepoints (two statements fewer per unit on the writer thread, which every unit of work of the process goes
    /// through); if any unit fails, that transaction is rolled back and the batch is applied again with each unit in its
    /// own savepoint, so one failing unit never affects another (the units are applied in the same order to the same
    /// state, so each fails or succeeds as it would have). The transaction statements run as cached, prepared commands
    /// on the writer connection (SqliteTransaction would prepare BEGIN, SAVEPOINT, RELEASE and COMMIT anew every time);
    /// the write commands therefore carry no SqliteTransaction object.
    /// </summary>
    private void CommitBatch(SqliteConnectionLease writer, List<WriteRequest> batch)
    {
        try
        {
            writer.Execute("BEGIN IMMEDIATE");
            if (!TryApplyAll(writer, batch))
            {
                if (!writer.InAutocommit)
                {
                    writer.Execute("ROLLBACK"); // (some errors end the transaction themselves)
                }

                writer.Execute("BEGIN IMMEDIATE");
                ApplyEachInSavepoint(writer, batch);
            }

            writer.Execute("COMMIT");
            _committedBatches++;
            _committedUnits += batch.Count;
            foreach (var request in batch)
            {
                request.Complete();
            }
        }
        catch (Exception ex)
        {
            if (!writer.InAutocommit)
            {
                try
                {
                    writer.Execute("ROLLBACK");
                }
                catch (SqliteException)
                {
                    // the transaction is already gone
                }
            }

            Log.GroupCommitFailed(_logger, batch.Count, ex);
            Exception error = ex is SqliteException sqlite ? Translate(sqlite, writer.Connection.DataSource) : ex;
            foreach (var request in batch)
            {
                request.Fail(error);
                request.Complete();
            }
        }
    }

    /// <summary>Applies every unit in the open transaction; false (nothing recorded) as soon as one fails.</summary>
    private static bool TryApplyAll(SqliteConnectionLease writer, List<WriteRequest> batch)
    {
        foreach (var request in batch)
        {
            try
            {
                request.Apply(writer);
            }
            catch (Exception ex) when (IsUnitFailure(ex))
            {
                return false;
            }
        }

        return true;
    }

    private static void ApplyEachInSavepoint(SqliteConnectionLease writer, List<WriteRequest> batch)
    {
        foreach (var request in batch)
        {
            writer.Execute("SAVEPOINT uow");
            try
            {
                request.Apply(writer);
                writer.Execute("RELEASE uow");
            }
            catch (Exception ex) when (IsUnitFailure(ex))
            {
                writer.Execute("ROLLBACK TO uow");
                writer.Execute("RELEASE uow");
                request.Fail(ex);
            }
        }
    }

    private static bool IsUnitFailure(Exception ex) => ex is ConcurrencyConflictException or CareValidationException or SqliteException;

    /// <summary>
    /// The writer's queue. The writer thread sleeps on a kernel event (no spinning: producers arrive every few hundred
    /// microseconds, and a spinning waiter burns the CPU they need on small machines).
    /// </summary>
    private sealed class WriteQueue : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly AutoResetEvent _signal = new(initialState: false);
        private List<WriteRequest> _pending = [];
        private bool _completed;

        public bool TryAdd(WriteRequest request)
        {
            lock (_gate)
            {
                if (_completed)
                {
                    return false;
                }

                _pending.Add(request);
                if (_pending.Count > 1)
                {
                    return true; // the writer was already signalled for this batch
                }
            }

            _signal.Set();
            return true;
        }

        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
            }

            _signal.Set();
        }

        /// <summary>Waits for work and returns up to <paramref name="max"/> requests, reusing <paramref name="spare"/>; null once completed and drained.</summary>
        public List<WriteRequest>? Take(List<WriteRequest> spare, int max)
        {
            spare.Clear();
            while (true)
            {
                lock (_gate)
                {
                    if (_pending.Count > 0)
                    {
                        if (_pending.Count <= max)
                        {
                            var full = _pending;
                            _pending = spare;
                            return full;
                        }

                        spare.AddRange(_pending.GetRange(0, max));
                        _pending.RemoveRange(0, max);
                        return spare;
                    }

                    if (_completed)
                    {
                        return null;
                    }
                }

                _signal.WaitOne();
            }
        }

        public void Dispose() => _signal.Dispose();
    }

    internal abstract class WriteRequest
    {
        public abstract void Apply(SqliteConnectionLease lease);

        public abstract void Fail(Exception error);

        public abstract void Complete();
    }

    private sealed class WriteRequest<T>(Func<SqliteConnectionLease, T> apply) : WriteRequest
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _error;
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override void Apply(SqliteConnectionLease lease) => _result = apply(lease);

        public override void Fail(Exception error) => _error ??= error;

        public override void Complete()
        {
            if (_error is null)
            {
                _done.TrySetResult(_result);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }
    }
}

