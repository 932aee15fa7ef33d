namespace SocialCare.Ingestion;

/// <summary>Delivery statuses of outbound messages: forward only, stale ones absorbed, failures kept, watermarks.</summary>
public sealed class DeliveryStatusTests : IAsyncDisposable
{
    private readonly CareHost _host = CareHost.Create();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task IngestAsync_EchoOfBrandMessage_StoresSentOutboundAndAnswersCustomer()
    {
        var conversation = await _host.ReceiveAsync("wamid.in");
        _host.Advance(TimeSpan.FromMinutes(4));

        var result = await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Answered from the phone app"));

        Assert.Equal(conversation.Id, result.ConversationId);
        var echo = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        Assert.Equal(MessageDirection.Outbound, echo!.Direction);
        Assert.Equal(AuthorKind.Agent, echo.Author.Kind);
        Assert.Equal(new DeliveryState(DeliveryStatus.Sent, _host.Now), echo.Delivery);
        var after = await _host.GetAsync(conversation.Id);
        Assert.Null(after.WaitingSince);
        Assert.Equal(_host.Now, after.Cycle.FirstResponseAt);
    }

    [Fact]
    public async Task IngestAsync_SentDeliveredRead_MovesForwardAndPublishesEachChange()
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Your order shipped"));
        var sent = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        _host.Events.Clear();

