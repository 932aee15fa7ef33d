using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocialCare.Channels;

namespace SocialCare.Outbound;

public sealed class OutboxDispatcherTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private readonly ScriptedAdapter _whatsApp = new(ChannelKind.WhatsApp);
    private readonly CareHost _host;

    public OutboxDispatcherTests()
    {
        _host = CareHost.Create(
            care => care.ConfigureOutbox(o =>
            {
                o.InstanceName = "node-b";
                o.MaxAttempts = 3;
                o.RetryBaseDelay = TimeSpan.FromSeconds(10);
                o.Lease = TimeSpan.FromMinutes(1);
            }),
            services => services.AddSingleton<IChannelAdapter>(_whatsApp));
    }

    private IOutboxDispatcher Dispatcher => _host.Services.GetRequiredService<IOutboxDispatcher>();

    private IOutboxStore Outbox => _host.Services.GetRequiredService<IOutboxStore>();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<(Conversation Conversation, Message Reply)> ReplyAsync(string text = "We are on it.", string inbound = "wamid.in1")
    {
        var conversation = await _host.ReceiveAsync(inbound);
        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = text, ReplyToPlatformMessageId = inbound });
        return (conversation, reply);
    }

    private async Task<Message> StoredAsync(Message message) =>
        Assert.Single(await _host.MessagesAsync(message.ConversationId), m => m.Id == message.Id);

    [Fact]
    public async Task Reply_IsQueuedInTheOutboxWithTheMessage()
    {
        var (_, reply) = await ReplyAsync();

        Assert.Equal(DeliveryStatus.Queued, reply.Delivery!.Status);
        Assert.Equal(1, await Outbox.CountAsync(CancellationToken.None));
        Assert.Empty(_whatsApp.Sent);
    }

    [Fact]
    public async Task DispatchDue_SendsTheReplyOnce_RecordsThePlatformId_AndEmptiesTheOutbox()
    {
        var customerWroteAt = _host.Now;
        var (conversation, reply) = await ReplyAsync();
        _host.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(1, await Dispatcher.DispatchDueAsync());
        Assert.Equal(0, await Dispatcher.DispatchDueAsync());

        var sent = Assert.Single(_whatsApp.Sent);
        Assert.Equal(reply.Id, sent.MessageId);
        Assert.Equal(CareHost.WhatsApp, sent.Channel);
        Assert.Equal(conversation.Handle, sent.Recipient);
        Assert.Equal("We are on it.", sent.Text);
        Assert.Equal("wamid.in1", sent.ReplyToPlatformMessageId);
        Assert.Equal(ConversationVisibility.Private, sent.Visibility);
        Assert.Equal(customerWroteAt, sent.LastCustomerMessageAt);

        var stored = await StoredAsync(reply);
        Assert.Equal("platform-1", stored.PlatformMessageId);
        Assert.Equal(new DeliveryState(DeliveryStatus.Sent, _host.Now), stored.Delivery);
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));
        var sentEvent = Assert.Single(_host.Events.Of<ReplySent>());
        Assert.Equal("platform-1", sentEvent.Message.PlatformMessageId);
    }

    [Fact]
    public async Task StatusWebhook_AfterDispatch_MovesTheReplyToDelivered()
    {
        var (_, reply) = await ReplyAsync();
        await Dispatcher.DispatchDueAsync();

        await _host.IngestAsync(_host.Status("platform-1", DeliveryStatus.Delivered));

        Assert.Equal(DeliveryStatus.Delivered, (await StoredAsync(reply)).Delivery!.Status);
    }

    [Fact]
    public async Task ServerError_IsRetriedAfterBackoff_AndSentOnce()
    {
        var (_, reply) = await ReplyAsync();
        _whatsApp.Then(SendResult.Failed("500", "Internal server error", isRetryable: true));

        await Dispatcher.DispatchDueAsync();
        Assert.Equal(DeliveryStatus.Queued, (await StoredAsync(reply)).Delivery!.Status);

        _host.Advance(TimeSpan.FromSeconds(9)); // the first retry waits 10 s (plus up to 20 % jitter)
        Assert.Equal(0, await Dispatcher.DispatchDueAsync());
        _host.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());

        Assert.Equal(2, _whatsApp.Sent.Count);
        var stored = await StoredAsync(reply);
        Assert.Equal("platform-2", stored.PlatformMessageId);
        Assert.Equal(DeliveryStatus.Sent, stored.Delivery!.Status);
        Assert.Single(_host.Events.Of<ReplySent>());
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Throttled_WithRetryAfter_WaitsExactlyThatLong()
    {
        await ReplyAsync();
        _whatsApp.Then(SendResult.Failed("130429", "Rate limit hit", isRetryable: true, retryAfter: TimeSpan.FromSeconds(30)));

        await Dispatcher.DispatchDueAsync();
        _host.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await Dispatcher.DispatchDueAsync());
        _host.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());

        Assert.Equal(2, _whatsApp.Sent.Count);
    }

    [Fact]
    public async Task PermanentRefusal_MarksTheReplyFailedWithCodeAndReason_AndDoesNotRetry()
    {
        var (_, reply) = await ReplyAsync();
        _whatsApp.Then(SendResult.Failed("131047", "More than 24 hours have passed since the customer last replied.", isRetryable: false));

        await Dispatcher.DispatchDueAsync();
        _host.Advance(TimeSpan.FromHours(1));
        await Dispatcher.DispatchDueAsync();

        Assert.Single(_whatsApp.Sent);
        var delivery = (await StoredAsync(reply)).Delivery!;
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal("131047", delivery.FailureCode);
        Assert.Equal("More than 24 hours have passed since the customer last replied.", delivery.FailureReason);
        Assert.Equal(reply.Id, Assert.Single(_host.Events.Of<ReplyFailed>()).Message.Id);
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RetryableFailures_GiveUpAfterMaxAttempts()
    {
        var (_, reply) = await ReplyAsync();
        for (var i = 0; i < 3; i++)
        {
            _whatsApp.Then(SendResult.Failed("503", "Service unavailable", isRetryable: true));
        }

        for (var i = 0; i < 3; i++)
        {
            await Dispatcher.DispatchDueAsync();
            _host.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(3, _whatsApp.Sent.Count);
        var delivery = (await StoredAsync(reply)).Delivery!;
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal("503", delivery.FailureCode);
        Assert.Contains("gave up after 3 attempts", delivery.FailureReason, StringComparison.Ordinal);
        Assert.Equal(0, await Dispatcher.DispatchDueAsync());
    }

    [Fact]
    public async Task CrashBetweenSendAndRecord_DoesNotSendTwice_AndSaysTheOutcomeIsUnknown()
    {
        var (_, reply) = await ReplyAsync();

        // Node A claims the entry, marks the send started, calls the platform, and dies before recording anything.
        var claimed = Assert.Single(await Outbox.ClaimDueAsync("node-a", _host.Now, TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.True(await Outbox.MarkSendStartedAsync(claimed.WorkspaceId, claimed.MessageId, "node-a", _host.Now, CancellationToken.None));
        await _whatsApp.SendAsync(new OutboundMessage { WorkspaceId = CareHost.Acme, Channel = CareHost.WhatsApp, Recipient = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice), MessageId = reply.Id, Text = reply.Text }, CancellationToken.None);

        Assert.Equal(0, await Dispatcher.DispatchDueAsync()); // node A's lease still holds
        _host.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Dispatcher.DispatchDueAsync()); // node B takes it over

        Assert.Single(_whatsApp.Sent);
        var delivery = (await StoredAsync(reply)).Delivery!;
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal("socialcare.outcome_unknown", delivery.FailureCode);
        Assert.Contains("not resent", delivery.FailureReason, StringComparison.Ordinal);
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CrashAfterRecordBeforeRemovingTheEntry_CompletesWithoutSending()
    {
        var (_, reply) = await ReplyAsync();
        Assert.Single(await Outbox.ClaimDueAsync("node-a", _host.Now, TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        var session = await _host.BeginAsync();
        await using (session)
        {
            var stored = (await session.GetMessageAsync(reply.Id, CancellationToken.None))!;
            await session.UpdateMessageAsync(stored with { PlatformMessageId = "wamid.out", Delivery = new DeliveryState(DeliveryStatus.Sent, _host.Now), Version = stored.Version + 1 }, CancellationToken.None);
            await session.CommitAsync(CancellationToken.None);
        }

        _host.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());

        Assert.Empty(_whatsApp.Sent);
        Assert.Equal("wamid.out", (await StoredAsync(reply)).PlatformMessageId);
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AdapterThatThrows_FailsTheReplyAsUnknown_WithoutResending()
    {
        var (_, reply) = await ReplyAsync();
        _whatsApp.ThenThrow(new InvalidOperationException("socket closed after write"));

        await Dispatcher.DispatchDueAsync();
        _host.Advance(TimeSpan.FromHours(1));
        await Dispatcher.DispatchDueAsync();

        Assert.Single(_whatsApp.Sent);
        var delivery = (await StoredAsync(reply)).Delivery!;
        Assert.Equal("socialcare.outcome_unknown", delivery.FailureCode);
        Assert.Contains("socket closed after write", delivery.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplyOnAChannelWithoutAdapter_FailsNamingTheChannel()
    {
        var conversation = await _host.ReceiveAsync("mid.1", channel: CareHost.Messenger);
        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Hi" });

        await Dispatcher.DispatchDueAsync();

        var delivery = (await StoredAsync(reply)).Delivery!;
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal("socialcare.no_adapter", delivery.FailureCode);
        Assert.Contains("messenger", delivery.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoDispatchers_Concurrently_SendEveryReplyExactlyOnce()
    {
        var replies = new List<Message>();
        for (var i = 0; i < 120; i++)
        {
            var conversation = await _host.ReceiveAsync($"wamid.c{i}", customer: $"49151{i:D8}");
            replies.Add(await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = $"Reply {i}" }));
        }

        var second = ActivatorUtilities.CreateInstance<OutboxDispatcher>(_host.Services, Options.Create(new OutboxOptions { InstanceName = "node-c", BatchSize = 7 }));
        var tasks = new[] { DrainAsync(Dispatcher), DrainAsync(second), DrainAsync(Dispatcher), DrainAsync(second) };
        await Task.WhenAll(tasks);

        Assert.Equal(120, _whatsApp.Sent.Count);
        Assert.Equal(120, _whatsApp.Sent.Select(s => s.MessageId).Distinct().Count());
        Assert.Equal(0, await Outbox.CountAsync(CancellationToken.None));

        static async Task DrainAsync(IOutboxDispatcher dispatcher)
        {
            while (await dispatcher.DispatchDueAsync() > 0)
            {
            }
        }
    }

    [Fact]
    public async Task BackgroundService_SendsAQueuedReplyWithoutWaitingForThePoll()
    {
        var (_, reply) = await ReplyAsync();
        var service = _host.Services.GetServices<IHostedService>().OfType<OutboxDispatcherService>().Single();

        await service.StartAsync(CancellationToken.None);
        try
        {
            // The clock never moves: only the wake-up from the queued reply (or the first pass) can send it.
            await UntilAsync(() => !_whatsApp.Sent.IsEmpty);

            var second = await _host.Inbox.ReplyAsync(CareHost.Acme, reply.ConversationId, new AgentReply { Agent = Ana, Text = "And another thing" });
            await UntilAsync(() => _whatsApp.Sent.Count >= 2);

            Assert.Equal([reply.Id, second.Id], _whatsApp.Sent.Select(s => s.MessageId));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Yields until the background service did its work; a broken service fails the test instead of hanging it.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "The background dispatcher did not send the queued reply.");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task InvalidOptions_FailAtStartNamingTheSetting()
    {
        await using var host = CareHost.Create(care => care.ConfigureOutbox(o => o.BatchSize = 0));

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("SocialCare:Outbox:BatchSize", error.Message, StringComparison.Ordinal);
    }
}
