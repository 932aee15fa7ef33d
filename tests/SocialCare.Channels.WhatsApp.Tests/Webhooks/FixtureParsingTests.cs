namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>Every real payload in shared/fixtures/whatsapp parses into the expected normalized events.</summary>
public sealed class FixtureParsingTests : IDisposable
{
    private static readonly ChannelAccount Bwa = new(ChannelKind.WhatsApp, "409552778964973");
    private static readonly ChannelAccount Pywa = new(ChannelKind.WhatsApp, "1122334455667");
    private static readonly ContactHandle Mauricio = new(ChannelKind.WhatsApp, "1111111111111");
    private static readonly ContactHandle TestName = new(ChannelKind.WhatsApp, "972987654321");

    /// <summary>The fixtures these tests cover; a new fixture file fails <see cref="EveryFixture_IsCoveredByATest"/> until it is added.</summary>
    private static readonly string[] Covered =
    [
        "bwa-message-button-template-quick-reply.json",
        "bwa-message-image.json",
        "bwa-message-location.json",
        "bwa-message-reaction.json",
        "bwa-message-text.json",
        "bwa-status-delivered.json",
        "bwa-status-failed-media-upload.json",
        "bwa-status-failed-reengagement.json",
        "bwa-status-sent.json",
        "pywa-message-interactive-button-reply.json",
        "pywa-message-video.json",
        "pywa-signed-webhook-body.json",
        "pywa-status-read.json",
        "pywa-x-hub-signature-256.signature.json",
    ];

    private readonly WhatsAppHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void EveryFixture_IsCoveredByATest()
    {
        var files = Directory.GetFiles(Fixtures.Path("whatsapp")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Covered.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task Text_BwaFixture_IsMessageWithTextSenderProfileAndSecondsTimestamp()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("bwa-message-text.json")));

