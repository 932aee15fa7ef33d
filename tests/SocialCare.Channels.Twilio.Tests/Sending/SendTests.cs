using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SocialCare.Channels.Twilio.Sending;

public sealed class SendTests : IDisposable
{
    private static readonly MessageId Id = MessageId.Parse("0193a5c4-0000-7000-8000-000000000001");
    private static readonly string BbAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("4444:" + TwilioHost.TestToken));
    private readonly RecordingHandler _handler = new();
    private readonly TwilioHost _host;

    public SendTests()
    {
        _host = new TwilioHost(services =>
        {
            services.AddHttpClient(TwilioSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<TwilioOptions>("bb", o => o.Resilience.MaxRetryAttempts = 0); // one attempt: the mapping is under test
            services.Configure<TwilioOptions>("vector", o =>
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

    private static OutboundMessage Message(string? text = "Hello + welcome & thanks", string account = "+1111") => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.Sms, account),
        Recipient = new ContactHandle(ChannelKind.Sms, "+2222"),
        MessageId = Id,
        Text = text,
    };

    private const string Created = """{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_media":"0"}""";

    [Fact]
    public async Task SendAsync_Text_PostsFormToMessagesJsonWithBasicAuthAndReturnsSid()
    {
        _handler.Respond(HttpStatusCode.Created, Created);

        var result = await _host.Adapter.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(SendResult.Sent("SM0123456789abcdef0123456789abcdef"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://api.twilio.com/2010-04-01/Accounts/4444/Messages.json"), request.Uri);
        Assert.Equal(BbAuthorization, request.Authorization);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("To=%2B2222&From=%2B1111&Body=Hello+%2B+welcome+%26+thanks", request.Body);
    }

    [Fact]
    public async Task SendAsync_MessagingServiceAndMedia_SendsServiceSidMediaUrlPerAttachmentAndNoFrom()
    {
        _handler.Respond(HttpStatusCode.Created, Created);
        var attachments = new[]
        {
            new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") },
            new Attachment { Kind = AttachmentKind.File, Url = new Uri("https://cdn.example/b.pdf") },
        };

        await _host.Adapter.SendAsync(Message(text: null, account: "+14155550100") with { Attachments = attachments }, CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        Assert.Equal(new Uri("https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json"), request.Uri);
        Assert.Equal(
            "To=%2B2222&MessagingServiceSid=MG00000000000000000000000000000001&MediaUrl=https%3A%2F%2Fcdn.example%2Fa.jpg&MediaUrl=https%3A%2F%2Fcdn.example%2Fb.pdf",
            request.Body);
    }

    [Fact]
    public async Task SendAsync_ConfiguredWebhookUrl_AsksForStatusCallbacksThere()
    {
        _handler.Respond(HttpStatusCode.Created, Created);

        await _host.Adapter.SendAsync(Message("hi", account: "+14155550199"), CancellationToken.None);

        Assert.EndsWith("&StatusCallback=" + Uri.EscapeDataString(TwilioHost.ProxiedUrl), Assert.Single(_handler.Requests).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, 21211, false)] // invalid 'To' number
    [InlineData(400, 21610, false)] // unsubscribed recipient
    [InlineData(401, 20003, false)] // authentication
    [InlineData(429, 20429, true)] // too many requests
    [InlineData(400, 20429, true)] // the code alone is enough
    [InlineData(500, 20500, true)] // internal server error
    [InlineData(503, 20503, true)] // service unavailable
    public async Task SendAsync_TwilioError_FailedWithCodeReasonAndRetryable(int status, long code, bool retryable)
    {
        _handler.Respond((HttpStatusCode)status, $$"""{"code":{{code}},"message":"The message","more_info":"https://www.twilio.com/docs/errors/{{code}}","status":{{status}}}""");

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.ErrorCode);
        Assert.Equal($"The message (https://www.twilio.com/docs/errors/{code})", failed.Reason);
        Assert.Equal(retryable, failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDelta_IsReturned()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal("429", failed.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(30), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDate_IsMeasuredOnTheInjectedClock()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, "oops", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(_host.Time.GetUtcNow().AddMinutes(2)));

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
    public async Task SendAsync_Timeout_NotRetryableAsTwilioHasNoIdempotencyKey()
    {
        _handler.Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("timeout", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_AcceptedWithoutSid_NotRetryable()
    {
        _handler.Respond(HttpStatusCode.Created, "not json");

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("no-message-sid", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_UnregisteredNumberOrOtherKind_FailsWithoutCallingTwilio()
    {
        var unregistered = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: "+19995550000"), CancellationToken.None));
        var whatsApp = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message() with { Channel = new ChannelAccount(ChannelKind.WhatsApp, "+1111") }, CancellationToken.None));

        Assert.Equal(("not-registered", false), (unregistered.ErrorCode, unregistered.IsRetryable));
        Assert.Equal("not-registered", whatsApp.ErrorCode);
        Assert.Empty(_handler.Requests);
    }

    public static TheoryData<string, string> Unsupported => new()
    {
        { "template", "templates" },
        { "public", "private" },
        { "empty", "no text or attachment" },
        { "too-long", "1600" },
        { "location", "location" },
        { "sticker", "sticker" },
        { "no-url", "http(s) URL" },
        { "media-reference", "http(s) URL" },
        { "eleven-media", "at most 10" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public async Task SendAsync_WhatSmsCannotCarry_FailsWithoutCallingTwilio(string what, string expected)
    {
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };
        var message = what switch
        {
            "template" => Message() with { Template = new MessageTemplate("t", "en", []) },
            "public" => Message() with { Visibility = ConversationVisibility.Public },
            "empty" => Message(text: ""),
            "too-long" => Message(new string('x', 1601)),
            "location" => Message() with { Attachments = [new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(1, 2) }] },
            "sticker" => Message() with { Attachments = [image with { Kind = AttachmentKind.Sticker }] },
            "no-url" => Message() with { Attachments = [image with { Url = null }] },
            "media-reference" => Message() with { Attachments = [image with { Url = new Uri("whatsapp-media:1") }] },
            _ => Message() with { Attachments = [.. Enumerable.Repeat(image, 11)] },
        };

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(message, CancellationToken.None));

        Assert.Equal("unsupported", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
        Assert.Contains(expected, failed.Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_ExactlyMaxLengthText_IsSent()
    {
        _handler.Respond(HttpStatusCode.Created, Created);

        Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(new string('x', 1600)), CancellationToken.None));
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsWithRetryAfterZero_RetriedThroughThePipelineThenSent()
    {
        _handler.Respond(HttpStatusCode.Created, Created);
        _handler.RespondFirst(HttpStatusCode.TooManyRequests, """{"code":20429,"message":"Too Many Requests","status":429}""", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero));

        var result = await _host.Adapter.SendAsync(Message(account: "+14155550100"), CancellationToken.None);

        Assert.IsType<SendSucceeded>(result);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }

    [Fact]
    public async Task SendAsync_NumberOverItsRateLimit_RetryableFailureWithoutCallingTwilio()
    {
        _handler.Respond(HttpStatusCode.Created, Created);

        Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(account: "+18005551212"), CancellationToken.None));
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: "+18005551212"), CancellationToken.None));

        Assert.Equal("rate-limited", failed.ErrorCode);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(4) + TimeSpan.FromMilliseconds(5), failed.RetryAfter); // the window plus the default safety margin
        Assert.Single(_handler.Requests);
    }
}
