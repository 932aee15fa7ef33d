using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SocialCare.Channels;
using SocialCare.Testing.Channels;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

/// <summary>Two engine instances on one database dispatch the same outbox: every reply reaches the platform once.</summary>
public sealed class PostgreSqlOutboxDispatchTests : IAsyncLifetime
{
    private static readonly WorkspaceId Ws = new("brand");
    private static readonly ChannelAccount Account = new(RecordingChannelAdapter.DefaultKind, "acct-1");
    private string? _schema;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_schema is null || PostgresTestServer.ConnectionString is not { } cs)
        {
            return;
        }

        await using var dataSource = NpgsqlDataSource.Create(cs);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task TwoInstances_DispatchingOneOutboxConcurrently_SendEveryReplyExactlyOnce()
    {
        var cs = await PostgresTestServer.RequireAsync();
        _schema = PostgresTestServer.NewSchema();
        var platform = new RecordingChannelAdapter();

        ServiceProvider Instance(string name)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IChannelAdapter>(platform);
            services.AddSocialCare(care => care
                .UsePostgreSql(o => { o.ConnectionString = cs; o.Schema = _schema; })
                .AddWorkspace(Ws.Value, "Brand")
                .ConfigureOutbox(o => { o.InstanceName = name; o.BatchSize = 5; }));
            return services.BuildServiceProvider();
        }

        await using var a = Instance("node-a");
        await using var b = Instance("node-b");

        const int Replies = 60;
        var ingestor = a.GetRequiredService<ICareIngestor>();
        var inbox = a.GetRequiredService<ICareInbox>();
        var queued = new List<MessageId>();
        for (var i = 0; i < Replies; i++)
        {
            var result = await ingestor.IngestAsync(
                new InboundMessage
                {
                    WorkspaceId = Ws,
                    Channel = Account,
                    Customer = new ContactHandle(Account.Kind, $"customer-{i}"),
                    OccurredAt = TimeProvider.System.GetUtcNow(),
                    PlatformMessageId = $"in-{i}",
                    Text = "Hello?",
                },
                Ct);
            queued.Add((await inbox.ReplyAsync(Ws, result.ConversationId!.Value, new AgentReply { Agent = new AgentId("ana"), Text = $"Reply {i}" }, cancellationToken: Ct)).Id);
        }

        static async Task DrainAsync(IOutboxDispatcher dispatcher)
        {
            while (await dispatcher.DispatchDueAsync(TestContext.Current.CancellationToken) > 0)
            {
            }
        }

        await Task.WhenAll(
            DrainAsync(a.GetRequiredService<IOutboxDispatcher>()),
            DrainAsync(b.GetRequiredService<IOutboxDispatcher>()),
            DrainAsync(a.GetRequiredService<IOutboxDispatcher>()),
            DrainAsync(b.GetRequiredService<IOutboxDispatcher>()));

        var sent = platform.Sent.Select(m => m.MessageId).ToList();
        Assert.Equal(Replies, sent.Count);
        Assert.Equal(queued.Order(), sent.Order());
        Assert.Equal(0, await a.GetRequiredService<IOutboxStore>().CountAsync(Ct));

        await using var session = await a.GetRequiredService<ICareStore>().BeginAsync(Ws, Ct);
        foreach (var id in queued)
        {
            var message = await session.GetMessageAsync(id, Ct);
            Assert.Equal(DeliveryStatus.Sent, message!.Delivery!.Status);
            Assert.NotNull(message.PlatformMessageId);
        }
    }
}