        _host.Advance(TimeSpan.FromSeconds(5));
        var delivered = await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Delivered));
        var deliveredAt = _host.Now;
        var afterDelivered = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        _host.Advance(TimeSpan.FromSeconds(5));
        var read = await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Read));

        Assert.Equal(IngestOutcome.Accepted, delivered.Outcome);
        Assert.Equal(IngestOutcome.Accepted, read.Outcome);
        Assert.Equal(sent!.Id, read.MessageId);
        Assert.Equal(sent.ConversationId, read.ConversationId);
        Assert.Equal(new DeliveryState(DeliveryStatus.Delivered, deliveredAt), afterDelivered!.Delivery);
        var final = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        Assert.Equal(new DeliveryState(DeliveryStatus.Read, _host.Now), final!.Delivery);
        Assert.Equal(sent.Version + 2, final.Version);
        Assert.Equal([DeliveryStatus.Delivered, DeliveryStatus.Read], _host.Events.Of<MessageUpdated>().Select(e => e.Message.Delivery!.Status));
        Assert.All(_host.Events.Of<MessageUpdated>(), e => Assert.Equal(MessageChange.Delivery, e.Change));
    }

    [Theory]
    [InlineData(DeliveryStatus.Sent)]
    [InlineData(DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.Read)]
    [InlineData(DeliveryStatus.Failed)]
    public async Task IngestAsync_StatusAfterRead_IsAbsorbedAsDuplicate(DeliveryStatus late)
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Hi"));
        await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Read));
        var read = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        _host.Advance(TimeSpan.FromSeconds(5));

        var result = await _host.IngestAsync(_host.Status("wamid.out", late, failureReason: "late"));

        Assert.Equal(IngestOutcome.Duplicate, result.Outcome);
        Assert.Equal(read, await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out"));
    }

    [Fact]
    public async Task IngestAsync_StatusForCustomerMessage_IsUnmatchedAndChangesNothing()
    {
        await _host.ReceiveAsync("wamid.in");
        var inbound = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.in");

        var result = await _host.IngestAsync(_host.Status("wamid.in", DeliveryStatus.Read));

        Assert.Equal(IngestOutcome.Unmatched, result.Outcome);
        Assert.Equal(inbound, await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.in"));
    }

    [Fact]
    public async Task IngestAsync_Failed_KeepsReasonAndCodeAndLaterStatusesAreAbsorbed()
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Hi"));
        _host.Advance(TimeSpan.FromSeconds(2));

        var failed = await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Failed, failureCode: "131047", failureReason: "More than 24 hours have passed since the customer last replied."));
        var failedAt = _host.Now;
        _host.Advance(TimeSpan.FromSeconds(2));
        var lateRead = await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Read));

        Assert.Equal(IngestOutcome.Accepted, failed.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, lateRead.Outcome);
        var stored = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        Assert.Equal(new DeliveryState(DeliveryStatus.Failed, failedAt, "131047", "More than 24 hours have passed since the customer last replied."), stored!.Delivery);
    }

    [Fact]
    public async Task IngestAsync_FailedAfterDelivered_IsAbsorbed()
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Hi"));
        await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Delivered));

        var result = await _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Failed, failureCode: "1"));

        Assert.Equal(IngestOutcome.Duplicate, result.Outcome);
        Assert.Equal(DeliveryStatus.Delivered, (await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out"))!.Delivery!.Status);
    }

    [Fact]
    public async Task IngestAsync_StatusForUnknownMessage_IsUnmatchedAndStoresNothing()
    {
        var snapshot = await _host.SnapshotAsync();

        var result = await _host.IngestAsync(_host.Status("wamid.never-stored", DeliveryStatus.Delivered));

        Assert.Equal(new IngestResult(IngestOutcome.Unmatched), result);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        Assert.Null(await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice)));
    }

    [Fact]
    public async Task IngestAsync_DispatchedReply_MovesFromQueuedThroughStatuses()
    {
        var conversation = await _host.ReceiveAsync("wamid.in");
        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = new AgentId("ana"), Text = "Hello" });
        await RecordPlatformIdAsync(reply, "wamid.reply");

        var sent = await _host.IngestAsync(_host.Status("wamid.reply", DeliveryStatus.Sent));
        var read = await _host.IngestAsync(_host.Status("wamid.reply", DeliveryStatus.Read));
        var delivered = await _host.IngestAsync(_host.Status("wamid.reply", DeliveryStatus.Delivered)); // out of order: stale

        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Accepted, IngestOutcome.Duplicate], new[] { sent.Outcome, read.Outcome, delivered.Outcome });
        Assert.Equal(DeliveryStatus.Read, (await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.reply"))!.Delivery!.Status);
    }

    [Fact]
    public async Task IngestAsync_MessengerWatermark_MovesEveryEarlierOutboundMessage()
    {
        var psid = "psid-1";
        await _host.IngestAsync(_host.Message("mid.in.1", customer: psid, channel: CareHost.Messenger, text: "Hi"));
        var t1 = _host.Now;
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.IngestAsync(_host.Message("mid.out.1", customer: psid, channel: CareHost.Messenger, echo: true, text: "Hello"));
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.IngestAsync(_host.Message("mid.out.2", customer: psid, channel: CareHost.Messenger, echo: true, text: "How can I help?"));
        var t3 = _host.Now;
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.IngestAsync(_host.Message("mid.out.3", customer: psid, channel: CareHost.Messenger, echo: true, text: "Still there?"));
        _host.Advance(TimeSpan.FromMinutes(1));
        _host.Events.Clear();

        var delivered = await _host.IngestAsync(_host.Status(null, DeliveryStatus.Delivered, customer: psid, channel: CareHost.Messenger, watermark: t3));

        Assert.Equal(IngestOutcome.Accepted, delivered.Outcome);
        Assert.Equal(DeliveryStatus.Delivered, (await Stored("mid.out.1")).Delivery!.Status);
        Assert.Equal(DeliveryStatus.Delivered, (await Stored("mid.out.2")).Delivery!.Status);
        Assert.Equal(DeliveryStatus.Sent, (await Stored("mid.out.3")).Delivery!.Status);
        Assert.Null((await Stored("mid.in.1")).Delivery);
        Assert.Equal(2, _host.Events.Of<MessageUpdated>().Count);

        var read = await _host.IngestAsync(_host.Status(null, DeliveryStatus.Read, customer: psid, channel: CareHost.Messenger, watermark: _host.Now));
        var staleDelivered = await _host.IngestAsync(_host.Status(null, DeliveryStatus.Delivered, customer: psid, channel: CareHost.Messenger, watermark: _host.Now));

        Assert.Equal(IngestOutcome.Accepted, read.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, staleDelivered.Outcome);
        foreach (var id in new[] { "mid.out.1", "mid.out.2", "mid.out.3" })
        {
            Assert.Equal(DeliveryStatus.Read, (await Stored(id)).Delivery!.Status);
        }

        Assert.True(t1 < t3);

        async Task<Message> Stored(string id) => (await _host.FindMessageAsync(CareHost.Messenger, id))!;
    }

    [Fact]
    public async Task IngestAsync_WatermarkOverManyPages_MovesAllOfThem()
    {
        await _host.IngestAsync(_host.Message("mid.in", customer: "psid-2", channel: CareHost.Messenger, text: "Hi"));
        for (var i = 0; i < 520; i++)
        {
            await _host.IngestAsync(_host.Message($"mid.out.{i}", customer: "psid-2", channel: CareHost.Messenger, echo: true, text: "spam"));
        }

        await _host.IngestAsync(_host.Status(null, DeliveryStatus.Read, customer: "psid-2", channel: CareHost.Messenger, watermark: _host.Now));

        var conversation = Assert.Single(await _host.ListAllAsync());
        var outbound = (await _host.MessagesAsync(conversation.Id)).Where(m => m.Direction == MessageDirection.Outbound).ToList();
        Assert.Equal(520, outbound.Count);
        Assert.All(outbound, m => Assert.Equal(DeliveryStatus.Read, m.Delivery!.Status));
    }

    [Fact]
    public async Task IngestAsync_WatermarkWithQueuedReplyNotYetSent_LeavesTheReplyQueued()
    {
        var conversation = await _host.ReceiveAsync("mid.in", customer: "psid-3", channel: CareHost.Messenger);
        await _host.IngestAsync(_host.Message("mid.out.1", customer: "psid-3", channel: CareHost.Messenger, echo: true, text: "Hello"));
        var queued = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = new AgentId("ana"), Text = "Queued, not sent yet" });
        _host.Advance(TimeSpan.FromSeconds(1));

        await _host.IngestAsync(_host.Status(null, DeliveryStatus.Read, customer: "psid-3", channel: CareHost.Messenger, watermark: _host.Now));

        // The platform cannot have delivered or shown a message it was never given.
        var reply = (await _host.MessagesAsync(conversation.Id)).Single(m => m.Id == queued.Id);
        Assert.Equal(DeliveryStatus.Queued, reply.Delivery!.Status);
        Assert.Equal(DeliveryStatus.Read, (await _host.FindMessageAsync(CareHost.Messenger, "mid.out.1"))!.Delivery!.Status);
    }

    [Fact]
    public async Task IngestAsync_WatermarkForCustomerWithoutConversation_IsUnmatched()
    {
        var result = await _host.IngestAsync(_host.Status(null, DeliveryStatus.Read, customer: "psid-unknown", channel: CareHost.Messenger, watermark: _host.Now));

        Assert.Equal(IngestOutcome.Unmatched, result.Outcome);
    }

    /// <summary>What the outbound dispatcher does once the platform accepted a reply: record its platform id.</summary>
    private async Task RecordPlatformIdAsync(Message reply, string platformMessageId)
    {
        var session = await _host.BeginAsync();
        await using (session)
        {
            var stored = await session.GetMessageAsync(reply.Id, CancellationToken.None);
            await session.UpdateMessageAsync(stored! with { PlatformMessageId = platformMessageId, Version = stored.Version + 1 }, CancellationToken.None);
            await session.CommitAsync(CancellationToken.None);
        }
    }
}
