using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SocialCare.Diagnostics;

namespace SocialCare.Events;

/// <summary>Care events reach host subscribers after the commit, in order; a failing subscriber never fails the engine.</summary>
public sealed class CareEventPublisherTests
{
    private static readonly AgentId Ana = new("agent-ana");

    [Fact]
    public async Task IngestAsync_FirstMessage_PublishesCreatedThenReceivedCarryingTheCommittedState()
    {
        await using var host = CareHost.Create();

        var result = await host.IngestAsync(host.Message("wamid.1"));

        var stored = await host.GetAsync(result.ConversationId!.Value);
        var message = Assert.Single(await host.MessagesAsync(stored.Id));
        Assert.Collection(
            host.Events.All,
            e => Assert.Equal(stored, Assert.IsType<ConversationCreated>(e).Conversation),
            e =>
            {
                var received = Assert.IsType<MessageReceived>(e);
                Assert.Equal(message, received.Message);
                Assert.Equal(stored, received.Conversation);
            });
        Assert.All(host.Events.All, e => Assert.Equal(CareHost.Acme, e.WorkspaceId));
        Assert.All(host.Events.All, e => Assert.Equal(host.Now, e.OccurredAt));
    }

    [Fact]
    public async Task IngestAsync_CreatedEventsVersion_CanBeUsedAsExpectedVersion()
    {
        await using var host = CareHost.Create();
        await host.IngestAsync(host.Message("wamid.1"));
        var created = Assert.Single(host.Events.Of<ConversationCreated>());

        // A subscriber that auto-assigns new conversations passes the version it was told about.
        var assigned = await host.Inbox.AssignAsync(CareHost.Acme, created.Conversation.Id, Ana, created.Conversation.Version);

        Assert.Equal(Ana, assigned.Assignee);
    }

    [Fact]
    public async Task IngestAsync_MessageWakingPendingConversation_PublishesUpdatedThenReceived()
    {
        await using var host = CareHost.Create();
        var conversation = await host.ReceiveAsync("wamid.1");
        await host.Inbox.MarkPendingAsync(CareHost.Acme, conversation.Id);
        host.Events.Clear();

        await host.IngestAsync(host.Message("wamid.2"));

        Assert.Collection(
            host.Events.All,
            e =>
            {
                var updated = Assert.IsType<ConversationUpdated>(e);
                Assert.Equal(ConversationStatus.Pending, updated.Previous.Status);
                Assert.Equal(ConversationStatus.Open, updated.Conversation.Status);
            },
            e => Assert.IsType<MessageReceived>(e));
    }

    [Fact]
    public async Task IngestAsync_MessageReopeningConversation_PublishesReopenedUpdatedReceived()
    {
        await using var host = CareHost.Create();
        var conversation = await host.ReceiveAsync("wamid.1");
        await host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);
        host.Events.Clear();

        await host.IngestAsync(host.Message("wamid.2"));

