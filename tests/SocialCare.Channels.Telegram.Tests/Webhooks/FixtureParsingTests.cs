using System.Text;

namespace SocialCare.Channels.Telegram.Webhooks;

/// <summary>Every real payload in shared/fixtures/telegram parses into the expected normalized events.</summary>
public sealed class FixtureParsingTests : IDisposable
{
    private static readonly WorkspaceId Acme = new("acme");
    private static readonly ContactHandle DocsUser = new(ChannelKind.Telegram, "1111111");
    private const string DocsFileId = "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX";

    /// <summary>The fixtures these tests cover; a new fixture file fails <see cref="EveryFixture_IsCoveredByATest"/> until it is added.</summary>
    private static readonly string[] Covered =
    [
        "tg-docs-callback-query-inline.json",
        "tg-docs-edited-message.json",
        "tg-docs-message-audio.json",
        "tg-docs-message-document.json",
        "tg-docs-message-entities.json",
        "tg-docs-message-reply.json",
        "tg-docs-message-text.json",
        "tg-docs-message-voice.json",
        "tlx-message-photo-caption-entities.json",
        "tlx-update-dice.json",
        "tlx-update-message-private-text.json",
        "tlx-update-message-reaction.json",
        "tlx-update-message-supergroup-reply-command.json",
        "tlx-update-my-chat-member.json",
    ];

    private readonly TelegramHost _host = new();

    public void Dispose() => _host.Dispose();

    private async Task<InboundMessage> MessageOf(string fixture) => Assert.IsType<InboundMessage>(await _host.EventOf(fixture));

    [Fact]
    public void EveryFixture_IsCoveredByATest()
    {
        var files = Directory.GetFiles(Fixtures.Path("telegram")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Covered.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task Text_DocsFixture_IsPrivateMessageWithChatScopedIdProfileAndSecondsTimestamp()
    {
        var message = await MessageOf("tg-docs-message-text.json");

        Assert.Equal(Acme, message.WorkspaceId);
        Assert.Equal(TelegramHost.SupportBot, message.Channel);
        Assert.Equal(DocsUser, message.Customer);
        Assert.Equal("1111111:1365", message.PlatformMessageId);
        Assert.Equal("/start", message.Text);
        Assert.Equal(new DateTimeOffset(2015, 9, 7, 17, 5, 32, TimeSpan.Zero), message.OccurredAt); // 1441645532 s
        Assert.Equal(new ContactProfile { Name = "Test Firstname Test Lastname", Username = "Testusername" }, message.Profile);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.Empty(message.Attachments);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Null(message.Payload);
        Assert.False(message.IsEcho);
    }

    [Fact]
    public async Task Reply_DocsFixture_ReplyToIsTheQuotedMessagesOwnChatAndId()
    {
        var message = await MessageOf("tg-docs-message-reply.json");

        Assert.Equal("1111111:1365", message.PlatformMessageId);
        Assert.Equal("/start", message.Text);
        // The docs example gives the quoted message chat 1111112 (in real updates it is the same chat); a Message's id
        // is always built from its own chat, so the reply target is 1111112:1334.
        Assert.Equal("1111112:1334", message.ReplyToPlatformMessageId);
        Assert.Equal(DocsUser, message.Customer);
    }

    [Fact]
    public async Task EditedMessage_DocsFixture_IsEditAtEditDate()
    {
        var edit = Assert.IsType<InboundEdit>(await _host.EventOf("tg-docs-edited-message.json"));

        Assert.Equal("1111111:1365", edit.PlatformMessageId);
        Assert.Equal("Edited text", edit.Text);
        Assert.Equal(DocsUser, edit.Customer);
        Assert.Equal(TelegramHost.SupportBot, edit.Channel);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1441646600), edit.OccurredAt); // edit_date, not date
    }

    [Fact]
    public async Task Entities_DocsFixture_KeepThePlainTextExactly()
    {
        var message = await MessageOf("tg-docs-message-entities.json");

        Assert.Equal("Bold and italics", message.Text);
        Assert.Equal("1111111:1365", message.PlatformMessageId);
        Assert.Empty(message.Attachments);
    }

