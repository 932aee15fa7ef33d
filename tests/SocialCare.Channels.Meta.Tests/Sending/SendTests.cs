using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace SocialCare.Channels.Meta.Sending;

public sealed class SendTests : IDisposable
{
    private static readonly MessageId Id = MessageId.Parse("0193a5c4-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly RecordingHandler _handler = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly MetaHost _host;

    public SendTests()
    {
        _host = new MetaHost(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddHttpClient(MetaSocialCareBuilderExtensions.MessengerHttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.AddHttpClient(MetaSocialCareBuilderExtensions.InstagramHttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<MessengerOptions>("fbmq", o => o.Resilience.MaxRetryAttempts = 0); // one attempt: the mapping is under test
            services.Configure<MessengerOptions>("docs", o => o.UseHumanAgentTag = true); // default retries
            services.Configure<InstagramOptions>("ig", o => o.Resilience.MaxRetryAttempts = 0);
        });
    }

    public void Dispose()
    {
        _host.Dispose();
        _handler.Dispose();
    }

    private static OutboundMessage Message(string? text = "Hello!", string account = MetaHost.FbmqPage, TimeSpan? customerWroteAgo = null, ChannelKind? kind = null) => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(kind ?? ChannelKind.Messenger, account),
        Recipient = new ContactHandle(kind ?? ChannelKind.Messenger, "1134343043305865"),
        MessageId = Id,
        Text = text,
        LastCustomerMessageAt = Now - (customerWroteAgo ?? TimeSpan.FromMinutes(5)),
    };

    private static OutboundMessage Instagram(string? text = "Hello!") =>
        Message(text, MetaHost.InstagramAccount, kind: ChannelKind.Instagram);

    private void RespondSent(string mid = "mid.sent1") =>
        _handler.Respond(HttpStatusCode.OK, $$"""{"recipient_id":"1134343043305865","message_id":"{{mid}}"}""");

    [Fact]
    public async Task SendAsync_TextWithin24Hours_PostsResponseToPageWithBearerAndReturnsMid()
    {
        RespondSent();

        var result = await _host.Messenger.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(SendResult.Sent("mid.sent1"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/1691462197845448/messages"), request.Uri);
        Assert.Equal("Bearer EAAG-page-token", request.Authorization);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("1134343043305865", root.GetProperty("recipient").GetProperty("id").GetString());
        Assert.Equal("RESPONSE", root.GetProperty("messaging_type").GetString());
        Assert.False(root.TryGetProperty("tag", out _));
        Assert.Equal("Hello!", root.GetProperty("message").GetProperty("text").GetString());
        Assert.False(root.GetProperty("message").TryGetProperty("attachment", out _));
    }

    [Fact]
    public async Task SendAsync_InstagramText_PostsToTheInstagramAccount()
    {
        RespondSent("aWdf.sent");

        var result = await _host.Instagram.SendAsync(Instagram(), CancellationToken.None);

        Assert.Equal(SendResult.Sent("aWdf.sent"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/17841400000000001/messages"), request.Uri);
        Assert.Equal("Bearer EAAG-page-token", request.Authorization);
    }

    [Fact]
    public async Task SendAsync_ExactlyAt24Hours_IsStillResponse()
    {
        RespondSent();

        await _host.Messenger.SendAsync(Message(customerWroteAgo: TimeSpan.FromHours(24)), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_handler.Requests).Body);
        Assert.Equal("RESPONSE", json.RootElement.GetProperty("messaging_type").GetString());
    }

    [Fact]
    public async Task SendAsync_After24HoursWithHumanAgentTag_SendsMessageTagHumanAgent()
    {
        RespondSent();

        var result = await _host.Messenger.SendAsync(Message(account: MetaHost.DocsPage, customerWroteAgo: TimeSpan.FromDays(3)), CancellationToken.None);

        Assert.IsType<SendSucceeded>(result);
        using var json = JsonDocument.Parse(Assert.Single(_handler.Requests).Body);
        Assert.Equal("MESSAGE_TAG", json.RootElement.GetProperty("messaging_type").GetString());
        Assert.Equal("HUMAN_AGENT", json.RootElement.GetProperty("tag").GetString());
    }

    [Fact]
    public async Task SendAsync_After24HoursWithoutTag_FailsNamingWhenTheWindowClosedWithoutCallingGraph()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(customerWroteAgo: TimeSpan.FromHours(25)), CancellationToken.None));

        Assert.False(failed.IsRetryable);
        Assert.Equal("outside-window", failed.ErrorCode);
        Assert.Contains("24-hour window closed at 2026-01-01 11:00:00Z", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_After7DaysWithTag_FailsNamingBothWindows()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(account: MetaHost.DocsPage, customerWroteAgo: TimeSpan.FromDays(8)), CancellationToken.None));

        Assert.False(failed.IsRetryable);
        Assert.Contains("24-hour window closed at 2025-12-25 12:00:00Z", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("7-day HUMAN_AGENT window at 2025-12-31 12:00:00Z", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_CustomerNeverWrote_FailsAsWindowClosed()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Instagram.SendAsync(Instagram() with { LastCustomerMessageAt = null }, CancellationToken.None));

        Assert.False(failed.IsRetryable);
        Assert.Equal("outside-window", failed.ErrorCode);
        Assert.Contains("24-hour window is closed", failed.Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_ImageByUrl_SendsAttachmentPayload()
    {
        RespondSent();
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };

        await _host.Messenger.SendAsync(Message(text: null) with { Attachments = [image] }, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_handler.Requests).Body);
        var attachment = json.RootElement.GetProperty("message").GetProperty("attachment");
        Assert.Equal("image", attachment.GetProperty("type").GetString());
        Assert.Equal("https://cdn.example/a.jpg", attachment.GetProperty("payload").GetProperty("url").GetString());
        Assert.False(json.RootElement.GetProperty("message").TryGetProperty("text", out _));
    }

    [Fact]
    public async Task SendAsync_UnsendableMessages_FailWithoutCallingGraph()
    {
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };
        var file = new Attachment { Kind = AttachmentKind.File, Url = new Uri("https://cdn.example/a.pdf") };
        var place = new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(1, 2) };

