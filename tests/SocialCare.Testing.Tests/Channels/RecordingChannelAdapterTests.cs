using SocialCare.Channels;
using SocialCare.Testing.Channels;

namespace SocialCare.Testing.Tests.Channels;

public sealed class RecordingChannelAdapterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static OutboundMessage Message(string text = "Hello", int n = 1) => new()
    {
        WorkspaceId = new WorkspaceId("ws-a"),
        Channel = new ChannelAccount(RecordingChannelAdapter.DefaultKind, "acct-1"),
        Recipient = new ContactHandle(RecordingChannelAdapter.DefaultKind, "customer-1"),
        MessageId = MessageId.New(new DateTimeOffset(2026, 3, 1, 9, 0, n, TimeSpan.Zero)),
        Text = text,
    };

    [Fact]
    public async Task Send_Default_RecordsAndSucceedsWithNumberedIds()
    {
        var adapter = new RecordingChannelAdapter();

        var first = await adapter.SendAsync(Message("a"), Ct);
        var second = await adapter.SendAsync(Message("b"), Ct);

        Assert.Equal(SendResult.Sent("fake-1"), first);
        Assert.Equal(SendResult.Sent("fake-2"), second);
        Assert.Equal(["a", "b"], adapter.Sent.Select(m => m.Text));
        Assert.Equal(["a", "b"], adapter.Delivered.Select(m => m.Text));
    }

    [Fact]
    public async Task Send_ScriptedResults_AreReturnedInOrderThenTheDefault()
    {
        var adapter = new RecordingChannelAdapter();
        var throttled = SendResult.Failed("429", "slow down", isRetryable: true, TimeSpan.FromSeconds(3));
        adapter.EnqueueSendResult(throttled);
        adapter.EnqueueSendResult(SendResult.Sent("platform-9"));

        Assert.Equal(throttled, await adapter.SendAsync(Message(), Ct));
        Assert.Equal(SendResult.Sent("platform-9"), await adapter.SendAsync(Message(), Ct));
        Assert.Equal(SendResult.Sent("fake-3"), await adapter.SendAsync(Message(), Ct));
        Assert.Equal(3, adapter.Sent.Count);
        Assert.Equal(2, adapter.Delivered.Count);
    }

    [Fact]
    public async Task Send_ExceptionAfterDelivery_IsRecordedAsDeliveredThenThrows()
    {
        var adapter = new RecordingChannelAdapter();
        adapter.EnqueueSendException(new IOException("crashed after the platform answered"), afterDelivery: true);
        adapter.EnqueueSendException(new HttpRequestException("never reached the platform"));

        var crash = await Assert.ThrowsAsync<IOException>(async () => await adapter.SendAsync(Message("once"), Ct));
        await Assert.ThrowsAsync<HttpRequestException>(async () => await adapter.SendAsync(Message("twice"), Ct));

        Assert.Equal("crashed after the platform answered", crash.Message);
        Assert.Equal(["once", "twice"], adapter.Sent.Select(m => m.Text));
        Assert.Equal(["once"], adapter.Delivered.Select(m => m.Text));
    }

    [Fact]
    public async Task Send_HandlerAndTooLongText()
    {
        var adapter = new RecordingChannelAdapter { Capabilities = new ChannelCapabilities { MaxTextLength = 5 } };

        var tooLong = Assert.IsType<SendFailed>(await adapter.SendAsync(Message("123456"), Ct));
        adapter.SendHandler = m => SendResult.Sent("h-" + m.Text);
        var handled = await adapter.SendAsync(Message("abc"), Ct);

        Assert.False(tooLong.IsRetryable);
        Assert.Equal(SendResult.Sent("h-abc"), handled);
        Assert.Equal(["abc"], adapter.Delivered.Select(m => m.Text));
    }

    [Fact]
    public async Task Send_Cancelled_ThrowsAndRecordsNothing()
    {
        var adapter = new RecordingChannelAdapter();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await adapter.SendAsync(Message(), new CancellationToken(canceled: true)));

        Assert.Empty(adapter.Sent);
    }

    [Fact]
    public async Task WaitForSends_CompletesWhenConcurrentSendsArrive()
    {
        var adapter = new RecordingChannelAdapter();
        var wait = adapter.WaitForSendsAsync(20, Ct);
        var alreadyNone = adapter.WaitForSendsAsync(0, Ct);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () => await adapter.SendAsync(Message(n: i), Ct), Ct)));

        Assert.True(alreadyNone.IsCompletedSuccessfully);
        Assert.Equal(20, (await wait).Count);
        Assert.Equal(20, adapter.Sent.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(20, adapter.Delivered.Count);
    }

    [Fact]
    public async Task WaitForSends_Cancelled_Throws()
    {
        var adapter = new RecordingChannelAdapter();
        using var cts = new CancellationTokenSource();
        var wait = adapter.WaitForSendsAsync(1, cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task Handle_BuiltInFormat_ParsesMessagesAndStatuses()
    {
        var adapter = new RecordingChannelAdapter { Kind = new ChannelKind("test-chat") };
        var body = """
            {"workspace":"ws-a","account":"acct-1",
             "messages":[{"id":"m-1","from":"c-1","text":"Hi","at":"2026-03-01T09:00:00+02:00","replyTo":"fake-1"}],
             "statuses":[{"id":"fake-1","to":"c-1","status":"read","at":"2026-03-01T09:00:05Z"}]}
            """u8.ToArray();

        var events = Assert.IsType<WebhookEvents>(await adapter.HandleAsync(RecordingChannelAdapter.CreateWebhookRequest(body), Ct)).InboundEvents;

        var message = Assert.IsType<InboundMessage>(events[0]);
        Assert.Equal(new WorkspaceId("ws-a"), message.WorkspaceId);
        Assert.Equal(new ChannelAccount(new ChannelKind("test-chat"), "acct-1"), message.Channel);
        Assert.Equal(new ContactHandle(new ChannelKind("test-chat"), "c-1"), message.Customer);
        Assert.Equal("m-1", message.PlatformMessageId);
        Assert.Equal("Hi", message.Text);
        Assert.Equal("fake-1", message.ReplyToPlatformMessageId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(2)), message.OccurredAt);
        var status = Assert.IsType<InboundStatus>(events[1]);
        Assert.Equal(DeliveryStatus.Read, status.Status);
        Assert.Equal("fake-1", status.PlatformMessageId);
        Assert.Single(adapter.Received);
    }

    [Theory]
    [InlineData("""{"workspace":"ws-a","account":"a","messages":[{"id":"m","from":"c"}]}""", "'at'")]
    [InlineData("""{"workspace":"ws-a","account":"a","messages":{}}""", "wrong JSON type")]
    [InlineData("""{"workspace":"ws-a","account":"a","statuses":[{"id":"m","to":"c","status":"lost","at":"2026-03-01T09:00:00Z"}]}""", "'lost'")]
    [InlineData("""{"workspace":"ws-a","account":"a"}""", "needs")]
    [InlineData("""{"workspace":"ws a","account":"a","messages":[]}""", "ws a")]
    [InlineData("""{"unexpected":true}""", "'unexpected'")]
    [InlineData("""[1]""", "Array")]
    [InlineData("""{"workspace":""", "not JSON")]
    public async Task Handle_BuiltInFormat_BadShapesAreUnparseableWithReason(string json, string reasonPart)
    {
        var adapter = new RecordingChannelAdapter();

        var result = await adapter.HandleAsync(RecordingChannelAdapter.CreateWebhookRequest(System.Text.Encoding.UTF8.GetBytes(json)), Ct);

        Assert.Contains(reasonPart, Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_WithSecret_RejectsMissingOrWrongSignatures()
    {
        var adapter = new RecordingChannelAdapter { WebhookSecret = "s3cret" };
        var body = """{"workspace":"ws-a","account":"a","messages":[]}"""u8.ToArray();

        Assert.IsType<WebhookEvents>(await adapter.HandleAsync(RecordingChannelAdapter.CreateWebhookRequest(body, "s3cret"), Ct));
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await adapter.HandleAsync(RecordingChannelAdapter.CreateWebhookRequest(body, "other"), Ct)).StatusCode);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await adapter.HandleAsync(RecordingChannelAdapter.CreateWebhookRequest(body), Ct)).StatusCode);
    }

    [Fact]
    public async Task Handle_ScriptedResultsThenHandler()
    {
        var adapter = new RecordingChannelAdapter();
        adapter.EnqueueWebhookResult(WebhookResult.Handshake("challenge"));
        adapter.WebhookHandler = _ => WebhookResult.Rejected(403, "scripted");
        var request = RecordingChannelAdapter.CreateWebhookRequest("{}"u8.ToArray());

        Assert.Equal(WebhookResult.Handshake("challenge"), await adapter.HandleAsync(request, Ct));
        Assert.Equal(WebhookResult.Rejected(403, "scripted"), await adapter.HandleAsync(request, Ct));
        Assert.Equal(2, adapter.Received.Count);
    }
}
