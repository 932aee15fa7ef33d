namespace SocialCare.Channels.Meta.Webhooks;

/// <summary>
/// Instagram parsing. There are no real Instagram fixtures: these payloads are CONSTRUCTED by us from the Messenger
/// fixture shapes with <c>object=instagram</c> and an Instagram account id, plus the Instagram-only fields (read.mid,
/// is_deleted) as Meta documents them. They are not platform payloads.
/// </summary>
public sealed class InstagramConstructedPayloadTests : IDisposable
{
    private static readonly ChannelAccount Account = new(ChannelKind.Instagram, MetaHost.InstagramAccount);
    private static readonly ContactHandle User = new(ChannelKind.Instagram, "1134343043305865");

    private readonly MetaHost _host = new();

    public void Dispose() => _host.Dispose();

    private static string Envelope(string messaging, string batch = "messaging") =>
        $$"""{"object":"instagram","entry":[{"id":"{{MetaHost.InstagramAccount}}","time":1472026867114,"{{batch}}":[{{messaging}}]}]}""";

    private static string FromUser(string body, long timestamp = 1472026867080) =>
        $$"""{"sender":{"id":"1134343043305865"},"recipient":{"id":"{{MetaHost.InstagramAccount}}"},"timestamp":{{timestamp}},{{body}}}""";

    [Fact]
    public async Task ConstructedText_FromFbmqShape_IsInstagramMessage()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(
            """ "message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"hello world"} """)))));

        Assert.Equal(new WorkspaceId("acme"), message.WorkspaceId);
        Assert.Equal(Account, message.Channel);
        Assert.Equal(User, message.Customer);
        Assert.Equal("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx", message.PlatformMessageId);
        Assert.Equal("hello world", message.Text);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1472026867080), message.OccurredAt);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.False(message.IsEcho);
    }

    [Fact]
    public async Task ConstructedQuickReplyWithReplyTo_IsPayloadTextAndReplyTo()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(
            """ "message":{"mid":"m.2","text":"Yes","quick_reply":{"payload":"CONFIRM_YES"},"reply_to":{"mid":"m.1"}} """)))));

        Assert.Equal("Yes", message.Text);
        Assert.Equal("CONFIRM_YES", message.Payload);
        Assert.Equal("m.1", message.ReplyToPlatformMessageId);
    }

    [Fact]
    public async Task ConstructedEcho_FromFbmqShape_IsEchoToTheRecipient()
    {
        var json = Envelope($$$"""
            {"sender":{"id":"{{{MetaHost.InstagramAccount}}}"},"recipient":{"id":"1134343043305865"},"timestamp":1472026868763,
             "message":{"is_echo":true,"app_id":950864918368986,"mid":"m.echo","text":"hello"}}
            """);

        var echo = Assert.IsType<InboundMessage>(Assert.Single(await _host.InstagramEventsOf(json)));

        Assert.True(echo.IsEcho);
        Assert.Equal(User, echo.Customer);
        Assert.Equal(Account, echo.Channel);
        Assert.Equal("m.echo", echo.PlatformMessageId);
    }

    [Fact]
    public async Task ConstructedAttachments_VideoAudioFileLocationAndSticker_AreMapped()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(
            """
            "message":{"mid":"m.3","attachments":[
              {"type":"video","payload":{"url":"https://cdn.example/v.mp4"}},
              {"type":"audio","payload":{"url":"https://cdn.example/a.mp4"}},
              {"type":"file","payload":{"url":"https://cdn.example/f.pdf"}},
              {"type":"location","title":"Shop","payload":{"coordinates":{"lat":52.5,"long":13.4}}},
              {"type":"image","payload":{"url":"https://cdn.example/s.png","sticker_id":369239263222822}}]}
            """)))));

        Assert.Null(message.Text);
        Assert.Equal(
            [AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File, AttachmentKind.Location, AttachmentKind.Sticker],
            message.Attachments.Select(a => a.Kind));
        Assert.Equal(new Uri("https://cdn.example/v.mp4"), message.Attachments[0].Url);
        Assert.Equal(new Uri("https://cdn.example/f.pdf"), message.Attachments[2].Url);
        Assert.Equal(new GeoLocation(52.5, 13.4, "Shop"), message.Attachments[3].Location);
    }

    [Fact]
    public async Task ConstructedReadByMid_IsReadOfThatMessage()
    {
        var read = Assert.IsType<InboundStatus>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(""" "read":{"mid":"m.sent"} """, 1472026869186)))));

        Assert.Equal(DeliveryStatus.Read, read.Status);
        Assert.Equal("m.sent", read.PlatformMessageId);
        Assert.Null(read.Watermark);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1472026869186), read.OccurredAt);
        Assert.Equal(User, read.Customer);
    }

    [Fact]
    public async Task ConstructedDeletedMessage_IsDeletion()
    {
        var deletion = Assert.IsType<InboundDeletion>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(""" "message":{"mid":"m.4","is_deleted":true} """)))));

        Assert.Equal("m.4", deletion.PlatformMessageId);
        Assert.Equal(Account, deletion.Channel);
    }

    [Fact]
    public async Task ConstructedReactionAndUnreact_AreReactions()
    {
        var events = await _host.InstagramEventsOf(Envelope(
            FromUser(""" "reaction":{"mid":"m.5","action":"react","reaction":"love","emoji":"\u2764"} """) + "," +
            FromUser(""" "reaction":{"mid":"m.5","action":"unreact"} """, 1472026867081)));

        var reactions = events.Cast<InboundReaction>().ToArray();
        Assert.Equal(("m.5", "\u2764"), (reactions[0].TargetPlatformMessageId, reactions[0].Emoji));
        Assert.Null(reactions[1].Emoji);
    }

    [Fact]
    public async Task ConstructedStandby_IsIngestedLikeMessaging()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.InstagramEventsOf(Envelope(FromUser(""" "message":{"mid":"m.6","text":"while another app holds the thread"} """), batch: "standby"))));

        Assert.Equal("m.6", message.PlatformMessageId);
        Assert.Equal(User, message.Customer);
    }

    [Fact]
    public async Task ConstructedPayloadPostedToMessenger_UnparseableNamingTheObject()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(Envelope(FromUser(""" "message":{"mid":"m.7","text":"x"} """)));

        var result = await _host.Messenger.HandleAsync(MetaHost.SignedPost(body), CancellationToken.None);

        Assert.Contains("'instagram', not 'page'", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessengerFixturePostedToInstagram_UnparseableNamingTheObject()
    {
        var result = await _host.Instagram.HandleAsync(MetaHost.SignedPost(Fixtures.Bytes("messenger/fbmq-message-text.json")), CancellationToken.None);

        Assert.Contains("'page', not 'instagram'", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_DescribeInstagram()
    {
        Assert.Equal(ChannelKind.Instagram, _host.Instagram.Kind);
        Assert.Equal(1000, _host.Instagram.Capabilities.MaxTextLength);
        Assert.Equal(TimeSpan.FromHours(24), _host.Instagram.Capabilities.CustomerServiceWindow);
        Assert.False(_host.Instagram.Capabilities.SupportsTemplates);
        Assert.False(_host.Instagram.Capabilities.SupportsPublic);
        Assert.False(_host.Instagram.Capabilities.Supports(AttachmentKind.File));
    }
}