        var refusals = new[]
        {
            await _host.Messenger.SendAsync(Message(text: null), CancellationToken.None),
            await _host.Messenger.SendAsync(Message() with { Attachments = [image] }, CancellationToken.None),
            await _host.Messenger.SendAsync(Message(text: null) with { Attachments = [image, image] }, CancellationToken.None),
            await _host.Messenger.SendAsync(Message(text: null) with { Attachments = [place] }, CancellationToken.None),
            await _host.Instagram.SendAsync(Instagram(text: null) with { Attachments = [file] }, CancellationToken.None),
            await _host.Messenger.SendAsync(Message(new string('a', 2001)), CancellationToken.None),
            await _host.Instagram.SendAsync(Instagram(new string('a', 1001)), CancellationToken.None),
            await _host.Messenger.SendAsync(Message() with { Visibility = ConversationVisibility.Public }, CancellationToken.None),
            await _host.Messenger.SendAsync(Message(text: null) with { Template = new MessageTemplate("t", "en_US", []) }, CancellationToken.None),
        };

        Assert.All(refusals, r => Assert.False(Assert.IsType<SendFailed>(r).IsRetryable));
        Assert.Contains("2000 characters", ((SendFailed)refusals[5]).Reason, StringComparison.Ordinal);
        Assert.Contains("1000 characters", ((SendFailed)refusals[6]).Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_TextAtTheLimit_IsSent()
    {
        RespondSent();

        Assert.IsType<SendSucceeded>(await _host.Messenger.SendAsync(Message(new string('a', 2000)), CancellationToken.None));
        Assert.IsType<SendSucceeded>(await _host.Instagram.SendAsync(Instagram(new string('a', 1000)), CancellationToken.None));
    }

    [Fact]
    public async Task SendAsync_UnregisteredAccountOrOtherKind_FailsWithoutCallingGraph()
    {
        var unknown = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(account: "999"), CancellationToken.None));
        var instagramOnMessenger = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Instagram(), CancellationToken.None));

        Assert.Equal("not-registered", unknown.ErrorCode);
        Assert.Equal("not-registered", instagramOnMessenger.ErrorCode);
        Assert.Empty(_handler.Requests);
    }

    [Theory]
    [InlineData(400, 4, true)]
    [InlineData(400, 17, true)]
    [InlineData(400, 32, true)]
    [InlineData(400, 613, true)]
    [InlineData(500, 2, true)]
    [InlineData(400, 100, false)]
    [InlineData(400, 10, false)]
    [InlineData(401, 190, false)]
    public async Task SendAsync_GraphError_FailedWithCodeSubcodeAndRetryable(int status, long code, bool retryable)
    {
        _handler.Respond((HttpStatusCode)status, $$$"""{"error":{"message":"(#{{{code}}}) Something","type":"OAuthException","code":{{{code}}},"error_subcode":2018278,"fbtrace_id":"A"}}""");

        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(code.ToString(CultureInfo.InvariantCulture), failed.ErrorCode);
        Assert.Equal($"(#{code}) Something (error_subcode 2018278)", failed.Reason);
        Assert.Equal(retryable, failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDelta_IsReturned()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));

        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal("429", failed.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(30), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDate_IsMeasuredOnTheInjectedClock()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, "oops", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(2)));

        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("503", failed.ErrorCode);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromMinutes(2), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_NetworkError_RetryableFailure()
    {
        _handler.Throw(new HttpRequestException("connection refused"));

        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal("network", failed.ErrorCode);
    }

    [Fact]
    public async Task SendAsync_HttpClientTimeout_NotRetryable()
    {
        _handler.Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException()));

        var failed = Assert.IsType<SendFailed>(await _host.Messenger.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("timeout", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        RespondSent();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _host.Messenger.SendAsync(Message(), cts.Token));
    }

    [Fact]
    public async Task SendAsync_ThrottledWithRetryAfterZero_RetriedThroughThePipelineThenSent()
    {
        RespondSent("mid.after-retry");
        _handler.RespondFirst(HttpStatusCode.BadRequest, """{"error":{"code":613,"message":"Calls to this api have exceeded the rate limit."}}""", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero));

        var result = await _host.Messenger.SendAsync(Message(account: MetaHost.DocsPage), CancellationToken.None);

        Assert.Equal(SendResult.Sent("mid.after-retry"), result);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }
}
