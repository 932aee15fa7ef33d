using SocialCare.Storage;
using SocialCare.Testing.Channels;

namespace SocialCare.EndToEnd;

/// <summary>
/// The outbox's promises, end to end against the fake platform on the fake clock: a 429's <c>Retry-After</c> is
/// honoured to the second, a 5xx is retried once and sent once, and a reply whose sender crashed mid-call is never sent
/// twice. All on the WhatsApp number (in-pipeline retries off, see <see cref="EndToEndHost"/>, so every failure reaches
/// the outbox).
/// </summary>
public sealed class OutboxDeliveryTests
{
    private const string ThrottledBody =
        """{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"AbCdEf"}}""";

    private const string ServerErrorBody =
        """{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"AbCdEf"}}""";

    [Fact]
    public async Task Throttled429WithRetryAfter40s_IsResentExactlyWhenTheWaitEnds()
    {
        await using var host = await EndToEndHost.StartAsync();
        var queued = await AgentReplyTests.ReplyToWhatsAppCustomerAsync(host, "We are on it.");
        // 40 s is above the adapter's in-pipeline MaxRetryAfter (30 s): the 429 goes back to the outbox.
        host.Platform.RespondWith(FakeResponse.Json(429, ThrottledBody, TimeSpan.FromSeconds(40)));
        host.Platform.RespondWith(AgentReplyTests.WhatsAppSent("wamid.after-429"));

        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());
        var first = Assert.Single(host.Platform.Requests);
        Assert.Equal(429, first.StatusCode);
        var waiting = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Queued, waiting.Delivery?.Status);
        Assert.Null(waiting.PlatformMessageId);
        Assert.Equal(1, await host.Outbox.CountAsync(CancellationToken.None));

        host.Time.Advance(TimeSpan.FromSeconds(39));
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());
        Assert.Single(host.Platform.Requests);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());

        Assert.Equal(2, host.Platform.Requests.Count);
        var second = host.Platform.Requests[1];
        Assert.Equal(200, second.StatusCode);
        Assert.Equal(first.PathAndQuery, second.PathAndQuery);
        Assert.Equal(first.Body.ToArray(), second.Body.ToArray());
        Assert.Equal(EndToEndHost.Start.AddSeconds(40), second.ReceivedAt);
        var sent = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Sent, sent.Delivery?.Status);
        Assert.Equal("wamid.after-429", sent.PlatformMessageId);
        Assert.Single(host.Events.Sent);
        Assert.Empty(host.Events.Failed);
        Assert.Equal(0, await host.Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ServerErrorOnce_IsRetriedAfterBackoff_AndSentExactlyOnce()
    {
        await using var host = await EndToEndHost.StartAsync();
        var queued = await AgentReplyTests.ReplyToWhatsAppCustomerAsync(host, "Let me check that for you.");
        host.Platform.RespondWith(FakeResponse.Json(500, ServerErrorBody));
        host.Platform.RespondWith(AgentReplyTests.WhatsAppSent("wamid.after-500"));

        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());
        Assert.Equal(500, Assert.Single(host.Platform.Requests).StatusCode);
        Assert.Equal(DeliveryStatus.Queued, (await host.MessageAsync(queued)).Delivery?.Status);
        Assert.Empty(host.Events.All.OfType<ReplySent>());

        // The outbox's first backoff is RetryBaseDelay (5 s) plus up to 20 % jitter: not due after 4 s, due after 6 s.
        host.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());
        host.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());
        host.Time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());

        var requests = host.Platform.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal([500, 200], requests.Select(r => r.StatusCode));
        Assert.Single(requests, r => r.StatusCode is >= 200 and < 300);
        var sent = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Sent, sent.Delivery?.Status);
        Assert.Equal("wamid.after-500", sent.PlatformMessageId);
        var published = Assert.Single(host.Events.Sent);
        Assert.Equal(queued.Id, published.Message.Id);
        Assert.Equal("wamid.after-500", published.Message.PlatformMessageId);
        Assert.Empty(host.Events.Failed);
    }

    [Fact]
    public async Task CrashBetweenSendAndRecord_IsNotResent_AndTheReplyIsFailedAsOutcomeUnknown()
    {
        await using var host = await EndToEndHost.StartAsync();
        var queued = await AgentReplyTests.ReplyToWhatsAppCustomerAsync(host, "Your refund is on its way.");
        var lease = TimeSpan.FromMinutes(2);

        // "node-a" claims the reply, durably marks the send started, and its platform call reaches the platform...
        var now = host.Time.GetUtcNow();
        var claimed = Assert.Single(await host.Outbox.ClaimDueAsync("node-a", now, lease, 10, CancellationToken.None));
        Assert.Equal(queued.Id, claimed.MessageId);
        Assert.True(await host.Outbox.MarkSendStartedAsync(EndToEndHost.Workspace, queued.Id, "node-a", now, CancellationToken.None));
        var conversation = await host.Inbox.GetAsync(EndToEndHost.Workspace, queued.ConversationId);
        var outbound = new OutboundMessage
        {
            WorkspaceId = EndToEndHost.Workspace,
            Channel = queued.Channel,
            Recipient = conversation.Handle,
            MessageId = queued.Id,
            Text = queued.Text,
            Visibility = conversation.Visibility,
            LastCustomerMessageAt = conversation.LastCustomerMessageAt,
        };
        host.Platform.RespondWith(AgentReplyTests.WhatsAppSent("wamid.crashed-node"));
        var result = await host.Adapter(ChannelKind.WhatsApp).SendAsync(outbound, CancellationToken.None);
        Assert.Equal(new SendSucceeded("wamid.crashed-node"), result);
        await host.Platform.WaitForRequestsAsync(1, TestContext.Current.CancellationToken);

        // ...and then it stops before recording anything. While its lease holds, the host's dispatcher leaves it alone.
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());

        host.Time.Advance(lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());

        Assert.Single(host.Platform.Requests);
        var failed = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Failed, failed.Delivery?.Status);
        Assert.Equal("socialcare.outcome_unknown", failed.Delivery?.FailureCode);
        Assert.False(string.IsNullOrWhiteSpace(failed.Delivery?.FailureReason));
        Assert.Null(failed.PlatformMessageId);
        Assert.Equal(queued.Id, Assert.Single(host.Events.Failed).Message.Id);
        Assert.Empty(host.Events.Sent);
        Assert.Equal(0, await host.Outbox.CountAsync(CancellationToken.None));

        // Nothing is left to send later either.
        host.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());
        Assert.Single(host.Platform.Requests);
    }
}
