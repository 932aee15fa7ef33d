using System.Text;

namespace SocialCare.Channels.Telegram.Webhooks;

public sealed class WebhookHandlingTests : IDisposable
{
    private readonly TelegramHost _host = new();

    public void Dispose() => _host.Dispose();

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] Message(string fields, string chat = """{"id":42,"type":"private"}""", string from = """{"id":42,"is_bot":false,"first_name":"Ann"}""") =>
        Utf8($$$"""{"update_id":7,"message":{"message_id":9,"from":{{{from}}},"chat":{{{chat}}},"date":1700000000,{{{fields}}}}}""");

    private async Task<T> Single<T>(byte[] body)
        where T : InboundEvent =>
        Assert.IsType<T>(Assert.Single(Assert.IsType<WebhookEvents>(await _host.Handle(body)).InboundEvents));

    private async Task<string> Unparseable(byte[] body) => Assert.IsType<WebhookUnparseable>(await _host.Handle(body)).Reason;

    [Fact]
    public async Task HandleAsync_NoSecretTokenHeader_Rejected401NamingTheHeader()
    {
        var result = await _host.Handle(Fixtures.Bytes("telegram/tg-docs-message-text.json"), secret: null);

        var rejected = Assert.IsType<WebhookRejected>(result);
        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("X-Telegram-Bot-Api-Secret-Token", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("guess")]
    [InlineData("support-secret_2")] // one character changed
    [InlineData("support-secret_")] // a prefix
    [InlineData("support-secret_1 ")]
    public async Task HandleAsync_WrongSecretToken_Rejected401(string secret)
    {
        var rejected = Assert.IsType<WebhookRejected>(await _host.Handle(Fixtures.Bytes("telegram/tg-docs-message-text.json"), secret));

        Assert.Equal(401, rejected.StatusCode);
        Assert.DoesNotContain(TelegramHost.SupportSecret, rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_Get_Rejected405()
    {
        var request = TelegramHost.Post([], method: "GET");

        Assert.Equal(405, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_OtherBotsSecret_EventsBelongToThatBotAndWorkspace()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(
            await _host.Handle(Fixtures.Bytes("telegram/tg-docs-message-text.json"), TelegramHost.SalesSecret)).InboundEvents));

        Assert.Equal(new ChannelAccount(ChannelKind.Telegram, "987654321"), message.Channel);
        Assert.Equal(new WorkspaceId("globex"), message.WorkspaceId);
    }

    [Fact]
    public async Task HandleAsync_RegistrationNameGiven_OnlyThatBotsSecretCounts()
    {
        var body = Fixtures.Bytes("telegram/tg-docs-message-text.json");

        var right = await _host.Adapter.HandleAsync(TelegramHost.Post(body, TelegramHost.SalesSecret, "sales"), CancellationToken.None);
        var wrong = await _host.Adapter.HandleAsync(TelegramHost.Post(body, TelegramHost.SalesSecret, "support"), CancellationToken.None);
        var unknown = await _host.Adapter.HandleAsync(TelegramHost.Post(body, TelegramHost.SalesSecret, "nope"), CancellationToken.None);

        Assert.IsType<WebhookEvents>(right);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(wrong).StatusCode);
        Assert.Equal(404, Assert.IsType<WebhookRejected>(unknown).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_AccountGiven_OnlyThatBotsSecretCounts()
    {
        var request = new WebhookRequest("POST", new Uri("https://care.example/t"), [new("X-Telegram-Bot-Api-Secret-Token", TelegramHost.SalesSecret)], Fixtures.Bytes("telegram/tg-docs-message-text.json"))
        {
            Account = TelegramHost.SupportBot,
        };

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_SecretSharedByTwoBots_UnparseableNamingBoth()
    {
        using var host = new TelegramHost(s => s.Configure<TelegramOptions>("sales", o => o.SecretToken = TelegramHost.SupportSecret));

        var reason = Assert.IsType<WebhookUnparseable>(await host.Handle(Fixtures.Bytes("telegram/tg-docs-message-text.json"))).Reason;

        Assert.Contains("123456789", reason, StringComparison.Ordinal);
        Assert.Contains("987654321", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid Telegram Update JSON")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"update_id":5,"channel_post":{"message_id":1,"chat":{"id":-100,"type":"channel"},"date":1700000000,"text":"x"}}""", "'channel_post'")]
    [InlineData("""{"update_id":5,"poll":{"id":"1"}}""", "'poll'")]
    [InlineData("""{"update_id":5}""", "no other fields")]
    public async Task HandleAsync_UpdateNotUnderstood_UnparseableNamingTheField(string json, string expected)
    {
        Assert.Contains(expected, await Unparseable(Utf8(json)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_MessageWithUnknownContent_UnparseableNamingTheField()
    {
        var reason = await Unparseable(Message(""" "poll":{"id":"5","question":"?"} """));

        Assert.Contains("42:9", reason, StringComparison.Ordinal);
        Assert.Contains("'poll'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_MillisecondDate_Unparseable()
    {
        var body = Utf8("""{"update_id":7,"message":{"message_id":9,"from":{"id":42},"chat":{"id":42,"type":"private"},"date":1700000000000,"text":"x"}}""");

        Assert.Contains("Unix seconds", await Unparseable(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_IdsBeyondDoublePrecision_KeptExactly()
    {
        var message = await Single<InboundMessage>(Message(""" "text":"hi" """, chat: """{"id":-1009007199254740993,"type":"supergroup"}""", from: """{"id":9007199254740993}"""));

        Assert.Equal("-1009007199254740993:9", message.PlatformMessageId);
        Assert.Equal("9007199254740993", message.Customer.ExternalId);
    }

    [Fact]
    public async Task HandleAsync_GroupChat_IsPublic()
    {
        var message = await Single<InboundMessage>(Message(""" "text":"hi" """, chat: """{"id":-5,"type":"group","title":"G"}"""));

        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.Equal("-5:9", message.PlatformMessageId);
    }

    [Fact]
    public async Task HandleAsync_VideoStickerLocationVenueAndAnimation_AreMapped()
    {
        var video = Assert.Single((await Single<InboundMessage>(Message(""" "video":{"file_id":"V1","mime_type":"video/mp4","file_size":10,"file_name":"a.mp4"},"caption":"clip" """))).Attachments);
        var sticker = Assert.Single((await Single<InboundMessage>(Message(""" "sticker":{"file_id":"S1","emoji":"😀"} """))).Attachments);
        var location = Assert.Single((await Single<InboundMessage>(Message(""" "location":{"latitude":1.5,"longitude":2.5} """))).Attachments);
        var venue = Assert.Single((await Single<InboundMessage>(Message(""" "venue":{"location":{"latitude":1,"longitude":2},"title":"Shop","address":"Main St 1"},"location":{"latitude":1,"longitude":2} """))).Attachments);
        var animation = Assert.Single((await Single<InboundMessage>(Message(""" "animation":{"file_id":"A1","mime_type":"video/mp4"},"document":{"file_id":"A1","mime_type":"video/mp4"} """))).Attachments);

        Assert.Equal((AttachmentKind.Video, "telegram-file:V1", "video/mp4", "a.mp4"), (video.Kind, video.Url?.OriginalString, video.MimeType, video.Name));
        Assert.Equal((AttachmentKind.Sticker, "telegram-file:S1"), (sticker.Kind, sticker.Url?.OriginalString));
        Assert.Equal(new GeoLocation(1.5, 2.5), location.Location);
        Assert.Equal(new GeoLocation(1, 2, "Shop", "Main St 1"), venue.Location);
        Assert.Equal((AttachmentKind.Video, "telegram-file:A1"), (animation.Kind, animation.Url?.OriginalString));
    }

    [Fact]
    public async Task HandleAsync_CallbackFromAMessageWithKeyboard_CarriesLabelReplyToAndChatVisibility()
    {
        var body = Utf8("""
            {"update_id":8,"callback_query":{"id":"77","from":{"id":42,"first_name":"Ann"},"chat_instance":"1","data":"refund",
              "message":{"message_id":5,"chat":{"id":-100123,"type":"supergroup"},"date":1700000000,"text":"Choose",
                "reply_markup":{"inline_keyboard":[[{"text":"Order status","callback_data":"status"},{"text":"Refund please","callback_data":"refund"}]]}}}}
            """);

        var message = await Single<InboundMessage>(body);

        Assert.Equal("callback:77", message.PlatformMessageId);
        Assert.Equal(("Refund please", "refund"), (message.Text, message.Payload));
        Assert.Equal("-100123:5", message.ReplyToPlatformMessageId);
        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.Equal("42", message.Customer.ExternalId);
    }

    [Fact]
    public async Task HandleAsync_GameCallbackWithoutData_Unparseable()
    {
        var body = Utf8("""{"update_id":8,"callback_query":{"id":"77","from":{"id":42},"chat_instance":"1","game_short_name":"tetris"}}""");

        Assert.Contains("game_short_name", await Unparseable(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ReactionRemoved_EmojiNull()
    {
        var body = Utf8("""{"update_id":9,"message_reaction":{"chat":{"id":42,"type":"private"},"message_id":3,"user":{"id":42},"date":1700000000,"old_reaction":[{"type":"emoji","emoji":"👍"}],"new_reaction":[]}}""");

        var reaction = await Single<InboundReaction>(body);

        Assert.Null(reaction.Emoji);
        Assert.Equal("42:3", reaction.TargetPlatformMessageId);
    }

    [Theory]
    [InlineData("""{"chat":{"id":42,"type":"private"},"message_id":3,"user":{"id":42},"date":1700000000,"old_reaction":[],"new_reaction":[{"type":"custom_emoji","custom_emoji_id":"5"}]}""", "'custom_emoji'")]
    [InlineData("""{"chat":{"id":-1,"type":"supergroup"},"message_id":3,"actor_chat":{"id":-1,"type":"supergroup"},"date":1700000000,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}""", "anonymous")]
    public async Task HandleAsync_ReactionNotUnderstood_Unparseable(string reaction, string expected)
    {
        Assert.Contains(expected, await Unparseable(Utf8($$$"""{"update_id":9,"message_reaction":{{{reaction}}}}""")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BotUnblocked_ConsentGranted()
    {
        var body = Utf8("""
            {"update_id":10,"my_chat_member":{"chat":{"id":42,"type":"private"},"from":{"id":42},"date":1700000000,
              "old_chat_member":{"user":{"id":1,"is_bot":true},"status":"kicked","until_date":0},"new_chat_member":{"user":{"id":1,"is_bot":true},"status":"member"}}}
            """);

        var consent = await Single<InboundConsent>(body);

        Assert.Equal(ContactConsent.Granted, consent.Consent);
        Assert.Equal("42", consent.Customer.ExternalId);
    }

    [Fact]
    public async Task HandleAsync_BotRemovedFromGroup_UnparseableNotConsent()
    {
        var body = Utf8("""
            {"update_id":10,"my_chat_member":{"chat":{"id":-100,"type":"supergroup","title":"G"},"from":{"id":42},"date":1700000000,
              "old_chat_member":{"user":{"id":1,"is_bot":true},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true},"status":"left"}}}
            """);

        Assert.Contains("group membership", await Unparseable(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_DescribeTelegram()
    {
        var capabilities = _host.Adapter.Capabilities;

        Assert.Equal(ChannelKind.Telegram, _host.Adapter.Kind);
        Assert.Equal(4096, capabilities.MaxTextLength);
        Assert.True(capabilities.SupportsPublic);
        Assert.True(capabilities.SupportsPrivate);
        Assert.Null(capabilities.CustomerServiceWindow);
        Assert.False(capabilities.SupportsTemplates);
        Assert.True(capabilities.Supports(AttachmentKind.Image));
        Assert.True(capabilities.Supports(AttachmentKind.File));
    }
}
