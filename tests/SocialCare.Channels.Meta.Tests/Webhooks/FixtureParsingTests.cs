using System.Text.Json;
using SocialCare.Channels.Meta.Webhooks;

namespace SocialCare.Channels.Meta.Webhooks;

/// <summary>Every real payload in shared/fixtures/messenger parses into the expected normalized events.</summary>
public sealed class FixtureParsingTests : IDisposable
{
    private static readonly ChannelAccount FbmqPage = new(ChannelKind.Messenger, MetaHost.FbmqPage);
    private static readonly ChannelAccount DocsPage = new(ChannelKind.Messenger, MetaHost.DocsPage);
    private static readonly ContactHandle FbmqUser = new(ChannelKind.Messenger, "1134343043305865");
    private static readonly ContactHandle DocsUser = new(ChannelKind.Messenger, "USER_ID");

    /// <summary>The fixtures these tests cover; a new fixture file fails <see cref="EveryFixture_IsCoveredByATest"/> until it is added.</summary>
    private static readonly string[] Covered =
    [
        "fbmq-message-deliveries.json",
        "fbmq-message-echo.json",
        "fbmq-message-reads.json",
        "fbmq-message-text.json",
        "fbmq-postback.json",
        "hs-docs2016-message-image-attachment.json",
        "hs-docs2016-optin.json",
        "hs-docs2016-postback.json",
        "meta-docs-message-reads-event.json",
    ];

    private readonly MetaHost _host = new();

    public void Dispose() => _host.Dispose();

    private static DateTimeOffset Ms(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    [Fact]
    public void EveryFixture_IsCoveredByATest()
    {
        var files = Directory.GetFiles(Fixtures.Path("messenger")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Covered.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task Text_FbmqFixture_IsMessageFromTheSenderWithMillisecondTimestamp()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.MessengerEventsOf("fbmq-message-text.json")));

        Assert.Equal(new WorkspaceId("acme"), message.WorkspaceId);
        Assert.Equal(FbmqPage, message.Channel);
        Assert.Equal(FbmqUser, message.Customer);
        Assert.Equal("mid.1472026867074:cfb5e1d4bde07a2a55", message.PlatformMessageId);
        Assert.Equal("hello world", message.Text);
        Assert.Equal(new DateTimeOffset(2016, 8, 24, 8, 21, 7, 80, TimeSpan.Zero), message.OccurredAt); // 1472026867080 ms
        Assert.Empty(message.Attachments);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Null(message.Payload);
        Assert.Null(message.Profile);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.False(message.IsEcho);
    }

    [Fact]
    public async Task Echo_FbmqFixture_IsOurOwnOutboundMessageToTheRecipient()
    {
        // is_echo=true: the sender is the page and the recipient the user; app_id is a JSON number.
        var echo = Assert.IsType<InboundMessage>(Assert.Single(await _host.MessengerEventsOf("fbmq-message-echo.json")));

        Assert.True(echo.IsEcho);
        Assert.Equal(FbmqPage, echo.Channel);
        Assert.Equal(FbmqUser, echo.Customer); // the recipient, not the sender (the page)
        Assert.Equal("mid.1472026868734:832ecbdfc1ffc30139", echo.PlatformMessageId);
        Assert.Equal("hello", echo.Text);
        Assert.Equal(new DateTimeOffset(2016, 8, 24, 8, 21, 8, 763, TimeSpan.Zero), echo.OccurredAt); // 1472026868763 ms
        Assert.Equal(ConversationVisibility.Private, echo.Visibility);
        Assert.Empty(echo.Attachments);
    }

    [Fact]
    public async Task Deliveries_FbmqFixture_IsDeliveredForTheMidThenTheWatermarkBecauseTimestampIsZero()
    {
        var events = (await _host.MessengerEventsOf("fbmq-message-deliveries.json")).Cast<InboundStatus>().ToArray();

        Assert.Equal(2, events.Length);
        var watermark = new DateTimeOffset(2016, 8, 24, 8, 46, 35, 190, TimeSpan.Zero); // 1472028395190 ms
        Assert.All(events, s =>
        {
            Assert.Equal(DeliveryStatus.Delivered, s.Status);
            Assert.Equal(FbmqPage, s.Channel);
            Assert.Equal(FbmqUser, s.Customer);
            Assert.Equal(watermark, s.OccurredAt); // messaging[].timestamp is 0
            Assert.Null(s.FailureCode);
        });
        Assert.Equal("mid.1472028395154:917e24ea99bc7d8f11", events[0].PlatformMessageId);
        Assert.Null(events[0].Watermark);
        Assert.Null(events[1].PlatformMessageId);
        Assert.Equal(watermark, events[1].Watermark);
    }

    [Fact]
    public async Task Reads_FbmqFixture_IsReadWatermark()
    {
        var read = Assert.IsType<InboundStatus>(Assert.Single(await _host.MessengerEventsOf("fbmq-message-reads.json")));

        Assert.Equal(DeliveryStatus.Read, read.Status);
        Assert.Equal(FbmqPage, read.Channel);
        Assert.Equal(FbmqUser, read.Customer);
        Assert.Null(read.PlatformMessageId);
        Assert.Equal(Ms(1472026868763), read.Watermark);
        Assert.Equal(new DateTimeOffset(2016, 8, 24, 8, 21, 9, 186, TimeSpan.Zero), read.OccurredAt); // 1472026869186 ms
    }

