using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using SocialCare.Ingestion;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

public sealed class PostgreSqlStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly WorkspaceId Ws = new("brand");
    private static readonly ChannelAccount WhatsApp = new(ChannelKind.WhatsApp, "15550001111");
    private readonly List<string> _schemas = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_schemas.Count == 0 || PostgresTestServer.ConnectionString is not { } cs)
        {
            return;
        }

        await using var dataSource = NpgsqlDataSource.Create(cs);
        foreach (var schema in _schemas)
        {
            await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task TwoEngineInstances_SameStreamWithRedeliveries_EveryMessageOnceNoSplitConversations()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = NewSchema();
        const int Customers = 16;
        const int PerCustomer = 12;
        var events = Enumerable.Range(0, Customers).SelectMany(c => Enumerable.Range(0, PerCustomer).Select(i => Inbound(c, i))).ToList();

        // Instance A owns its data source (connection string); instance B uses the host's data source.
        var a = new ServiceCollection();
        a.AddSocialCare(care => care
            .UsePostgreSql(o => { o.ConnectionString = cs; o.Schema = schema; })
            .AddWorkspace(Ws.Value, "Brand")
            .Configure(o => o.MaxConflictRetries = 50));
        await using var hostDataSource = NpgsqlDataSource.Create(cs);
        var b = new ServiceCollection();
        b.AddSocialCare(care => care
            .UsePostgreSql(hostDataSource, o => o.Schema = schema)
            .AddWorkspace(Ws.Value, "Brand")
            .Configure(o => o.MaxConflictRetries = 50));
        await using var providerA = a.BuildServiceProvider();
        await using var providerB = b.BuildServiceProvider();

        // Each instance receives the whole stream (the platform delivered to both), plus extra redeliveries, in its own order.
        var streamA = events.Concat(events.Where((_, i) => i % 4 == 0)).OrderBy(e => Hash(e.PlatformMessageId, 1)).ToList();
        var streamB = events.Concat(events.Where((_, i) => i % 5 == 0)).OrderBy(e => Hash(e.PlatformMessageId, 2)).ToList();
        var outcomes = await Task.WhenAll(
            IngestAllAsync(providerA.GetRequiredService<ICareIngestor>(), streamA),
            IngestAllAsync(providerB.GetRequiredService<ICareIngestor>(), streamB));

        var accepted = outcomes.SelectMany(o => o).Count(o => o == IngestOutcome.Accepted);
        Assert.Equal(events.Count, accepted);

        await using var check = await providerA.GetRequiredService<ICareStore>().BeginAsync(Ws, Ct);
        var conversations = (await check.QueryConversationsAsync(new ConversationQuery { Limit = 500 }, Ct)).Items;
        Assert.Equal(Customers, conversations.Count);
        Assert.Equal(Customers, conversations.Select(c => c.Handle).Distinct().Count());
        foreach (var c in conversations)
        {
            var messages = (await check.QueryMessagesAsync(new MessageQuery { ConversationId = c.Id, Limit = 500 }, Ct)).Items;
            Assert.Equal(PerCustomer, messages.Count);
            Assert.Equal(PerCustomer, messages.Select(m => m.PlatformMessageId).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, PerCustomer).Select(i => (long)i), messages.Select(m => m.Sequence));
            Assert.Equal(PerCustomer, c.MessageCount);
        }

        await using var count = hostDataSource.CreateCommand($"SELECT count(*), count(DISTINCT platform_id) FROM \"{schema}\".messages");
        await using var reader = await count.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(events.Count, reader.GetInt64(0));
        Assert.Equal(events.Count, reader.GetInt64(1));
    }

    [Fact]
    public async Task WorkQueue_ConcurrentClaimers_EachItemClaimedByExactlyOne()
    {
        var store = await NewStoreAsync();
        var queue = new PostgreSqlWorkQueue(store);
        for (var i = 0; i < 120; i++)
        {
            await queue.EnqueueAsync("sla", Ws, $"timer-{i}", T0.AddSeconds(i % 7), Ct);
        }

        await queue.EnqueueAsync("sla", Ws, "not-due-yet", T0.AddHours(1), Ct);
        var claimedBy = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var owner = $"node-{w}";
            while (true)
            {
                var batch = await queue.ClaimAsync("sla", owner, 7, T0.AddMinutes(1), TimeSpan.FromMinutes(5), Ct);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var item in batch)
                {
                    Assert.True(claimedBy.TryAdd(item.Payload, owner), $"{item.Payload} was claimed twice.");
                    Assert.True(await queue.CompleteAsync(item.Id, owner, Ct));
                }
            }
        })));

        Assert.Equal(120, claimedBy.Count);
        Assert.DoesNotContain("not-due-yet", claimedBy.Keys);
    }

    [Fact]
    public async Task WorkQueue_LeaseExpired_ItemIsClaimableAgainAndOnlyTheNewOwnerCompletes()
    {
        var store = await NewStoreAsync();
        var queue = new PostgreSqlWorkQueue(store);
        var id = await queue.EnqueueAsync("outbox", Ws, "reply-1", T0, Ct);

        var first = Assert.Single(await queue.ClaimAsync("outbox", "node-a", 10, T0, TimeSpan.FromSeconds(30), Ct));
        Assert.Empty(await queue.ClaimAsync("outbox", "node-b", 10, T0.AddSeconds(10), TimeSpan.FromSeconds(30), Ct));
        var second = Assert.Single(await queue.ClaimAsync("outbox", "node-b", 10, T0.AddSeconds(31), TimeSpan.FromSeconds(30), Ct));

        Assert.Equal(id, first.Id);
        Assert.Equal(2, second.Attempts);
        Assert.False(await queue.CompleteAsync(id, "node-a", Ct));
        Assert.True(await queue.CompleteAsync(id, "node-b", Ct));
    }

    [Fact]
    public async Task Outbox_TwoInstancesClaimingConcurrently_EachEntryClaimedOncePerLease()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = NewSchema();
        await using var a = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true);
        await using var b = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true);
        await Task.WhenAll(a.InitializeAsync(Ct).AsTask(), b.InitializeAsync(Ct).AsTask());
        Assert.True(await a.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        const int Entries = 500;
        var ids = new List<MessageId>();
        for (var chunk = 0; chunk < Entries / 100; chunk++)
        {
            await using var session = await (chunk % 2 == 0 ? a : b).BeginAsync(Ws, Ct);
            for (var i = 0; i < 100; i++)
            {
                var id = MessageId.New(T0.AddMilliseconds((chunk * 100) + i));
                ids.Add(id);
                await session.EnqueueOutboxAsync(new OutboxEntry { WorkspaceId = Ws, MessageId = id, DueAt = T0.AddSeconds(i % 17) }, Ct);
            }

            await session.CommitAsync(Ct);
        }

        Assert.Equal(Entries, await b.CountAsync(Ct));
        var lease = TimeSpan.FromMinutes(5);
        foreach (var (round, now) in new[] { (1, T0.AddMinutes(1)), (2, T0.AddMinutes(1) + lease) })
        {
            var claims = new System.Collections.Concurrent.ConcurrentBag<(MessageId Id, int Attempts, string Owner)>();
            await Task.WhenAll(Enumerable.Range(0, 12).Select(w => Task.Run(
                async () =>
                {
                    var store = w % 2 == 0 ? a : b;
                    var owner = $"instance-{(w % 2 == 0 ? "a" : "b")}-worker-{w}-round-{round}";
                    while (true)
                    {
                        var batch = await store.ClaimDueAsync(owner, now, lease, 9, Ct);
                        if (batch.Count == 0)
                        {
                            return;
                        }

                        foreach (var entry in batch)
                        {
                            claims.Add((entry.MessageId, entry.Attempts, owner));
                        }
                    }
                },
                Ct)));

            var twice = claims.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"Round {round}: {twice.Count} entries were claimed more than once, e.g. {twice.FirstOrDefault()}.");
            Assert.Equal(ids.Order(), claims.Select(c => c.Id).Order());
            Assert.All(claims, c => Assert.Equal(round, c.Attempts));
            Assert.Contains(claims, c => c.Owner.StartsWith("instance-a", StringComparison.Ordinal));
            Assert.Contains(claims, c => c.Owner.StartsWith("instance-b", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Migrate_ManyInstancesAtOnce_MigrateOnceUnderTheAdvisoryLock()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = NewSchema();
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true)).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => s.InitializeAsync(Ct).AsTask()));
            Assert.True(await stores[0].CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
            Assert.False(await stores[5].CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Open_OlderSchema_UpgradesAndKeepsData()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = NewSchema();
        await using (var old = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true, schemaVersion: 1))
        {
            Assert.True(await old.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        }

        await using var store = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true);
        Assert.Equal("Brand", (await store.GetWorkspaceAsync(Ws, Ct))!.Name);
        var id = await new PostgreSqlWorkQueue(store).EnqueueAsync("q", Ws, "p", T0, Ct); // table from migration 2
        Assert.True(id > 0);
    }

    [Fact]
    public async Task Open_Version2Schema_GainsTheOutboxAndDeadLetters()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = NewSchema();
        await using (var old = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true, schemaVersion: 2))
        {
            Assert.True(await old.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        }

        await using var store = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = schema }, null, ownsDataSource: true);
        Assert.Equal("Brand", (await store.GetWorkspaceAsync(Ws, Ct))!.Name);
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
    public async Task Open_SchemaFromTheFuture_FailsNamingWhatToDo()
    {
        var store = await NewStoreAsync();
        await using (var command = store.DataSource.CreateCommand($"UPDATE \"{store.Schema}\".socialcare_schema SET version = 42"))
        {
            await command.ExecuteNonQueryAsync(Ct);
        }

        await using var newer = new PostgreSqlCareStore(store.DataSource, new() { Schema = store.Schema });
        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await newer.InitializeAsync(Ct));

        Assert.Contains("newer SocialCare.Storage.PostgreSql", ex.Message, StringComparison.Ordinal);
        Assert.Contains("42", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Bogus=1", "not a valid Npgsql connection string")]
    [InlineData("Database=care", "names no Host")]
    [InlineData("", "is empty")]
    public void Options_BadConnectionString_FailValidationNamingTheSetting(string connectionString, string expected)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.UsePostgreSql(o => o.ConnectionString = connectionString));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlCareStoreOptions>>().Value);

        Assert.Contains("SocialCare:PostgreSql:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=x;Database=care", true)]
    [InlineData("Host=x;Database=care;Multiplexing=false", false)]
    [InlineData("Host=x;Database=care;multiplexing=true", true)]
    public void CreateDataSource_FromConnectionString_MultiplexesUnlessTheStringSaysOtherwise(string connectionString, bool expected)
    {
        using var dataSource = PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = connectionString });

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Multiplexing);
    }

    [Fact]
    public void Options_BadSchemaName_FailValidationNamingTheSetting()
    {
        var ex = Assert.Throws<CareStoreConfigurationException>(() => PostgreSqlCareStore.CheckOptions(new() { ConnectionString = "Host=x", Schema = "Robert'); DROP TABLE" }, requireConnectionString: true));

        Assert.Equal("SocialCare:PostgreSql:Schema", ex.Setting);
    }

    [Fact]
    public async Task Open_UnreachableServer_FailsFastNamingHostAndPort()
    {
        var port = FreePort();
        await using var store = new PostgreSqlCareStore(
            PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = $"Host=127.0.0.1;Port={port};Username=nobody;Database=nothing;Timeout=3" }),
            new(),
            null,
            ownsDataSource: true);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.BeginAsync(Ws, Ct));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        Assert.Equal("SocialCare:PostgreSql:ConnectionString", ex.Setting);
        Assert.Contains("Check Host and Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"Port={port}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingDatabase_FailsSayingCreateIt()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var builder = new NpgsqlConnectionStringBuilder(cs) { Database = "socialcare_no_such_db_" + Guid.NewGuid().ToString("N")[..8] };
        await using var store = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = builder.ConnectionString }), new(), null, ownsDataSource: true);

        var ex = await Assert.ThrowsAsync<CareStoreConfigurationException>(async () => await store.InitializeAsync(Ct));

        Assert.Contains("database does not exist", ex.Message, StringComparison.Ordinal);
    }

    private async Task<PostgreSqlCareStore> NewStoreAsync()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var store = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(new() { ConnectionString = cs }), new() { Schema = NewSchema() }, null, ownsDataSource: true);
        await store.InitializeAsync(Ct);
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, Ct));
        return store;
    }

    private string NewSchema()
    {
        var schema = PostgresTestServer.NewSchema();
        _schemas.Add(schema);
        return schema;
    }

    private static async Task<IngestOutcome[]> IngestAllAsync(ICareIngestor ingestor, List<InboundMessage> stream)
    {
        var outcomes = new IngestOutcome[stream.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, stream.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            outcomes[i] = (await ingestor.IngestAsync(stream[i], ct)).Outcome);
        return outcomes;
    }

    private static InboundMessage Inbound(int customer, int i) => new()
    {
        WorkspaceId = Ws,
        Channel = WhatsApp,
        Customer = new ContactHandle(ChannelKind.WhatsApp, $"cust-{customer}"),
        OccurredAt = T0.AddSeconds(i),
        PlatformMessageId = $"wamid.{customer}.{i}",
        Text = $"message {i} from {customer}",
    };

    private static int Hash(string text, int seed) => HashCode.Combine(seed, string.GetHashCode(text, StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
