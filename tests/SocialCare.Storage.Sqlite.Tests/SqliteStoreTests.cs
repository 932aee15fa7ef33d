using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialCare.Ingestion;
using Xunit;

namespace SocialCare.Storage.Sqlite.Tests;

public sealed class SqliteStoreTests(SqliteCareStoreFixture fixture) : IClassFixture<SqliteCareStoreFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly WorkspaceId Ws = new("brand");
    private static readonly ChannelAccount WhatsApp = new(ChannelKind.WhatsApp, "15550001111");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_OlderSchemaFile_UpgradesAndKeepsData()
    {
        var path = fixture.NewPath();
        var options = new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" };
        await using (var old = new SqliteCareStore(options, null, schemaVersion: 1))
        {
            Assert.True(await old.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        }

        Assert.Equal(1, SchemaVersion(path));
        Assert.False(IndexExists(path, "ix_conversations_queue_activity"));

        await using var store = new SqliteCareStore(options);
        Assert.Equal("Brand", (await store.GetWorkspaceAsync(Ws, Ct))!.Name);
        Assert.Equal(SqliteSchema.Latest, SchemaVersion(path));
        Assert.True(IndexExists(path, "ix_conversations_queue_activity"));
    }

    [Fact]
    public async Task Open_Version2File_GainsTheOutboxAndDeadLetters()
    {
        var path = fixture.NewPath();
        var options = new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" };
        await using (var old = new SqliteCareStore(options, null, schemaVersion: 2))
        {
            Assert.True(await old.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        }

        Assert.Equal(2, SchemaVersion(path));
        Assert.False(IndexExists(path, "ix_outbox_due"));

        await using var store = new SqliteCareStore(options);
        Assert.Equal("Brand", (await store.GetWorkspaceAsync(Ws, Ct))!.Name);
        Assert.Equal(SqliteSchema.Latest, SchemaVersion(path));
        Assert.True(IndexExists(path, "ix_outbox_due"));
        Assert.True(IndexExists(path, "ix_dead_letters_received"));

        var message = MessageId.New(T0);
        await using (var session = await store.BeginAsync(Ws, Ct))
        {
            await session.EnqueueOutboxAsync(new OutboxEntry { WorkspaceId = Ws, MessageId = message, DueAt = T0 }, Ct);
            await session.CommitAsync(Ct);
        }

        Assert.Equal(message, Assert.Single(await store.ClaimDueAsync("node-a", T0, TimeSpan.FromMinutes(1), 10, Ct)).MessageId);
        await store.AddDeadLetterAsync(new DeadLetter { Id = Guid.CreateVersion7(T0), Channel = ChannelKind.WhatsApp, ReceivedAt = T0, Reason = "r", Method = "POST", Url = "https://x.example/h", Body = new byte[] { 1 } }, Ct);
        Assert.Single(await store.ListDeadLettersAsync(10, Ct));
    }

    [Fact]
    public async Task Commit_ConcurrentUnitsOfWork_AreGroupedIntoFewerDurableTransactions()
    {
        var path = fixture.NewPath();
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });
        await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct);
        var (batchesBefore, unitsBefore) = store.CommitStatistics;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await using var session = await store.BeginAsync(Ws, Ct);
                var at = T0.AddSeconds((w * 1000) + i);
                await session.InsertContactAsync(new Contact { Id = ContactId.New(at), WorkspaceId = Ws, Handles = [new ContactHandle(ChannelKind.WhatsApp, $"g-{w}-{i}")], CreatedAt = at }, Ct);
                await session.CommitAsync(Ct);
            }
        })));

        var (batches, units) = store.CommitStatistics;
        Assert.Equal(400, units - unitsBefore);
        Assert.True(batches - batchesBefore < 400, $"{batches - batchesBefore} transactions for 400 units: nothing was grouped.");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)mode.ExecuteScalar()!);
    }

    [Fact]
    public async Task Commit_AUnitThatFailsInAGroupCommit_FailsAloneAndTheOthersAreKept()
    {
        var path = fixture.NewPath();
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });
        await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct);
        var conflicts = 0;

        // Even workers insert a contact with a handle of their own; odd workers race for one shared handle per round.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var at = T0.AddSeconds((w * 1000) + i);
                var handle = new ContactHandle(ChannelKind.WhatsApp, w % 2 == 0 ? $"own-{w}-{i}" : $"shared-{i}");
                try
                {
                    await using var session = await store.BeginAsync(Ws, Ct);
                    await session.InsertContactAsync(new Contact { Id = ContactId.New(at), WorkspaceId = Ws, Handles = [handle], CreatedAt = at }, Ct);
                    await session.CommitAsync(Ct);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        await using var check = await store.BeginAsync(Ws, Ct);
        for (var i = 0; i < 40; i++)
        {
            for (var w = 0; w < 8; w += 2)
            {
                Assert.NotNull(await check.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, $"own-{w}-{i}"), Ct));
            }

            Assert.NotNull(await check.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, $"shared-{i}"), Ct));
        }

        Assert.Equal(40 * 3, conflicts); // of the four racing inserts of each shared handle, exactly one wins
        Assert.Equal(40 * 5, Count(path, "SELECT COUNT(*) FROM contacts"));
    }

    [Fact]
    public async Task Open_SchemaFromTheFuture_FailsNamingTheSettingAndWhatToDo()
    {
        var path = fixture.NewPath();
        await using (var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" }))
        {
            await store.InitializeAsync(Ct);
        }

        Execute(path, "UPDATE socialcare_schema SET version = 999, library = 'SocialCare.Storage.Sqlite 9.0.0'");

        await using var future = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });
        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await future.BeginAsync(Ws, Ct));
        Assert.Equal("SocialCare:Sqlite:ConnectionString", ex.Setting);
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade the SocialCare.Storage.Sqlite package", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Data Source=care.db;Bogus=1", "not a valid SQLite connection string")]
    [InlineData("Data Source=:memory:", "names no file")]
    [InlineData("Mode=Memory;Data Source=x", "names no file")]
    [InlineData("", "is empty")]
    public async Task Open_BadConnectionString_FailsFastNamingTheSetting(string connectionString, string expected)
    {
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = connectionString });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Equal("SocialCare:Sqlite:ConnectionString", ex.Setting);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingDirectory_FailsNamingTheDirectory()
    {
        var missing = Path.Combine(fixture.Directory, "no-such-dir", "care.db");
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={missing}" });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetDirectoryName(missing)!, ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task Open_ReadOnlyFile_FailsSayingMakeItWritable()
    {
        var path = fixture.NewPath();
        await File.WriteAllBytesAsync(path, [], Ct);
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(path, FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }

        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Equal("SocialCare:Sqlite:ConnectionString", ex.Setting);
        Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ReadOnlyMode_IsRefused()
    {
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={fixture.NewPath()};Mode=ReadOnly" });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Contains("Mode=ReadOnly", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_NotASqliteFile_FailsSayingSo()
    {
        var path = fixture.NewPath();
        await File.WriteAllTextAsync(path, new string('x', 4096), Ct);
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Contains("is not a SQLite database", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_DatabaseLockedByAnotherConnection_FailsAfterBusyTimeoutNamingIt()
    {
        var path = fixture.NewPath();
        await using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync(Ct);
        await using (var create = holder.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);";
            await create.ExecuteNonQueryAsync(Ct);
        }

        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}", BusyTimeout = TimeSpan.FromMilliseconds(300) });

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Equal("SocialCare:Sqlite:BusyTimeout", ex.Setting);
        Assert.Contains("locked", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseSqlite_BadSetting_FailsOptionsValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.UseSqlite(o => o.ConnectionString = "Data Source=:memory:"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteCareStoreOptions>>().Value);

        Assert.Contains("SocialCare:Sqlite:ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseSqlite_EngineIngestsConcurrentlyWithRedeliveries_EveryMessageOnceAndDurable()
    {
        var path = fixture.NewPath();
        await IngestConcurrentlyAndReopenAsync(path);

        // Documents are bound as UTF-8 bytes; they must still be stored as JSON text, as before.
        foreach (var table in new[] { "contacts", "conversations", "messages" })
        {
            Assert.Equal(0, Count(path, $"SELECT count(*) FROM {table} WHERE typeof(doc) <> 'text' OR NOT json_valid(doc)"));
            Assert.True(Count(path, $"SELECT count(*) FROM {table}") > 0);
        }
    }

    [Fact]
    public async Task UseSqlite_FileWithUtf16TextEncoding_StoresAndReadsDocumentsAsText()
    {
        var path = fixture.NewPath();
        Execute(path, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE created_elsewhere (x); DROP TABLE created_elsewhere;");
        await IngestConcurrentlyAndReopenAsync(path);
        Assert.Equal(0, Count(path, "SELECT count(*) FROM messages WHERE typeof(doc) <> 'text' OR NOT json_valid(doc) OR json_extract(doc, '$.Text') NOT LIKE 'message % from %'"));
    }

    private async Task IngestConcurrentlyAndReopenAsync(string path)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.UseSqlite($"Data Source={path}").AddWorkspace(Ws.Value, "Brand"));
        const int Customers = 12;
        const int PerCustomer = 10;
        await using (var provider = services.BuildServiceProvider())
        {
            Assert.IsType<SqliteCareStore>(provider.GetRequiredService<ICareStore>());
            var ingestor = provider.GetRequiredService<ICareIngestor>();
            var events = Enumerable.Range(0, Customers).SelectMany(c => Enumerable.Range(0, PerCustomer).Select(i => Inbound(c, i))).ToList();
            var redelivered = events.Concat(events.Where((_, i) => i % 3 == 0)).OrderBy(e => e.PlatformMessageId.GetHashCode(StringComparison.Ordinal)).ToList();

            var outcomes = await Task.WhenAll(redelivered.Select(e => Task.Run(async () => (await ingestor.IngestAsync(e, Ct)).Outcome)));

            Assert.Equal(Customers * PerCustomer, outcomes.Count(o => o == IngestOutcome.Accepted));
        }

        // A new process (a new store over the same file) sees everything.
        await using var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });
        await using var session = await store.BeginAsync(Ws, Ct);
        var conversations = new List<Conversation>();
        var query = new ConversationQuery { Limit = 500 };
        var page = await session.QueryConversationsAsync(query, Ct);
        conversations.AddRange(page.Items);
        Assert.Equal(Customers, conversations.Count);
        foreach (var c in conversations)
        {
            var messages = await session.QueryMessagesAsync(new MessageQuery { ConversationId = c.Id, Limit = 500 }, Ct);
            Assert.Equal(PerCustomer, messages.Items.Count);
            Assert.Equal(PerCustomer, c.MessageCount);
            Assert.Equal(Enumerable.Range(1, PerCustomer).Select(i => (long)i), messages.Items.Select(m => m.Sequence));
        }
    }

    private static InboundMessage Inbound(int customer, int i) => new()
    {
        WorkspaceId = Ws,
        Channel = WhatsApp,
        Customer = new ContactHandle(ChannelKind.WhatsApp, $"cust-{customer}"),
        OccurredAt = T0.AddSeconds(i),
        PlatformMessageId = $"wamid.{customer}.{i}",
        Text = $"message {i} from {customer} 🙂",
    };

    private static long SchemaVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM socialcare_schema";
        return (long)command.ExecuteScalar()!;
    }

    private static bool IndexExists(string path, string name)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = $n";
        command.Parameters.AddWithValue("$n", name);
        return (long)command.ExecuteScalar()! == 1;
    }

    private static long Count(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