    [Fact]
    public async Task Postback_FbmqFixture_IsMessageWithPayloadAndStableSyntheticId()
    {
        var postback = Assert.IsType<InboundMessage>(Assert.Single(await _host.MessengerEventsOf("fbmq-postback.json")));

        Assert.Equal("DEVELOPED_DEFINED_PAYLOAD", postback.Payload);
        Assert.Null(postback.Text); // no title in this old payload
        Assert.Equal("postback:1134343043305865:1472028006107", postback.PlatformMessageId); // no mid in the payload
        Assert.Equal(FbmqUser, postback.Customer);
        Assert.Equal(FbmqPage, postback.Channel);
        Assert.Equal(new DateTimeOffset(2016, 8, 24, 8, 40, 6, 107, TimeSpan.Zero), postback.OccurredAt);
        Assert.False(postback.IsEcho);
    }

    [Fact]
    public async Task ImageAttachment_DocsFixture_IsImageWithUrlAndNoText()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.MessengerEventsOf("hs-docs2016-message-image-attachment.json")));

        Assert.Equal(new WorkspaceId("globex"), message.WorkspaceId);
        Assert.Equal(DocsPage, message.Channel); // entry[].id; recipient.id is the placeholder "PAGE_ID"
        Assert.Equal(DocsUser, message.Customer);
        Assert.Equal("mid.1458696618141:b4ef9d19ec21086067", message.PlatformMessageId);
        Assert.Equal(new DateTimeOffset(2016, 3, 23, 1, 30, 18, 268, TimeSpan.Zero), message.OccurredAt); // 1458696618268 ms
        Assert.Null(message.Text);
        var image = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Image, image.Kind);
        Assert.Equal("IMAGE_URL", image.Url?.OriginalString); // the docs' placeholder, kept as given
        Assert.Null(image.MimeType);
        Assert.Null(image.Location);
    }

    [Fact]
    public async Task Optin_DocsFixture_IsConsentGranted()
    {
        var consent = Assert.IsType<InboundConsent>(Assert.Single(await _host.MessengerEventsOf("hs-docs2016-optin.json")));

        Assert.Equal(ContactConsent.Granted, consent.Consent);
        Assert.Equal(DocsPage, consent.Channel);
        Assert.Equal(DocsUser, consent.Customer);
        Assert.Equal(new WorkspaceId("globex"), consent.WorkspaceId);
        Assert.Equal(new DateTimeOffset(1970, 1, 15, 6, 56, 7, 890, TimeSpan.Zero), consent.OccurredAt); // docs placeholder 1234567890, read as ms like every Messenger time
    }

    [Fact]
    public async Task Postback_DocsFixture_IsMessageWithPayload()
    {
        var postback = Assert.IsType<InboundMessage>(Assert.Single(await _host.MessengerEventsOf("hs-docs2016-postback.json")));

        Assert.Equal("USER_DEFINED_PAYLOAD", postback.Payload);
        Assert.Equal("postback:USER_ID:1458692752478", postback.PlatformMessageId);
        Assert.Equal(DocsUser, postback.Customer);
        Assert.Equal(DocsPage, postback.Channel);
        Assert.Equal(new DateTimeOffset(2016, 3, 23, 0, 25, 52, 478, TimeSpan.Zero), postback.OccurredAt);
        Assert.Null(postback.Text);
    }

    [Fact]
    public void ReadsEvent_MetaDocsFixture_SingleMessagingEventMapsToReadWatermark()
    {
        // The fixture is one messaging[] event, not a whole webhook: map it as the parser maps each event of an entry.
        var e = JsonSerializer.Deserialize(Fixtures.Bytes("messenger/meta-docs-message-reads-event.json"), MetaJsonContext.Default.MessagingEvent);
        var parser = new MetaWebhookParser(ChannelKind.Messenger, "Messenger", "page");
        var events = new List<InboundEvent>();

        Assert.True(parser.TryMapEvent(e, new WorkspaceId("acme"), FbmqPage, events, out var reason), reason);

        var read = Assert.IsType<InboundStatus>(Assert.Single(events));
        Assert.Equal(DeliveryStatus.Read, read.Status);
        Assert.Equal(new ContactHandle(ChannelKind.Messenger, "<PSID>"), read.Customer);
        Assert.Null(read.PlatformMessageId);
        Assert.Equal(new DateTimeOffset(2016, 3, 22, 17, 47, 36, 253, TimeSpan.Zero), read.Watermark); // 1458668856253 ms
        Assert.Equal(new DateTimeOffset(2016, 3, 22, 17, 47, 36, 463, TimeSpan.Zero), read.OccurredAt); // 1458668856463 ms
    }

    [Fact]
    public async Task ReadsEvent_MetaDocsFixturePostedAsWholeBody_UnparseableNamingTheMissingObject()
    {
        var result = await _host.Messenger.HandleAsync(MetaHost.SignedPost(Fixtures.Bytes("messenger/meta-docs-message-reads-event.json")), CancellationToken.None);

        Assert.Contains("'object'", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EnvelopeFixtures))]
    public async Task Signature_EveryEnvelopeFixture_VerifiesAndFailsOnAnyOneByteChange(string fixture)
    {
        var body = Fixtures.Bytes("messenger/" + fixture);
        var signature = MetaHost.Sign(body);

        Assert.IsType<WebhookEvents>(await _host.Messenger.HandleAsync(MetaHost.Post(body, signature), CancellationToken.None));

        var tamperedBody = (byte[])body.Clone();
        tamperedBody[body.Length / 2] ^= 0x01;
        var tamperedSignature = signature[..^1] + (signature[^1] == '0' ? '1' : '0');
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Messenger.HandleAsync(MetaHost.Post(tamperedBody, signature), CancellationToken.None)).StatusCode);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Messenger.HandleAsync(MetaHost.Post(body, tamperedSignature), CancellationToken.None)).StatusCode);
    }

    public static TheoryData<string> EnvelopeFixtures() => [.. Covered.Where(f => f != "meta-docs-message-reads-event.json")];
}