        Assert.Equal([typeof(ConversationReopened), typeof(ConversationUpdated), typeof(MessageReceived)], host.Events.All.Select(e => e.GetType()));
        var stored = await host.GetAsync(conversation.Id);
        Assert.All(host.Events.All, e => Assert.Equal(stored.Version, e switch
        {
            ConversationReopened r => r.Conversation.Version,
            ConversationUpdated u => u.Conversation.Version,
            MessageReceived m => m.Conversation.Version,
            _ => -1,
        }));
    }

    [Fact]
    public async Task IngestAsync_DuplicateOrUnmatched_PublishesNothing()
    {
        await using var host = CareHost.Create();
        await host.IngestAsync(host.Message("wamid.1"));
        host.Events.Clear();

        await host.IngestAsync(host.Message("wamid.1"));
        await host.IngestAsync(host.Status("wamid.unknown", DeliveryStatus.Read));

        Assert.Empty(host.Events.All);
    }

    [Fact]
    public async Task InboxOperations_PublishLifecycleEventsInOrder()
    {
        await using var host = CareHost.Create();
        var conversation = await host.ReceiveAsync("wamid.1");
        host.Events.Clear();

        await host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Hi" });
        await host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana);
        await host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["vip"]);
        await host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);
        await host.Inbox.ReopenAsync(CareHost.Acme, conversation.Id);

        Assert.Equal(
            [
                typeof(ReplyQueued),
                typeof(ConversationAssigned), typeof(ConversationUpdated),
                typeof(ConversationUpdated),
                typeof(ConversationResolved), typeof(ConversationUpdated),
                typeof(ConversationReopened), typeof(ConversationUpdated),
            ],
            host.Events.All.Select(e => e.GetType()));
        var final = await host.GetAsync(conversation.Id);
        Assert.Equal(final, host.Events.Of<ConversationReopened>().Single().Conversation);
    }

    [Fact]
    public async Task Publish_AfterCommit_HandlerSeesTheStoredMessage()
    {
        await using var host = CareHost.Create(
            care => care.AddEventHandler<MessageReceived, StoreReadingHandler>(),
            services => services.AddSingleton<ConcurrentQueue<bool>>());

        await host.IngestAsync(host.Message("wamid.1"));
        await host.IngestAsync(host.Message("wamid.2"));

        Assert.Equal([true, true], host.Services.GetRequiredService<ConcurrentQueue<bool>>());
    }

    [Fact]
    public async Task TypedHandler_ReceivesOnlyItsEventType()
    {
        await using var host = CareHost.Create(
            care => care.AddEventHandler<ConversationResolved, TypedRecorder>(),
            services => services.AddSingleton<ConcurrentQueue<CareEvent>>());
        var conversation = await host.ReceiveAsync("wamid.1");

        await host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);

        var only = Assert.Single(host.Services.GetRequiredService<ConcurrentQueue<CareEvent>>());
        Assert.Equal(conversation.Id, Assert.IsType<ConversationResolved>(only).Conversation.Id);
    }

    [Fact]
    public async Task Handler_Throws_IsLoggedAndCountedAndIngestionAndOtherHandlersGoOn()
    {
        await using var host = CareHost.Create(
            care => care.AddEventHandler<MessageReceived, ThrowingHandler>(),
            services => services.AddFakeLogging());
        using var errors = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SocialCareDiagnostics.MeterName, SocialCareDiagnostics.HandlerErrors);
        var logs = host.Services.GetRequiredService<FakeLogCollector>();

        var result = await host.IngestAsync(host.Message("wamid.1", text: "secret order 42"));
        var second = await host.IngestAsync(host.Message("wamid.2"));

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(IngestOutcome.Accepted, second.Outcome);
        Assert.Equal(2, (await host.GetAsync(result.ConversationId!.Value)).MessageCount);
        Assert.Equal(2, host.Events.Of<MessageReceived>().Count); // the recorder still got every event
        var measurements = errors.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Sum(m => m.Value));
        Assert.All(measurements, m => Assert.Equal(nameof(MessageReceived), m.Tags["socialcare.event.type"]));
        var failures = logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, r =>
        {
            Assert.IsType<InvalidOperationException>(r.Exception);
            Assert.Contains(nameof(ThrowingHandler), r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret order", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Handler_ThrowsOnInboxOperation_OperationStillSucceeds()
    {
        await using var host = CareHost.Create(care => care.AddEventHandler<ConversationResolved, ThrowingHandler>());
        using var errors = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SocialCareDiagnostics.MeterName, SocialCareDiagnostics.HandlerErrors);
        var conversation = await host.ReceiveAsync("wamid.1");

        var resolved = await host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);

        Assert.Equal(ConversationStatus.Resolved, (await host.GetAsync(conversation.Id)).Status);
        Assert.Equal(resolved, await host.GetAsync(conversation.Id));
        Assert.Equal(1, errors.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Handler_ResolvedInAScopePerPublishedBatch()
    {
        await using var host = CareHost.Create(
            care => care.AddEventHandler<CareEvent, ScopeTrackingHandler>(),
            services => services.AddScoped<ScopeMarker>().AddSingleton<ConcurrentQueue<(Guid Scope, string Event)>>());

        await host.IngestAsync(host.Message("wamid.1")); // one batch: ConversationCreated + MessageReceived
        await host.IngestAsync(host.Message("wamid.2")); // another batch: MessageReceived

        var seen = host.Services.GetRequiredService<ConcurrentQueue<(Guid Scope, string Event)>>().ToList();
        Assert.Equal([nameof(ConversationCreated), nameof(MessageReceived), nameof(MessageReceived)], seen.Select(s => s.Event));
        Assert.Equal(seen[0].Scope, seen[1].Scope);
        Assert.NotEqual(seen[1].Scope, seen[2].Scope);
    }

    public sealed class ThrowingHandler : ICareEventHandler<MessageReceived>, ICareEventHandler<ConversationResolved>
    {
        public ValueTask HandleAsync(MessageReceived careEvent, CancellationToken cancellationToken) => throw new InvalidOperationException("Subscriber bug");

        public ValueTask HandleAsync(ConversationResolved careEvent, CancellationToken cancellationToken) => throw new InvalidOperationException("Subscriber bug");
    }

    public sealed class TypedRecorder(ConcurrentQueue<CareEvent> seen) : ICareEventHandler<ConversationResolved>
    {
        public ValueTask HandleAsync(ConversationResolved careEvent, CancellationToken cancellationToken)
        {
            seen.Enqueue(careEvent);
            return ValueTask.CompletedTask;
        }
    }

    public sealed class StoreReadingHandler(ICareStore store, ConcurrentQueue<bool> found) : ICareEventHandler<MessageReceived>
    {
        public async ValueTask HandleAsync(MessageReceived careEvent, CancellationToken cancellationToken)
        {
            // A fresh unit of work sees only committed data.
            var session = await store.BeginAsync(careEvent.WorkspaceId, cancellationToken);
            await using (session)
            {
                var message = await session.FindMessageAsync(careEvent.Message.Channel, careEvent.Message.PlatformMessageId!, cancellationToken);
                var conversation = await session.GetConversationAsync(careEvent.Conversation.Id, cancellationToken);
                found.Enqueue(message?.Id == careEvent.Message.Id && conversation == careEvent.Conversation);
            }
        }
    }

    public sealed class ScopeMarker
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    public sealed class ScopeTrackingHandler(ScopeMarker scope, ConcurrentQueue<(Guid Scope, string Event)> seen) : ICareEventHandler<CareEvent>
    {
        public ValueTask HandleAsync(CareEvent careEvent, CancellationToken cancellationToken)
        {
            seen.Enqueue((scope.Id, careEvent.GetType().Name));
            return ValueTask.CompletedTask;
        }
    }
}
