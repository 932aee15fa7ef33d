using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace SocialCare.Channels.WhatsApp.Sending;

public sealed class SendTests : IDisposable
{
    private static readonly MessageId Id = MessageId.Parse("0193a5c4-0000-7000-8000-000000000001");
    private readonly RecordingHandler _handler = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly WhatsAppHost _host;

    public SendTests()
    {
        _host = new WhatsAppHost(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddHttpClient(WhatsAppSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<WhatsAppOptions>("bwa", o => o.Resilience.MaxRetryAttempts = 0); // one attempt: the mapping is under test
            services.Configure<WhatsAppOptions>("pywa", o =>
            {
                o.Resilience.RateLimitPermits = 1;
                o.Resilience.RateLimitPeriod = TimeSpan.FromSeconds(4);
                o.Resilience.RateLimitMaxWait = TimeSpan.Zero;
            });
        });
    }

    public void Dispose()
    {
        _host.Dispose();
        _handler.Dispose();
    }

    private static OutboundMessage Message(string? text = "Hello!", string account = "409552778964973") => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.WhatsApp, account),
        Recipient = new ContactHandle(ChannelKind.WhatsApp, "1111111111111"),
        MessageId = Id,
        Text = text,
        LastCustomerMessageAt = new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero), // an hour before the fake clock's start
    };

    [Fact]
    public async Task SendAsync_Text_PostsToPhoneNumberWithBearerAndReturnsWamid()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messaging_product":"whatsapp","contacts":[{"input":"1111111111111","wa_id":"1111111111111"}],"messages":[{"id":"wamid.sent1"}]}""");

        var result = await _host.Adapter.SendAsync(Message() with { ReplyToPlatformMessageId = "wamid.in" }, CancellationToken.None);

        Assert.Equal(SendResult.Sent("wamid.sent1"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/409552778964973/messages"), request.Uri);
        Assert.Equal("Bearer EAAG-test-token", request.Authorization);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("whatsapp", root.GetProperty("messaging_product").GetString());
        Assert.Equal("1111111111111", root.GetProperty("to").GetString());
        Assert.Equal("text", root.GetProperty("type").GetString());
        Assert.Equal("Hello!", root.GetProperty("text").GetProperty("body").GetString());
        Assert.Equal("wamid.in", root.GetProperty("context").GetProperty("message_id").GetString());
        Assert.Equal(Id.ToString(), root.GetProperty("biz_opaque_callback_data").GetString());
        Assert.False(root.TryGetProperty("image", out _));
    }

    [Fact]
    public async Task SendAsync_Template_SendsNameLanguageAndBodyParameters()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messages":[{"id":"wamid.t"}]}""");

        await _host.Adapter.SendAsync(Message(text: null) with { Template = new MessageTemplate("order_update", "en_US", ["42", "Friday"]) }, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_handler.Requests).Body);
        var template = json.RootElement.GetProperty("template");
        Assert.Equal("template", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("order_update", template.GetProperty("name").GetString());
        Assert.Equal("en_US", template.GetProperty("language").GetProperty("code").GetString());
        var parameters = template.GetProperty("components")[0].GetProperty("parameters");
        Assert.Equal(["42", "Friday"], parameters.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task SendAsync_ImageByMediaIdWithCaption_SendsIdAndCaption()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messages":[{"id":"wamid.i"}]}""");
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("whatsapp-media:8472976218001204") };

        await _host.Adapter.SendAsync(Message("Look") with { Attachments = [image] }, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_handler.Requests).Body);
        var sent = json.RootElement.GetProperty("image");
        Assert.Equal("8472976218001204", sent.GetProperty("id").GetString());
        Assert.Equal("Look", sent.GetProperty("caption").GetString());
    }

    [Theory]
    [InlineData(429, 130429, true)]
    [InlineData(400, 131056, true)]
    [InlineData(400, 4, true)]
    [InlineData(400, 17, true)]
    [InlineData(400, 32, true)]
    [InlineData(400, 613, true)]
    [InlineData(500, 1, true)]
    [InlineData(400, 131047, false)]
    [InlineData(401, 190, false)]
    public async Task SendAsync_GraphError_FailedWithCodeAndRetryable(int status, long code, bool retryable)
    {
        _handler.Respond((HttpStatusCode)status, $$$"""{"error":{"message":"(#{{{code}}}) Something","type":"OAuthException","code":{{{code}}},"error_data":{"messaging_product":"whatsapp","details":"The details"},"fbtrace_id":"A"}}""");

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.ErrorCode);
        Assert.Equal("The details", failed.Reason);
        Assert.Equal(retryable, failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDelta_IsReturned()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, "{}", headers: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal("429", failed.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(30), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDate_IsMeasuredOnTheInjectedClock()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, "oops", headers: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(2)));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("503", failed.ErrorCode);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromMinutes(2), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_NetworkError_RetryableFailure()
    {
        _handler.Throw(new HttpRequestException("connection refused"));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal("network", failed.ErrorCode);
    }

    [Fact]
    public async Task SendAsync_UnregisteredNumber_FailsWithoutCallingGraph()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: "999"), CancellationToken.None));

        Assert.False(failed.IsRetryable);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_NothingToSendOrTwoAttachments_FailsWithoutCallingGraph()
    {
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };

        Assert.False(Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(text: null), CancellationToken.None)).IsRetryable);
        Assert.Contains("one attachment", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message() with { Attachments = [image, image] }, CancellationToken.None)).Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_ThrottledWithRetryAfterZero_RetriedThroughThePipelineThenSent()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messages":[{"id":"wamid.after-retry"}]}""");
        _handler.RespondFirst(HttpStatusCode.BadRequest, """{"error":{"code":130429,"message":"Rate limit hit"}}""", r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero));

        var result = await _host.Adapter.SendAsync(Message(account: "109999999999999"), CancellationToken.None);

        Assert.Equal(SendResult.Sent("wamid.after-retry"), result);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }

    [Fact]
    public async Task SendAsync_NumberOverItsRateLimit_RetryableFailureWithoutCallingGraph()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messages":[{"id":"wamid.1"}]}""");

        Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(account: "1122334455667"), CancellationToken.None));
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: "1122334455667"), CancellationToken.None));

        Assert.Equal("rate-limited", failed.ErrorCode);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(4) + TimeSpan.FromMilliseconds(5), failed.RetryAfter); // the window plus the default safety margin
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_PairRateLimit_TenToOneCustomerGoAtOnce_TheEleventhIsHeldBackWhileOthersProceed()
    {
        var options = _host.Services.GetRequiredService<IOptionsMonitor<WhatsAppOptions>>().Get("bwa");
        Assert.Equal(TimeSpan.FromSeconds(6), options.Resilience.RecipientInterval);
        Assert.Equal(10, options.Resilience.RecipientBurst);
        _handler.Respond(HttpStatusCode.OK, """{"messages":[{"id":"wamid.pair"}]}""");

        for (var i = 0; i < 10; i++)
        {
            Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));
        }

        // The 11th to the same customer would have to wait 6 s (WhatsApp error 131056 otherwise); beyond the 5 s
        // RateLimitMaxWait it is handed back, retryable after the wait, without calling Graph.
        var held = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));
        var other = await _host.Adapter.SendAsync(Message() with { Recipient = new ContactHandle(ChannelKind.WhatsApp, "2222222222222") }, CancellationToken.None);

        Assert.Equal("rate-limited", held.ErrorCode);
        Assert.True(held.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(6) + TimeSpan.FromMilliseconds(5), held.RetryAfter);
        Assert.IsType<SendSucceeded>(other);
        Assert.Equal(11, _handler.Requests.Count);
        Assert.Equal(10, _handler.Requests.Count(r => r.Body.Contains("1111111111111", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SendAsync_FreeFormAfterTheServiceWindow_FailsClearlyWithoutCallingGraph()
    {
        var result = await _host.Adapter.SendAsync(Message() with { LastCustomerMessageAt = _time.GetUtcNow() - TimeSpan.FromHours(24) }, CancellationToken.None);

        var failed = Assert.IsType<SendFailed>(result);
        Assert.Equal(WhatsAppChannelAdapter.ServiceWindowClosedCode, failed.ErrorCode);
        Assert.False(failed.IsRetryable);
        Assert.Equal(
            "The 24-hour customer service window closed at 2026-01-01 12:00:00Z (the customer last wrote at 2025-12-31 12:00:00Z); outside it WhatsApp only delivers an approved template (OutboundMessage.Template).",
            failed.Reason);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_FreeFormWhenTheCustomerNeverWrote_FailsClearly()
    {
        var result = await _host.Adapter.SendAsync(Message() with { LastCustomerMessageAt = null }, CancellationToken.None);

        Assert.Equal(WhatsAppChannelAdapter.ServiceWindowClosedCode, Assert.IsType<SendFailed>(result).ErrorCode);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_TemplateOutsideTheServiceWindow_IsSent()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messaging_product":"whatsapp","messages":[{"id":"wamid.tpl"}]}""");

        var result = await _host.Adapter.SendAsync(
            Message(text: null) with { LastCustomerMessageAt = null, Template = new MessageTemplate("order_update", "en_US", ["4711"]) },
            CancellationToken.None);

        Assert.Equal(SendResult.Sent("wamid.tpl"), result);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_FreeFormOneSecondBeforeTheWindowCloses_IsSent()
    {
        _handler.Respond(HttpStatusCode.OK, """{"messaging_product":"whatsapp","messages":[{"id":"wamid.late"}]}""");

        var result = await _host.Adapter.SendAsync(Message() with { LastCustomerMessageAt = _time.GetUtcNow() - TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1) }, CancellationToken.None);

        Assert.Equal(SendResult.Sent("wamid.late"), result);
    }
}
