using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace SocialCare.Channels.Telegram.Sending;

public sealed class SendTests : IDisposable
{
    private const string SentOk = """{"ok":true,"result":{"message_id":1366,"from":{"id":123456789,"is_bot":true,"first_name":"Support"},"chat":{"id":1111111,"type":"private"},"date":1767268800,"text":"Hello!"}}""";
    private const string SentToGroup = """{"ok":true,"result":{"message_id":134547,"chat":{"id":-1001293752024,"type":"supergroup"},"date":1767268800}}""";
    private static readonly MessageId Id = MessageId.Parse("0193a5c4-0000-7000-8000-000000000001");
    private readonly RecordingHandler _handler;
    private readonly TelegramHost _host;

    public SendTests()
    {
        TelegramHost? host = null;
        _handler = new RecordingHandler(() => host!.Time.GetUtcNow());
        _host = host = new TelegramHost(services =>
        {
            services.AddHttpClient(TelegramSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
            services.Configure<TelegramOptions>("support", o => o.Resilience.MaxRetryAttempts = 0); // one attempt: the mapping is under test
            services.Configure<TelegramOptions>("sales", o => o.Resilience.AttemptTimeout = TimeSpan.FromDays(1)); // the driven clock must not time attempts out
            services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        });
    }

    public void Dispose()
    {
        _host.Dispose();
        _handler.Dispose();
    }

    private static OutboundMessage Message(string? text = "Hello!", string account = "123456789") => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.Telegram, account),
        Recipient = new ContactHandle(ChannelKind.Telegram, "1111111"),
        MessageId = Id,
        Text = text,
    };

    /// <summary>A host on <paramref name="time"/> whose "support" bot hands a pace's wait back instead of waiting.</summary>
    private static TelegramHost PacedHost(RecordingHandler handler, FakeTimeProvider time) => new(services =>
    {
        services.AddSingleton<TimeProvider>(time);
        services.AddHttpClient(TelegramSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        services.Configure<TelegramOptions>("support", o => o.Resilience.RateLimitMaxWait = TimeSpan.Zero);
    });

    private async Task<SendResult> Send(OutboundMessage message) => await _host.Adapter.SendAsync(message, CancellationToken.None);

    private JsonElement SentBody() => JsonDocument.Parse(Assert.Single(_handler.Requests).Body).RootElement;

    [Fact]
    public async Task SendAsync_TextReply_PostsSendMessageJsonToTheTokenUrlAndReturnsChatScopedId()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);

        var result = await Send(Message() with { ReplyToPlatformMessageId = "1111111:1365" });

        Assert.Equal(SendResult.Sent("1111111:1366"), result);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.telegram.org/bot123456789:AAHsupport-token_x/sendMessage", request.Uri?.AbsoluteUri);
        Assert.Null(request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        var body = SentBody();
        Assert.Equal(JsonValueKind.Number, body.GetProperty("chat_id").ValueKind);
        Assert.Equal(1111111, body.GetProperty("chat_id").GetInt64());
        Assert.Equal("Hello!", body.GetProperty("text").GetString());
        Assert.Equal(1365, body.GetProperty("reply_parameters").GetProperty("message_id").GetInt64());
        Assert.True(body.GetProperty("reply_parameters").GetProperty("allow_sending_without_reply").GetBoolean());
        Assert.False(body.TryGetProperty("parse_mode", out _)); // plain text: nothing an agent types is read as markup
        Assert.False(body.TryGetProperty("photo", out _));
    }

    [Fact]
    public async Task SendAsync_PlainText_GoesToTheRecipientsPrivateChatWithoutReplyParameters()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);

        await Send(Message());

        var body = SentBody();
        Assert.Equal(1111111, body.GetProperty("chat_id").GetInt64());
        Assert.False(body.TryGetProperty("reply_parameters", out _));
    }

    [Fact]
    public async Task SendAsync_ReplyToAButtonPress_GoesToTheRecipientWithoutReplyParameters()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);

        await Send(Message() with { ReplyToPlatformMessageId = "callback:4382bfdwdsb323b2d9" });

        var body = SentBody();
        Assert.Equal(1111111, body.GetProperty("chat_id").GetInt64());
        Assert.False(body.TryGetProperty("reply_parameters", out _));
    }

    [Fact]
    public async Task SendAsync_PublicReply_GoesToTheGroupOfTheMessageItAnswers()
    {
        _handler.Respond(HttpStatusCode.OK, SentToGroup);

        var result = await Send(Message() with { Visibility = ConversationVisibility.Public, ReplyToPlatformMessageId = "-1001293752024:134546", Recipient = new ContactHandle(ChannelKind.Telegram, "5964236329") });

        Assert.Equal(SendResult.Sent("-1001293752024:134547"), result);
        var body = SentBody();
        Assert.Equal(-1001293752024, body.GetProperty("chat_id").GetInt64());
        Assert.Equal(134546, body.GetProperty("reply_parameters").GetProperty("message_id").GetInt64());
    }

    [Fact]
    public async Task SendAsync_PublicWithoutReplyTarget_RefusedWithoutCallingTelegram()
    {
        var failed = Assert.IsType<SendFailed>(await Send(Message() with { Visibility = ConversationVisibility.Public }));

        Assert.Equal("unsupported", failed.ErrorCode);
        Assert.False(failed.IsRetryable);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_ImageByUrlWithCaption_PostsSendPhoto()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };

        await Send(Message("Look") with { Attachments = [image] });

        var request = Assert.Single(_handler.Requests);
        Assert.Equal("https://api.telegram.org/bot123456789:AAHsupport-token_x/sendPhoto", request.Uri?.AbsoluteUri);
        var body = SentBody();
        Assert.Equal("https://cdn.example/a.jpg", body.GetProperty("photo").GetString());
        Assert.Equal("Look", body.GetProperty("caption").GetString());
        Assert.Equal(1111111, body.GetProperty("chat_id").GetInt64());
        Assert.False(body.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task SendAsync_TelegramFileDocument_PostsSendDocumentWithTheFileId()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);
        var document = new Attachment { Kind = AttachmentKind.File, Url = new Uri("telegram-file:AwADBAADbXXXXXXXXXXXGBdhD2l6_XX") };

        await Send(Message(text: null) with { Attachments = [document] });

        Assert.EndsWith("/sendDocument", Assert.Single(_handler.Requests).Uri?.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", SentBody().GetProperty("document").GetString());
        Assert.False(SentBody().TryGetProperty("caption", out _));
    }

    [Fact]
    public async Task SendAsync_Location_PostsSendLocation()
    {
        _handler.Respond(HttpStatusCode.OK, SentOk);

        await Send(Message(text: null) with { Attachments = [new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(52.5, 13.4) }] });

        Assert.EndsWith("/sendLocation", Assert.Single(_handler.Requests).Uri?.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal((52.5, 13.4), (SentBody().GetProperty("latitude").GetDouble(), SentBody().GetProperty("longitude").GetDouble()));
    }

    [Fact]
    public async Task SendAsync_TooManyRequests_RetryableWithRetryAfterFromTheBody()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}""");

        var failed = Assert.IsType<SendFailed>(await Send(Message()));

        Assert.Equal(SendResult.Failed("429", "Too Many Requests: retry after 35", isRetryable: true, TimeSpan.FromSeconds(35)), failed);
    }

    [Theory]
    [InlineData(403, "Forbidden: bot was blocked by the user", false)]
    [InlineData(400, "Bad Request: chat not found", false)]
    [InlineData(401, "Unauthorized", false)]
    [InlineData(500, "Internal Server Error", true)]
    [InlineData(502, "Bad Gateway", true)]
    public async Task SendAsync_BotApiError_FailedWithCodeDescriptionAndRetryable(int status, string description, bool retryable)
    {
        _handler.Respond((HttpStatusCode)status, $$"""{"ok":false,"error_code":{{status}},"description":"{{description}}"}""");

        var failed = Assert.IsType<SendFailed>(await Send(Message()));

        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.ErrorCode);
        Assert.Equal(description, failed.Reason);
        Assert.Equal(retryable, failed.IsRetryable);
        Assert.Null(failed.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_GroupMigratedToSupergroup_ReasonNamesTheNewChat()
    {
        _handler.Respond(HttpStatusCode.BadRequest, """{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}""");

        var failed = Assert.IsType<SendFailed>(await Send(Message()));

        Assert.Contains("-1001234567890", failed.Reason, StringComparison.Ordinal);
        Assert.False(failed.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_NotJsonError_UsesTheHttpStatus()
    {
        _handler.Respond(HttpStatusCode.BadGateway, "<html>bad gateway</html>");

        var failed = Assert.IsType<SendFailed>(await Send(Message()));

        Assert.Equal(("502", true), (failed.ErrorCode, failed.IsRetryable));
    }

    [Fact]
    public async Task SendAsync_NetworkError_RetryableFailure()
    {
        _handler.Throw(new HttpRequestException("connection refused"));

        var failed = Assert.IsType<SendFailed>(await Send(Message()));

        Assert.Equal(("network", true), (failed.ErrorCode, failed.IsRetryable));
    }

    [Fact]
    public async Task SendAsync_Timeout_NotRetryableAndSentOnce()
    {
        _handler.Hang();

        var task = _host.Adapter.SendAsync(Message(), CancellationToken.None).AsTask();
        await _handler.Entered.Task; // the attempt timeout is armed before the request goes out
        _host.Time.Advance(TimeSpan.FromSeconds(11)); // past the 10 s attempt timeout, on the fake clock

        var failed = Assert.IsType<SendFailed>(await task);
        Assert.Equal(("timeout", false), (failed.ErrorCode, failed.IsRetryable));
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsThenOk_RetriedAfterRetryAfterOnTheFakeClock()
    {
        // "sales" keeps the default retries; Telegram's retry_after (3 s) is in the body, not a header.
        _handler.Respond(HttpStatusCode.OK, """{"ok":true,"result":{"message_id":8,"chat":{"id":1111111,"type":"private"},"date":1767268800}}""");
        _handler.RespondFirst(HttpStatusCode.TooManyRequests, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}""");

        var task = _host.Adapter.SendAsync(Message(account: "987654321"), CancellationToken.None).AsTask();
        await DriveClock(task);

        Assert.Equal(SendResult.Sent("1111111:8"), await task);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.True(_handler.Requests[1].At - _handler.Requests[0].At >= TimeSpan.FromSeconds(3));
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }

    [Fact]
    public async Task SendAsync_BotOverItsRateLimit_RetryableFailureWithoutCallingTelegram()
    {
        using var handler = new RecordingHandler(() => default);
        handler.Respond(HttpStatusCode.OK, SentOk);
        using var host = new TelegramHost(services =>
        {
            services.AddHttpClient(TelegramSocialCareBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
            services.Configure<TelegramOptions>("support", o =>
            {
                o.Resilience.RateLimitPermits = 1;
                o.Resilience.RateLimitPeriod = TimeSpan.FromSeconds(4);
                o.Resilience.RateLimitMaxWait = TimeSpan.Zero;
            });
        });

        Assert.IsType<SendSucceeded>(await host.Adapter.SendAsync(Message(), CancellationToken.None));
        var other = Message() with { Recipient = new ContactHandle(ChannelKind.Telegram, "2222222") }; // not paced: the bot's own limit applies
        var failed = Assert.IsType<SendFailed>(await host.Adapter.SendAsync(other, CancellationToken.None));

        Assert.Equal(("rate-limited", true, TimeSpan.FromSeconds(4) + TimeSpan.FromMilliseconds(5)), (failed.ErrorCode, failed.IsRetryable, failed.RetryAfter)); // window + default margin
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task SendAsync_SecondMessageToOneCustomerWithinASecond_IsPacedWhileAnotherCustomerIsNot()
    {
        using var handler = new RecordingHandler(() => default);
        handler.Respond(HttpStatusCode.OK, SentOk);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)); // the clock stands still between the sends
        using var host = PacedHost(handler, time);

        Assert.IsType<SendSucceeded>(await host.Adapter.SendAsync(Message(), CancellationToken.None));
        var paced = Assert.IsType<SendFailed>(await host.Adapter.SendAsync(Message(), CancellationToken.None));
        var other = await host.Adapter.SendAsync(Message() with { Recipient = new ContactHandle(ChannelKind.Telegram, "2222222") }, CancellationToken.None);

        Assert.Equal(("rate-limited", true, TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(5)), (paced.ErrorCode, paced.IsRetryable, paced.RetryAfter));
        Assert.IsType<SendSucceeded>(other);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_PublicRepliesToTwoCustomersInOneGroup_ArePacedAsOneChat()
    {
        using var handler = new RecordingHandler(() => default);
        handler.Respond(HttpStatusCode.OK, SentToGroup);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var host = PacedHost(handler, time);
        OutboundMessage InGroup(string customer, int answering) => Message() with
        {
            Visibility = ConversationVisibility.Public,
            Recipient = new ContactHandle(ChannelKind.Telegram, customer),
            ReplyToPlatformMessageId = "-1001293752024:" + answering,
        };

        Assert.IsType<SendSucceeded>(await host.Adapter.SendAsync(InGroup("5964236329", 134546), CancellationToken.None));
        var paced = Assert.IsType<SendFailed>(await host.Adapter.SendAsync(InGroup("7000000001", 134550), CancellationToken.None));
        var privateChat = await host.Adapter.SendAsync(Message() with { Recipient = new ContactHandle(ChannelKind.Telegram, "7000000001") }, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(5));
        var later = await host.Adapter.SendAsync(InGroup("7000000001", 134550), CancellationToken.None);

        Assert.Equal(("rate-limited", true, TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(5)), (paced.ErrorCode, paced.IsRetryable, paced.RetryAfter));
        Assert.IsType<SendSucceeded>(privateChat); // the same customer's private chat is another chat
        Assert.IsType<SendSucceeded>(later);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_GroupReplies_AtMostTwentyInAnyMinute_OnePerThreeSeconds()
    {
        using var handler = new RecordingHandler(() => default);
        handler.Respond(HttpStatusCode.OK, SentToGroup);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var host = PacedHost(handler, time);
        var reply = Message() with { Visibility = ConversationVisibility.Public, ReplyToPlatformMessageId = "-1001293752024:134546" };
        var sentAt = new List<DateTimeOffset>();

        // Try to send every 100 ms for two minutes; whatever the pace lets through goes.
        for (var t = 0; t < 1200; t++)
        {
            if (await host.Adapter.SendAsync(reply, CancellationToken.None) is SendSucceeded)
            {
                sentAt.Add(time.GetUtcNow());
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(39, sentAt.Count); // every 3.1 s: the first 100 ms step after each 3.005 s (3 s + the safety margin)
        for (var i = 20; i < sentAt.Count; i++)
        {
            Assert.True(sentAt[i] - sentAt[i - 20] >= TimeSpan.FromMinutes(1), $"21 group messages within {sentAt[i] - sentAt[i - 20]}");
        }
    }

    [Fact]
    public void Resilience_Defaults_PaceGroupsByNegativeChatIdToTwentyAMinute()
    {
        var resilience = new TelegramOptions().Resilience;

        Assert.Equal((TimeSpan.FromSeconds(1), 1), (resilience.RecipientInterval, resilience.RecipientBurst));
        Assert.Equal((TimeSpan.FromSeconds(3), 1), (resilience.GroupInterval, resilience.GroupBurst));
        Assert.True(resilience.IsGroupRecipient!("-1001293752024"));
        Assert.False(resilience.IsGroupRecipient!("5964236329"));
    }

    [Fact]
    public async Task SendAsync_UnregisteredBotOrTemplateOrTooMuch_RefusedWithoutCallingTelegram()
    {
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.jpg") };

        Assert.Equal("not-registered", Assert.IsType<SendFailed>(await Send(Message(account: "555"))).ErrorCode);
        Assert.Equal("not-registered", Assert.IsType<SendFailed>(await Send(Message() with { Channel = new ChannelAccount(ChannelKind.WhatsApp, "123456789") })).ErrorCode);
        Assert.Contains("templates", Assert.IsType<SendFailed>(await Send(Message(text: null) with { Template = new MessageTemplate("t", "en", []) })).Reason, StringComparison.Ordinal);
        Assert.Contains("4096", Assert.IsType<SendFailed>(await Send(Message(new string('x', 4097)))).Reason, StringComparison.Ordinal);
        Assert.Contains("1024", Assert.IsType<SendFailed>(await Send(Message(new string('x', 1025)) with { Attachments = [image] })).Reason, StringComparison.Ordinal);
        Assert.Contains("one attachment", Assert.IsType<SendFailed>(await Send(Message() with { Attachments = [image, image] })).Reason, StringComparison.Ordinal);
        Assert.False(Assert.IsType<SendFailed>(await Send(Message(text: null))).IsRetryable);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task SendAsync_AtTraceLevel_NeverLogsTheBotToken()
    {
        _handler.Respond(HttpStatusCode.Forbidden, """{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}""");

        await Send(Message());
        await Send(Message(account: "987654321"));

        var logs = _host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.DoesNotContain("AAHsupport-token_x", l.Message + string.Join(' ', l.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal));
        Assert.All(logs, l => Assert.DoesNotContain("BBHsales-token", l.Message + string.Join(' ', l.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal));
    }

    /// <summary>
    /// Moves the fake clock in small steps until the send completes: the retry delay runs on it, never on real time. The
    /// clock may run ahead of the work, which only lengthens the measured wait; a wall-clock cap stops a broken test.
    /// </summary>
    private async Task DriveClock(Task task)
    {
        var cap = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted && cap.Elapsed < TimeSpan.FromSeconds(30))
        {
            _host.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        Assert.True(task.IsCompleted, "The send did not complete while the fake clock moved.");
    }
}
