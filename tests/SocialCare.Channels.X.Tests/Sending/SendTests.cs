using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Channels.X.Sending;

namespace SocialCare.Channels.X.Sending;

public sealed class SendTests : IDisposable
{
    private static readonly MessageId Id = MessageId.Parse("0193a5c4-0000-7000-8000-000000000001");
    private readonly RecordingHandler _handler = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)); // 1767268800
    private readonly XHost _host;

    public SendTests()
    {
        _host = new XHost(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddSingleton<OAuthNonceSource>(new CountingNonceSource());
            services.AddHttpClient(XSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<XOptions>("harrison", o => o.Resilience.MaxRetryAttempts = 0); // one attempt: the mapping is under test
            services.Configure<XOptions>("crc", o =>
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

    private static OutboundMessage Message(string? text = "Hello!", string account = XHost.HarrisonUserId) => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.X, account),
        Recipient = new ContactHandle(ChannelKind.X, "3001969357"),
        MessageId = Id,
        Text = text,
    };

    private static OutboundMessage PublicReply(string text = "@furiouscamper Sorry about that!") =>
        Message(text) with { Visibility = ConversationVisibility.Public, ReplyToPlatformMessageId = "1050118621198921728" };

    /// <summary>The expected OAuth signature, computed here by hand from the base string (independently of the signer).</summary>
    private static string ExpectedSignature(string url, string nonce)
    {
        var baseString = "POST&" + Uri.EscapeDataString(url) + "&" + Uri.EscapeDataString(
            $"oauth_consumer_key=test-consumer-key&oauth_nonce={nonce}&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1767268800&oauth_token=4337869213-test-access-token&oauth_version=1.0");
#pragma warning disable CA5350 // OAuth 1.0a is HMAC-SHA1.
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes("test-consumer-secret&test-access-token-secret"), Encoding.UTF8.GetBytes(baseString));
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    private static Dictionary<string, string> OAuthFields(string? header)
    {
        Assert.NotNull(header);
        Assert.StartsWith("OAuth ", header, StringComparison.Ordinal);
        return header["OAuth ".Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Trim('"')));
    }

    [Fact]
    public async Task SendAsync_Private_PostsDirectMessageSignedWithOAuth1AndReturnsDmEventId()
    {
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_conversation_id":"3001969357-4337869213","dm_event_id":"1582838223121776644"}}""");

        var result = await _host.Adapter.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(SendResult.Sent("1582838223121776644"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        const string url = "https://api.twitter.com/2/dm_conversations/with/3001969357/messages";
        Assert.Equal(new Uri(url), request.Uri);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("""{"text":"Hello!"}""", request.Body);
        var oauth = OAuthFields(request.Authorization);
        Assert.Equal("test-consumer-key", oauth["oauth_consumer_key"]);
        Assert.Equal("4337869213-test-access-token", oauth["oauth_token"]);
        Assert.Equal("n1", oauth["oauth_nonce"]);
        Assert.Equal("1767268800", oauth["oauth_timestamp"]);
        Assert.Equal("HMAC-SHA1", oauth["oauth_signature_method"]);
        Assert.Equal("1.0", oauth["oauth_version"]);
        Assert.Equal(ExpectedSignature(url, "n1"), oauth["oauth_signature"]);
        Assert.Equal(7, oauth.Count);
    }

    [Fact]
    public async Task SendAsync_Public_PostsReplyTweetAndReturnsPostId()
    {
        _handler.Respond(HttpStatusCode.Created, """{"data":{"id":"1445880548472328192","text":"@furiouscamper Sorry about that!"}}""");

        var result = await _host.Adapter.SendAsync(PublicReply(), CancellationToken.None);

        Assert.Equal(SendResult.Sent("1445880548472328192"), result);
        var request = Assert.Single(_handler.Requests);
        const string url = "https://api.twitter.com/2/tweets";
        Assert.Equal(new Uri(url), request.Uri);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("@furiouscamper Sorry about that!", json.RootElement.GetProperty("text").GetString());
        Assert.Equal("1050118621198921728", json.RootElement.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
        Assert.Equal(ExpectedSignature(url, "n1"), OAuthFields(request.Authorization)["oauth_signature"]);
    }

    [Fact]
    public async Task SendAsync_EachSend_GetsAFreshNonceAndTheClocksTimestamp()
    {
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_event_id":"1"}}""");

        await _host.Adapter.SendAsync(Message(), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(90));
        await _host.Adapter.SendAsync(Message(), CancellationToken.None);

        var second = OAuthFields(_handler.Requests[1].Authorization);
        Assert.Equal("n2", second["oauth_nonce"]);
        Assert.Equal("1767268890", second["oauth_timestamp"]);
    }

    [Fact]
    public async Task SendAsync_ApiBaseUrlWithoutTrailingSlash_StillAppendsThePath()
    {
        using var host = new XHost(services =>
        {
            services.AddHttpClient(XSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<XOptions>("harrison", o => o.ApiBaseUrl = new Uri("https://api.x.com/proxy"));
        });
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_event_id":"1"}}""");

        await host.Adapter.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(new Uri("https://api.x.com/proxy/2/dm_conversations/with/3001969357/messages"), Assert.Single(_handler.Requests).Uri);
    }

    [Fact]
    public async Task SendAsync_PublicOver280Weighted_FailsClearlyWithoutCallingX()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(PublicReply(new string('a', 281)), CancellationToken.None));

        Assert.Equal("too-long", failed.ErrorCode);
        Assert.Contains("280", failed.Reason, StringComparison.Ordinal);
        Assert.False(failed.IsRetryable);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_PrivateLongerThanAPostButWithin10000_IsSent()
    {
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_event_id":"1"}}""");

        Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(new string('a', 10_000)), CancellationToken.None));
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(new string('a', 10_001)), CancellationToken.None));

        Assert.Equal("too-long", failed.ErrorCode);
        Assert.Contains("10000", failed.Reason, StringComparison.Ordinal);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_PublicWithoutReplyTo_AttachmentsOrTemplate_FailWithoutCallingX()
    {
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };

        Assert.Equal("no-reply-to", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(PublicReply() with { ReplyToPlatformMessageId = null }, CancellationToken.None)).ErrorCode);
        Assert.Equal("unsupported", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message() with { Attachments = [image] }, CancellationToken.None)).ErrorCode);
        Assert.Equal("unsupported", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message() with { Template = new MessageTemplate("t", "en", []) }, CancellationToken.None)).ErrorCode);
        Assert.Equal("unsupported", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(text: null), CancellationToken.None)).ErrorCode);
        Assert.Equal("bad-recipient", Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message() with { Recipient = new ContactHandle(ChannelKind.X, "@furiouscamper") }, CancellationToken.None)).ErrorCode);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_UnregisteredAccount_FailsWithoutCallingX()
    {
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: "999"), CancellationToken.None));

        Assert.Equal("not-registered", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
        Assert.Empty(_handler.Requests);
    }

    [Theory]
    [InlineData(403, """{"detail":"You are not permitted to send a DM to this user.","title":"Forbidden","status":403,"type":"about:blank"}""", "403", "You are not permitted to send a DM to this user.", false)]
    [InlineData(401, """{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}""", "401", "Unauthorized", false)]
    [InlineData(400, """{"errors":[{"code":349,"message":"You cannot send messages to this user."}]}""", "349", "You cannot send messages to this user.", false)]
    [InlineData(500, "oops", "500", "The X API answered 500 Internal Server Error.", true)]
    [InlineData(503, """{"title":"Service Unavailable","detail":"Service Unavailable","status":503}""", "503", "Service Unavailable", true)]
    public async Task SendAsync_XError_FailedWithCodeReasonAndRetryable(int status, string body, string code, string reason, bool retryable)
    {
        _handler.Respond((HttpStatusCode)status, body);

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal((code, reason, retryable), (failed.ErrorCode, failed.Reason, failed.IsRetryable));
    }

    [Fact]
    public async Task SendAsync_429WithRateLimitReset_RetryableWithWaitMeasuredOnTheInjectedClock()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""",
            r => r.Headers.Add("x-rate-limit-reset", _time.GetUtcNow().AddMinutes(12).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("429", failed.ErrorCode);
        Assert.Equal("Too Many Requests", failed.Reason);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromMinutes(12), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfter_IsReturned()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(45)));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(45), failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_429WithResetInTwoSeconds_RetriedThroughThePipelineOnTheFakeClockThenSent()
    {
        // xdev keeps the default retries: the reset header becomes Retry-After, which the pipeline waits out itself.
        using var host = new XHost(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddHttpClient(XSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
        });
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_event_id":"after-retry"}}""");
        _handler.RespondFirst(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.Add("x-rate-limit-reset", _time.GetUtcNow().AddSeconds(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var sending = host.Adapter.SendAsync(Message(account: XHost.XDevelopersUserId), CancellationToken.None).AsTask();
        while (!sending.IsCompleted && _handler.Requests.Count < 2)
        {
            await Task.Yield();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(SendResult.Sent("after-retry"), await sending);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.NotEqual(_handler.Requests[0].Authorization, _handler.Requests[1].Authorization); // a fresh nonce per attempt
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
    public async Task SendAsync_Timeout_NotRetryableAsXHasNoIdempotencyKey()
    {
        _handler.Throw(new TaskCanceledException("timed out"));

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("timeout", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _host.Adapter.SendAsync(Message(), cts.Token).AsTask());
    }

    [Fact]
    public async Task SendAsync_AccountOverItsRateLimit_RetryableFailureWithoutCallingX()
    {
        _handler.Respond(HttpStatusCode.Created, """{"data":{"dm_event_id":"1"}}""");

        Assert.IsType<SendSucceeded>(await _host.Adapter.SendAsync(Message(account: XHost.CrcUserId), CancellationToken.None));
        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(account: XHost.CrcUserId), CancellationToken.None));

        Assert.Equal("rate-limited", failed.ErrorCode);
        Assert.True(failed.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(4) + TimeSpan.FromMilliseconds(5), failed.RetryAfter); // the window plus the default safety margin
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_AcceptedWithoutId_NotRetryableFailure()
    {
        _handler.Respond(HttpStatusCode.Created, "{}");

        var failed = Assert.IsType<SendFailed>(await _host.Adapter.SendAsync(Message(), CancellationToken.None));

        Assert.Equal("no-message-id", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
    }
}