    [Fact]
    public async Task Audio_DocsFixture_IsAudioFileWithMimeSizeAndTitle()
    {
        var message = await MessageOf("tg-docs-message-audio.json");

        Assert.Null(message.Text);
        var audio = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Audio, audio.Kind);
        Assert.Equal("telegram-file:" + DocsFileId, audio.Url?.OriginalString);
        Assert.Equal("audio/mpeg", audio.MimeType);
        Assert.Equal(3897500, audio.SizeBytes);
        Assert.Equal("Test music file", audio.Name);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1441645532), message.OccurredAt);
    }

    [Fact]
    public async Task Voice_DocsFixture_IsOggAudio()
    {
        var message = await MessageOf("tg-docs-message-voice.json");

        var voice = Assert.Single(message.Attachments);
        Assert.Equal((AttachmentKind.Audio, "telegram-file:" + DocsFileId, "audio/ogg", 23000L), (voice.Kind, voice.Url?.OriginalString, voice.MimeType, voice.SizeBytes));
        Assert.Null(voice.Name);
        Assert.Null(message.Text);
        Assert.Equal("1111111:1365", message.PlatformMessageId);
    }

    [Fact]
    public async Task Document_DocsFixture_IsFileWithName()
    {
        var message = await MessageOf("tg-docs-message-document.json");

        var document = Assert.Single(message.Attachments);
        Assert.Equal((AttachmentKind.File, "telegram-file:" + DocsFileId, "application/pdf", 536392L, "Testfile.pdf"), (document.Kind, document.Url?.OriginalString, document.MimeType, document.SizeBytes, document.Name));
        Assert.Null(message.Text);
    }

    [Fact]
    public async Task CallbackQuery_InlineDocsFixture_IsPayloadMessageFromTheUserAtReceiveTime()
    {
        var message = await MessageOf("tg-docs-callback-query-inline.json");

        Assert.Equal("callback:4382bfdwdsb323b2d9", message.PlatformMessageId);
        Assert.Equal(DocsUser, message.Customer);
        Assert.Equal("Data from button callback", message.Payload);
        Assert.Null(message.Text); // an inline-mode message: no keyboard to read the label from
        Assert.Null(message.ReplyToPlatformMessageId); // no message/chat, only inline_message_id
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.Equal(TelegramHost.Now, message.OccurredAt); // callback_query has no date
        Assert.Equal("Test Firstname Test Lastname", message.Profile?.Name);
    }

    [Fact]
    public async Task PhotoCaption_BareMessageFixture_IsUnparseableBecauseItIsNotAnUpdate()
    {
        var result = await _host.Handle(Fixtures.Bytes("telegram/tlx-message-photo-caption-entities.json"));

        var reason = Assert.IsType<WebhookUnparseable>(result).Reason;
        Assert.Contains("no update_id", reason, StringComparison.Ordinal);
        Assert.Contains("'photo'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PhotoCaption_FixtureWrappedInAnUpdate_IsLargestPhotoWithCaptionAsText()
    {
        // The fixture is a Message object; the raw bytes are placed, unchanged, as an Update's message.
        var body = Encoding.UTF8.GetBytes("""{"update_id":1,"message":""").Concat(Fixtures.Bytes("telegram/tlx-message-photo-caption-entities.json")).Concat("}"u8.ToArray()).ToArray();

        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(await _host.Handle(body)).InboundEvents));

        Assert.Equal("27433968:3460", message.PlatformMessageId);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "27433968"), message.Customer);
        Assert.Equal("www.example.com", message.Text);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1655671349), message.OccurredAt);
        var photo = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Image, photo.Kind);
        Assert.Equal("telegram-file:AgACAgQAAxkBAAINhGKvijUVSn2i3980bQIIc1fqWGNCAAJpvDEbEmaBUfuA43fR-BnlAQADAgADeQADJAQ", photo.Url?.OriginalString); // 1280x1280
        Assert.Equal(162061, photo.SizeBytes);
        Assert.Null(photo.MimeType);
        Assert.Equal(new ContactProfile { Name = "Crax | rats addict", Username = "tacocrasco", Locale = "en" }, message.Profile);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
    }

    [Fact]
    public async Task Dice_SupergroupFixture_IsPublicMessageWhoseTextIsTheEmoji()
    {
        var message = await MessageOf("tlx-update-dice.json");

        Assert.Equal("-1001276785818:35410", message.PlatformMessageId);
        Assert.Equal("🎲", message.Text);
        Assert.Empty(message.Attachments);
        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "408258968"), message.Customer);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1596014550), message.OccurredAt);
        Assert.Equal("hirrolot", message.Profile?.Username);
    }

    [Fact]
    public async Task PrivateText_TeloxideFixture_IsPrivateMessageWithLocale()
    {
        var message = await MessageOf("tlx-update-message-private-text.json");

        Assert.Equal("218485655:6557", message.PlatformMessageId);
        Assert.Equal("hello there", message.Text);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "218485655"), message.Customer);
        Assert.Equal(new DateTimeOffset(2019, 9, 26, 17, 19, 2, TimeSpan.Zero), message.OccurredAt); // 1569518342 s
        Assert.Equal(new ContactProfile { Name = "Waffle", Username = "WaffleLapkin", Locale = "en" }, message.Profile);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.Null(message.ReplyToPlatformMessageId);
    }

    [Fact]
    public async Task Reaction_SupergroupFixture_IsReactionToChatScopedMessage()
    {
        var reaction = Assert.IsType<InboundReaction>(await _host.EventOf("tlx-update-message-reaction.json"));

        Assert.Equal("-1002184233434:35", reaction.TargetPlatformMessageId);
        Assert.Equal("🌭", reaction.Emoji);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "1459074222"), reaction.Customer);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1721306082), reaction.OccurredAt);
        Assert.Equal(TelegramHost.SupportBot, reaction.Channel);
        Assert.Equal(Acme, reaction.WorkspaceId);
    }

    [Fact]
    public async Task SupergroupReplyCommand_TeloxideFixture_IsPublicReplyWithExactNegativeChatIds()
    {
        var message = await MessageOf("tlx-update-message-supergroup-reply-command.json");

        Assert.Equal("-1001293752024:134546", message.PlatformMessageId);
        Assert.Equal("/report", message.Text);
        Assert.Equal("-1001293752024:134545", message.ReplyToPlatformMessageId);
        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "5964236329"), message.Customer);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1721592580), message.OccurredAt);
        Assert.Equal("the Cable Guy", message.Profile?.Name);
        Assert.Empty(message.Attachments);
    }

    [Fact]
    public async Task MyChatMember_BotBlockedFixture_IsConsentRevoked()
    {
        var consent = Assert.IsType<InboundConsent>(await _host.EventOf("tlx-update-my-chat-member.json"));

        Assert.Equal(ContactConsent.Revoked, consent.Consent);
        Assert.Equal(new ContactHandle(ChannelKind.Telegram, "0"), consent.Customer);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1644677726), consent.OccurredAt);
        Assert.Equal(TelegramHost.SupportBot, consent.Channel);
    }
}
