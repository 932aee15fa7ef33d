namespace SocialCare.Ingestion;

/// <summary>Malformed inbound events get a typed error naming the field, and nothing already stored changes.</summary>
public sealed class InboundValidationTests : IAsyncDisposable
{
    private readonly CareHost _host = CareHost.Create(care => care.Configure(o =>
    {
        o.MaxTextLength = 100;
        o.MaxAttachments = 3;
    }));

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<string, string> BadEvents => new()
    {
        { "message: null platform id", "InboundMessage.PlatformMessageId" },
        { "message: empty platform id", "InboundMessage.PlatformMessageId" },
        { "message: white-space platform id", "InboundMessage.PlatformMessageId" },
        { "message: platform id over 512", "InboundMessage.PlatformMessageId" },
        { "message: empty reply-to id", "InboundMessage.ReplyToPlatformMessageId" },
        { "message: empty workspace", "InboundMessage.WorkspaceId" },
        { "message: empty channel", "InboundMessage.Channel" },
        { "message: empty account id", "InboundMessage.Channel" },
        { "message: empty customer id", "InboundMessage.Customer" },
        { "message: customer of another platform", "InboundMessage.Customer" },
        { "message: text over MaxTextLength", "InboundMessage.Text" },
        { "message: no text, attachment or payload", "InboundMessage.Text" },
        { "message: attachment without url", "InboundMessage.Attachments[0].Url" },
        { "message: location without coordinates", "InboundMessage.Attachments[1].Location" },
        { "message: latitude out of range", "InboundMessage.Attachments[0].Location.Latitude" },
        { "message: longitude NaN", "InboundMessage.Attachments[0].Location.Longitude" },
        { "message: negative attachment size", "InboundMessage.Attachments[0].SizeBytes" },
        { "message: undefined attachment kind", "InboundMessage.Attachments[0].Kind" },
        { "message: null attachment", "InboundMessage.Attachments[0]" },
        { "message: null attachment list", "InboundMessage.Attachments" },
        { "message: more than MaxAttachments", "InboundMessage.Attachments" },
        { "message: undefined visibility", "InboundMessage.Visibility" },
        { "message: occurred far in the future", "InboundMessage.OccurredAt" },
        { "message: occurred missing", "InboundMessage.OccurredAt" },
        { "status: neither id nor watermark", "InboundStatus.PlatformMessageId" },
        { "status: queued", "InboundStatus.Status" },
        { "status: undefined", "InboundStatus.Status" },
        { "reaction: empty target", "InboundReaction.TargetPlatformMessageId" },
        { "reaction: emoji too long", "InboundReaction.Emoji" },
        { "edit: text over MaxTextLength", "InboundEdit.Text" },
        { "edit: empty id", "InboundEdit.PlatformMessageId" },
        { "deletion: empty id", "InboundDeletion.PlatformMessageId" },
        { "consent: undefined", "InboundConsent.Consent" },
        { "unknown event type", "UnknownEvent.Type" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task IngestAsync_BadEvent_ThrowsNamingFieldAndLeavesStoreUnchanged(string name, string field)
    {
        // Something already stored that the bad event could touch: a customer message and a brand echo.
        await _host.IngestAsync(_host.Message("wamid.ok"));
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Our reply"));
        var snapshot = await _host.SnapshotAsync();
        var contact = await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice));
        _host.Events.Clear();

        var ex = await Assert.ThrowsAsync<InvalidInboundEventException>(async () => await _host.IngestAsync(Build(name)));

        Assert.Equal(field, ex.Field);
        Assert.Equal(field[..field.IndexOf('.', StringComparison.Ordinal)], ex.EventType);
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
        Assert.IsType<CareValidationException>(ex, exactMatch: false);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        Assert.Equal(contact, await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice)));
        Assert.Empty(_host.Events.All);
    }

    [Fact]
    public async Task IngestAsync_BadEventFromNewCustomer_CreatesNoContact()
    {
        var message = _host.Message("wamid.1", customer: CareHost.Bob, text: new string('x', 101));

        await Assert.ThrowsAsync<InvalidInboundEventException>(async () => await _host.IngestAsync(message));

        Assert.Null(await _host.FindContactAsync(message.Customer));
        Assert.Empty(await _host.ListAllAsync());
    }

    [Fact]
    public async Task IngestAsync_TextExactlyMaxTextLength_IsAccepted()
    {
        var result = await _host.IngestAsync(_host.Message("wamid.1", text: new string('x', 100)));

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
    }

    [Fact]
    public async Task IngestAsync_OccurredWithinClockSkew_IsAccepted()
    {
        var message = _host.Message("wamid.1") with { OccurredAt = _host.Now + TimeSpan.FromMinutes(5) };

        var result = await _host.IngestAsync(message);

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(message.OccurredAt, (await _host.MessagesAsync(result.ConversationId!.Value)).Single().SentAt);
    }

    [Fact]
    public async Task IngestAsync_MediaOnlyAndPayloadOnlyMessages_AreAccepted()
    {
        var media = _host.Message("wamid.1", text: null) with
        {
            Attachments = [new Attachment { Kind = AttachmentKind.Image, Url = new Uri("whatsapp-media:1234"), MimeType = "image/jpeg" }],
        };
        var location = _host.Message("wamid.2", text: null) with
        {
            Attachments = [new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(52.52, 13.405, "Berlin") }],
        };
        var postback = _host.Message("wamid.3", text: null) with { Payload = "TRACK_ORDER" };

        Assert.Equal(IngestOutcome.Accepted, (await _host.IngestAsync(media)).Outcome);
        Assert.Equal(IngestOutcome.Accepted, (await _host.IngestAsync(location)).Outcome);
        var last = await _host.IngestAsync(postback);

        var stored = await _host.MessagesAsync(last.ConversationId!.Value);
        Assert.Equal(AttachmentKind.Image, stored[0].Attachments.Single().Kind);
        Assert.Equal(13.405, stored[1].Attachments.Single().Location!.Longitude);
        Assert.Equal("TRACK_ORDER", stored[2].Payload);
    }

    [Fact]
    public async Task IngestAsync_NullEvent_ThrowsArgumentNull()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await _host.Ingestor.IngestAsync(null!));
    }

    private InboundEvent Build(string name)
    {
        var ok = _host.Message("wamid.new", text: "valid");
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/p.jpg") };
        return name switch
        {
            "message: null platform id" => ok with { PlatformMessageId = null! },
            "message: empty platform id" => ok with { PlatformMessageId = "" },
            "message: white-space platform id" => ok with { PlatformMessageId = "  " },
            "message: platform id over 512" => ok with { PlatformMessageId = new string('a', 513) },
            "message: empty reply-to id" => ok with { ReplyToPlatformMessageId = "" },
            "message: empty workspace" => ok with { WorkspaceId = default },
            "message: empty channel" => ok with { Channel = default },
            "message: empty account id" => ok with { Channel = new ChannelAccount(ChannelKind.WhatsApp, "") },
            "message: empty customer id" => ok with { Customer = new ContactHandle(ChannelKind.WhatsApp, "") },
            "message: customer of another platform" => ok with { Customer = new ContactHandle(ChannelKind.Messenger, CareHost.Alice) },
            "message: text over MaxTextLength" => ok with { Text = new string('x', 101) },
            "message: no text, attachment or payload" => ok with { Text = null },
            "message: attachment without url" => ok with { Attachments = [new Attachment { Kind = AttachmentKind.Video }] },
            "message: location without coordinates" => ok with { Attachments = [image, new Attachment { Kind = AttachmentKind.Location }] },
            "message: latitude out of range" => ok with { Attachments = [new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(91, 0) }] },
            "message: longitude NaN" => ok with { Attachments = [new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(0, double.NaN) }] },
            "message: negative attachment size" => ok with { Attachments = [image with { SizeBytes = -1 }] },
            "message: undefined attachment kind" => ok with { Attachments = [image with { Kind = (AttachmentKind)42 }] },
            "message: null attachment" => ok with { Attachments = [null!] },
            "message: null attachment list" => ok with { Attachments = null! },
            "message: more than MaxAttachments" => ok with { Attachments = [image, image, image, image] },
            "message: undefined visibility" => ok with { Visibility = (ConversationVisibility)7 },
            "message: occurred far in the future" => ok with { OccurredAt = _host.Now + TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1) },
            "message: occurred missing" => ok with { OccurredAt = default },
            "status: neither id nor watermark" => _host.Status(null, DeliveryStatus.Read),
            "status: queued" => _host.Status("wamid.out", DeliveryStatus.Queued),
            "status: undefined" => _host.Status("wamid.out", (DeliveryStatus)9),
            "reaction: empty target" => _host.Reaction("", "👍"),
            "reaction: emoji too long" => _host.Reaction("wamid.ok", new string('x', 65)),
            "edit: text over MaxTextLength" => _host.Edit("wamid.ok", new string('x', 101)),
            "edit: empty id" => _host.Edit("", "fixed"),
            "deletion: empty id" => _host.Deletion(" "),
            "consent: undefined" => new InboundConsent { WorkspaceId = CareHost.Acme, Channel = CareHost.WhatsApp, Customer = ok.Customer, OccurredAt = _host.Now, Consent = (ContactConsent)5 },
            "unknown event type" => new UnknownEvent { WorkspaceId = CareHost.Acme, Channel = CareHost.WhatsApp, Customer = ok.Customer, OccurredAt = _host.Now },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    /// <summary>An event kind a newer adapter might produce that this engine does not know.</summary>
    public sealed record UnknownEvent : InboundEvent;
}
