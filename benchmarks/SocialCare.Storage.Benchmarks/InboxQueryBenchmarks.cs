using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SocialCare.Storage.Json;
using SocialCare.Storage.PostgreSql;
using SocialCare.Storage.Sqlite;

namespace SocialCare.Storage.Benchmarks;

/// <summary>
/// Inbox views over 1,000,000 conversations in one workspace (20 queues, 50 agents, a quarter open): the 50 newest open
/// conversations of a queue, the next page of it, an agent's open conversations by priority and wait, and a queue's
/// unassigned ones. Each operation opens a unit of work, runs one query, and disposes it. The data is seeded once and
/// reused across runs (delete the files or schemas under "socialcare-storage-bench" to reseed).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class InboxQueryBenchmarks
{
    public const int Conversations = 1_000_000;
    private const string Name = "bench_inbox_1m";
    private static readonly WorkspaceId Ws = new("brand");
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private ICareStore? _store;
    private string? _secondPage;

    [Params("Sqlite", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    [GlobalSetup]
    public async Task Setup()
    {
        if (Store == "Sqlite")
        {
            var path = Path.Combine(BenchmarkStores.DataDirectory, Name + ".db");
            Directory.CreateDirectory(BenchmarkStores.DataDirectory);
            var store = new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={path}" });
            await store.InitializeAsync(default);
            await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, default);
            SeedSqlite(path);
            _store = store;
        }
        else
        {
            var store = new PostgreSqlCareStore(PostgreSqlCareStore.CreateDataSource(BenchmarkStores.PostgresOptions(Name)), BenchmarkStores.PostgresOptions(Name), null, ownsDataSource: true);
            await store.InitializeAsync(default);
            await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Brand", CreatedAt = T0 }, default);
            await SeedPostgresAsync(store);
            _store = store;
        }

        _secondPage = (await QueryAsync(QueueView())).NextCursor;
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "50 newest open of a queue")]
    public async Task<int> QueueNewestOpen() => (await QueryAsync(QueueView())).Items.Count;

    [Benchmark(Description = "its next page (cursor)")]
    public async Task<int> QueueNewestOpenPage2() => (await QueryAsync(QueueView() with { After = _secondPage })).Items.Count;

    [Benchmark(Description = "an agent's open (priority, waiting)")]
    public async Task<int> Mine() => (await QueryAsync(ConversationQuery.Mine(new AgentId("agent-17")))).Items.Count;

    [Benchmark(Description = "a queue's unassigned (priority, waiting)")]
    public async Task<int> Unassigned() => (await QueryAsync(ConversationQuery.Unassigned("queue-7"))).Items.Count;

    private static ConversationQuery QueueView() => new() { Statuses = [ConversationStatus.Open], Queue = "queue-7", Sort = ConversationSort.LastActivityNewest, Limit = 50 };

    private async Task<Page<Conversation>> QueryAsync(ConversationQuery query)
    {
        await using var session = await _store!.BeginAsync(Ws, default);
        return await session.QueryConversationsAsync(query, default);
    }

    private static IEnumerable<Conversation> Generate()
    {
        var random = new Random(42);
        for (var i = 0; i < Conversations; i++)
        {
            var created = T0.AddSeconds(i * 20L);
            var status = (ConversationStatus)(random.Next(8) switch { 0 or 1 => 0, 2 => 1, 3 => 2, _ => 3 });
            var assigned = random.Next(3) > 0;
            yield return new Conversation
            {
                Id = new ConversationId(Guid.CreateVersion7(created)),
                WorkspaceId = Ws,
                ContactId = new ContactId(Guid.CreateVersion7(created)),
                Channel = new ChannelAccount(ChannelKind.WhatsApp, "15550001111"),
                Handle = new ContactHandle(ChannelKind.WhatsApp, "cust-" + i.ToString(CultureInfo.InvariantCulture)),
                Status = status,
                Priority = (ConversationPriority)random.Next(4),
                Queue = "queue-" + random.Next(20).ToString(CultureInfo.InvariantCulture),
                Assignee = assigned ? new AgentId("agent-" + random.Next(50).ToString(CultureInfo.InvariantCulture)) : null,
                Tags = random.Next(4) == 0 ? ["vip"] : [],
                Cycle = new ConversationCycle(1, created, created),
                WaitingSince = status == ConversationStatus.Open ? created.AddMinutes(random.Next(600)) : null,
                MessageCount = 1 + random.Next(20),
                CreatedAt = created,
                LastActivityAt = created.AddSeconds(random.Next(30 * 24 * 3600)),
            };
        }
    }

    private static void SeedSqlite(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT count(*) FROM conversations";
            if ((long)count.ExecuteScalar()! >= Conversations)
            {
                return;
            }
        }

        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText =
            "INSERT INTO conversations (workspace_id, id, version, contact_id, channel_kind, account_id, handle_kind, handle_id, visibility, status, priority, queue, assignee, tags, created, last_activity, waiting, doc) " +
            "VALUES ($ws, $id, 1, $contact, $ck, $acc, $hk, $hid, $vis, $status, $priority, $queue, $assignee, $tags, $created, $la, $w, $doc)";
        var names = new[] { "$ws", "$id", "$contact", "$ck", "$acc", "$hk", "$hid", "$vis", "$status", "$priority", "$queue", "$assignee", "$tags", "$created", "$la", "$w", "$doc" };
        var p = names.ToDictionary(n => n, n => insert.Parameters.Add(n, SqliteType.Text));
        insert.Prepare();
        foreach (var c in Generate())
        {
            p["$ws"].Value = c.WorkspaceId.Value;
            p["$id"].Value = c.Id.Value.ToByteArray(bigEndian: true);
            p["$contact"].Value = c.ContactId.Value.ToByteArray(bigEndian: true);
            p["$ck"].Value = c.Channel.Kind.Name;
            p["$acc"].Value = c.Channel.AccountId;
            p["$hk"].Value = c.Handle.Kind.Name;
            p["$hid"].Value = c.Handle.ExternalId;
            p["$vis"].Value = (int)c.Visibility;
            p["$status"].Value = (int)c.Status;
            p["$priority"].Value = (int)c.Priority;
            p["$queue"].Value = (object?)c.Queue ?? DBNull.Value;
            p["$assignee"].Value = (object?)c.Assignee?.Value ?? DBNull.Value;
            p["$tags"].Value = c.Tags.Count == 0 ? "[]" : "[\"vip\"]";
            p["$created"].Value = c.CreatedAt.UtcTicks;
            p["$la"].Value = c.LastActivityAt.UtcTicks;
            p["$w"].Value = ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest);
            p["$doc"].Value = CareJsonContext.Serialize(c);
            insert.ExecuteNonQuery();
        }

        tx.Commit();
        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.ExecuteNonQuery();
    }

    private static async Task SeedPostgresAsync(PostgreSqlCareStore store)
    {
        var s = store.Sql.S;
        await using (var count = store.DataSource.CreateCommand($"SELECT count(*) FROM {s}.conversations"))
        {
            if ((long)(await count.ExecuteScalarAsync())! >= Conversations)
            {
                return;
            }
        }

        await using (var connection = await store.DataSource.OpenConnectionAsync())
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                $"COPY {s}.conversations (workspace_id, id, version, contact_id, channel_kind, account_id, handle_kind, handle_id, visibility, status, priority, queue, assignee, tags, created, last_activity, waiting, doc) FROM STDIN (FORMAT BINARY)");
            foreach (var c in Generate())
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(c.WorkspaceId.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Id.Value, NpgsqlDbType.Uuid);
                await writer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await writer.WriteAsync(c.ContactId.Value, NpgsqlDbType.Uuid);
                await writer.WriteAsync(c.Channel.Kind.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Channel.AccountId, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Handle.Kind.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Handle.ExternalId, NpgsqlDbType.Text);
                await writer.WriteAsync((int)c.Visibility, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)c.Status, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)c.Priority, NpgsqlDbType.Integer);
                await writer.WriteAsync(c.Queue, NpgsqlDbType.Text);
                if (c.Assignee is { } a)
                {
                    await writer.WriteAsync(a.Value, NpgsqlDbType.Text);
                }
                else
                {
                    await writer.WriteNullAsync();
                }

                await writer.WriteAsync(c.Tags.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(c.CreatedAt.UtcTicks, NpgsqlDbType.Bigint);
                await writer.WriteAsync(c.LastActivityAt.UtcTicks, NpgsqlDbType.Bigint);
                await writer.WriteAsync(ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest), NpgsqlDbType.Bigint);
                await writer.WriteAsync(CareJsonContext.Serialize(c), NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }

        await using var analyze = store.DataSource.CreateCommand($"ANALYZE {s}.conversations");
        await analyze.ExecuteNonQueryAsync();
    }
}