        Assert.Equal(new WorkspaceId("acme"), message.WorkspaceId);
        Assert.Equal(Bwa, message.Channel);
        Assert.Equal(Mauricio, message.Customer);
        Assert.Equal("wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==", message.PlatformMessageId);
        Assert.Equal("hi everyone!", message.Text);
        Assert.Equal(new DateTimeOffset(2023, 1, 5, 19, 39, 38, TimeSpan.Zero), message.OccurredAt); // 1672947578 s
        Assert.Equal("Mauricio Binda", message.Profile?.Name);
        Assert.Empty(message.Attachments);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Null(message.Payload);
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.False(message.IsEcho);
    }

    [Fact]
    public async Task Image_BwaFixture_IsMediaAttachmentWithoutText()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("bwa-message-image.json")));

        Assert.Equal("wamid.HBgODE0NDQwANNTTBGRjkUyNzkzNhUCABIYFDNF5NzAzMDkQjBEQ3NjdBA==", message.PlatformMessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1673032525), message.OccurredAt);
        Assert.Equal(Mauricio, message.Customer);
        Assert.Null(message.Text);
        var image = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Image, image.Kind);
        Assert.Equal(new Uri("whatsapp-media:8472976218001204"), image.Url);
        Assert.Equal("image/jpeg", image.MimeType);
    }

    [Fact]
    public async Task Video_PywaFixture_IsMediaWithCaptionAsTextAndForwardedContextIsNoReply()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("pywa-message-video.json")));

        Assert.Equal(new WorkspaceId("globex"), message.WorkspaceId);
        Assert.Equal(Pywa, message.Channel);
        Assert.Equal(TestName, message.Customer);
        Assert.Equal("wamid.xyzxyz", message.PlatformMessageId);
        Assert.Equal(new DateTimeOffset(2023, 10, 11, 17, 12, 42, TimeSpan.Zero), message.OccurredAt); // 1697044362 s
        Assert.Equal("caption", message.Text);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Equal("Test Name", message.Profile?.Name);
        var video = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Video, video.Kind);
        Assert.Equal(new Uri("whatsapp-media:765756756"), video.Url);
        Assert.Equal("video/mp4", video.MimeType);
    }

    [Fact]
    public async Task Location_BwaFixture_IsGeoLocationAttachmentWithUnescapedUrl()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("bwa-message-location.json")));

        Assert.Equal("wamid.HBgNNVENjUTzk5NzAzMUyNDkzIYFDNBMERNhUCABBMkYzNjhFQzzNEUwAA==", message.PlatformMessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1673641462), message.OccurredAt);
        Assert.Null(message.Text);
        var place = Assert.Single(message.Attachments);
        Assert.Equal(AttachmentKind.Location, place.Kind);
        Assert.Equal(new GeoLocation(-10.93941311633, -10.606395436721), place.Location);
        Assert.Equal(new Uri("https://foursquare.com/v/5c42c5667d8497002c6e09f9"), place.Url);
    }

    [Fact]
    public async Task Reaction_BwaFixture_IsReactionWithEmojiAndTarget()
    {
        var reaction = Assert.IsType<InboundReaction>(Assert.Single(await _host.EventsOf("bwa-message-reaction.json")));

        Assert.Equal(Bwa, reaction.Channel);
        Assert.Equal(Mauricio, reaction.Customer);
        Assert.Equal("wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==", reaction.TargetPlatformMessageId);
        Assert.Equal("\U0001F44D", reaction.Emoji);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1673026587), reaction.OccurredAt);
    }

    [Fact]
    public async Task TemplateQuickReply_BwaFixture_IsPayloadAndTextWithReplyTo()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("bwa-message-button-template-quick-reply.json")));

        Assert.Equal("SIM", message.Payload);
        Assert.Equal("SIM", message.Text);
        Assert.Equal("wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==", message.ReplyToPlatformMessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1673023653), message.OccurredAt);
        Assert.Equal(Mauricio, message.Customer);
    }

    [Fact]
    public async Task InteractiveButtonReply_PywaFixture_IsPayloadAndTitleWithReplyTo()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("pywa-message-interactive-button-reply.json")));

        Assert.Equal("callback_data", message.Payload);
        Assert.Equal("title", message.Text);
        Assert.Equal("wamid.xyzxyz", message.ReplyToPlatformMessageId);
        Assert.Equal(TestName, message.Customer);
        Assert.Equal(Pywa, message.Channel);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1698266730), message.OccurredAt);
    }

    [Theory]
    [InlineData("bwa-status-sent.json", DeliveryStatus.Sent, 1673020317)]
    [InlineData("bwa-status-delivered.json", DeliveryStatus.Delivered, 1673020317)]
    public async Task Status_BwaFixtures_IsStatusForRecipient(string fixture, DeliveryStatus expected, long seconds)
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf(fixture)));

        Assert.Equal(expected, status.Status);
        Assert.Equal("wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==", status.PlatformMessageId);
        Assert.Equal(Mauricio, status.Customer);
        Assert.Equal(Bwa, status.Channel);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds), status.OccurredAt);
        Assert.Null(status.Watermark);
        Assert.Null(status.FailureCode);
        Assert.Null(status.FailureReason);
    }

    [Fact]
    public async Task StatusRead_PywaFixture_IsReadStatus()
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf("pywa-status-read.json")));

        Assert.Equal(DeliveryStatus.Read, status.Status);
        Assert.Equal("wamid.xyzxyz", status.PlatformMessageId);
        Assert.Equal(TestName, status.Customer);
        Assert.Equal(new DateTimeOffset(2023, 7, 15, 0, 20, 58, TimeSpan.Zero), status.OccurredAt); // 1689380458 s
    }

    [Fact]
    public async Task StatusFailed_ReengagementFixture_CarriesCodeAndDetails()
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf("bwa-status-failed-reengagement.json")));

        Assert.Equal(DeliveryStatus.Failed, status.Status);
        Assert.Equal("wamid.HBgNN5NzAzMDkTUyNzkzNhUEjA1MjUwNCAUIyNEYUQ0OTVGNTY0MwA=", status.PlatformMessageId);
        Assert.Equal(new ChannelAccount(ChannelKind.WhatsApp, "109999999999999"), status.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.WhatsApp, "5511111111111"), status.Customer);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1682651887), status.OccurredAt);
        Assert.Equal("131047", status.FailureCode);
        Assert.Equal("Message failed to send because more than 24 hours have passed since the customer last replied to this number.", status.FailureReason);
    }

    [Fact]
    public async Task StatusFailed_MediaUploadFixture_CarriesCodeAndUnescapedDetails()
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf("bwa-status-failed-media-upload.json")));

        Assert.Equal(DeliveryStatus.Failed, status.Status);
        Assert.Equal("wamid.HBgNNTUyNzk5NzAUZBQTI3MzRGRDA3MjgzMDkzNhUCABEYEjNCR2OQA=", status.PlatformMessageId);
        Assert.Equal("131053", status.FailureCode);
        Assert.Equal("Unsupported Video mime type text/html. Please use one of video/3gpp, video/mp4.", status.FailureReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1677783372), status.OccurredAt);
    }

    [Fact]
    public async Task SignedBody_PywaVectorWithItsRealSignature_ParsesTheText()
    {
        var body = Fixtures.Bytes("whatsapp/pywa-signed-webhook-body.json");
        const string Signature = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"; // the vector's expected_signature

        var result = await _host.Adapter.HandleAsync(WhatsAppHost.Post(body, Signature), CancellationToken.None);

        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(result).InboundEvents));
        Assert.Equal(new WorkspaceId("initech"), message.WorkspaceId);
        Assert.Equal(new ChannelAccount(ChannelKind.WhatsApp, "277321005464405"), message.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.WhatsApp, "972544401243"), message.Customer);
        Assert.Equal("wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA", message.PlatformMessageId);
        Assert.Equal("Hey there! I am using PyWa.", message.Text);
        Assert.Equal("PyWa Tests", message.Profile?.Name);
        Assert.Equal(new DateTimeOffset(2024, 10, 29, 19, 58, 23, TimeSpan.Zero), message.OccurredAt); // 1730231903 s
    }

    [Fact]
    public async Task SignedBody_PywaVectorChangedByOneByte_IsRejected401()
    {
        var body = Fixtures.Bytes("whatsapp/pywa-signed-webhook-body.json");
        body[body.Length / 2] ^= 0x01;

        var result = await _host.Adapter.HandleAsync(WhatsAppHost.Post(body, "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"), CancellationToken.None);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }
}
