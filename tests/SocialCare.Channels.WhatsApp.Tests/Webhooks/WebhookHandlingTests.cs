using System.Text;

namespace SocialCare.Channels.WhatsApp.Webhooks;

public sealed class WebhookHandlingTests : IDisposable
{
    private readonly WhatsAppHost _host = new();

    public void Dispose() => _host.Dispose();

    private static WebhookRequest Get(string query, string? registration = null) =>
        new("GET", new Uri("https://care.example/webhooks/whatsapp?" + query), [], default) { RegistrationName = registration };

    private static byte[] Payload(string phoneNumberId, string messagesOrStatuses) => Encoding.UTF8.GetBytes(
        $$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"1","phone_number_id":"{{{phoneNumberId}}}"},{{{messagesOrStatuses}}}}}]}]}
        """);

    private Task<WebhookResult> Handle(byte[] body) => _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(body), CancellationToken.None).AsTask();

    [Fact]
    public async Task HandleAsync_SubscribeWithRightToken_EchoesChallenge()
    {
        var result = await _host.Adapter.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1158201444"), CancellationToken.None);

        Assert.Equal(new WebhookHandshake(200, "text/plain", "1158201444"), result);
    }

    [Fact]
    public async Task HandleAsync_SubscribeWithWrongToken_Rejected403()
    {
        var result = await _host.Adapter.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"), CancellationToken.None);

        Assert.Equal(403, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_GetWithoutChallenge_Rejected400()
    {
        var result = await _host.Adapter.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in"), CancellationToken.None);

        Assert.Equal(400, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnknownRegistrationName_Rejected404()
    {
        var result = await _host.Adapter.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1", "nope"), CancellationToken.None);

        Assert.Equal(404, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PostWithoutSignature_Rejected401()
    {
        var result = await _host.Adapter.HandleAsync(WhatsAppHost.Post(Fixtures.Bytes("whatsapp/bwa-message-text.json"), signature: null), CancellationToken.None);

        var rejected = Assert.IsType<WebhookRejected>(result);
        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("X-Hub-Signature-256", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_PostSignedWithAnotherSecret_Rejected401()
    {
        var result = await _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(Fixtures.Bytes("whatsapp/bwa-message-text.json"), "not-the-secret"), CancellationToken.None);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_NumberRegisteredUnderAnotherAppSecret_Rejected401()
    {
        // pywa-signed's number is registered with the pywa secret; a body for it signed with the test secret is refused.
        var body = Payload("277321005464405", """ "statuses":[{"id":"wamid.1","status":"sent","timestamp":"1700000000","recipient_id":"1"}] """);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await Handle(body)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PutMethod_Rejected405()
    {
        var request = new WebhookRequest("PUT", new Uri("https://care.example/w"), [], default);

        Assert.Equal(405, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnregisteredPhoneNumberId_UnparseableNamingTheNumber()
    {
        var body = Payload("999", """ "statuses":[{"id":"wamid.1","status":"sent","timestamp":"1700000000","recipient_id":"1"}] """);

        var reason = Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason;

        Assert.Contains("phone_number_id 999", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not valid WhatsApp webhook JSON")]
    [InlineData("""{"object":"page","entry":[]}""", "'page'")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{}}]}]}""", "account_update")]
    public async Task HandleAsync_PayloadNotUnderstood_UnparseableWithReason(string json, string expected)
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Encoding.UTF8.GetBytes(json))).Reason;

        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_UnknownMessageType_UnparseableNamingTheTypeAndPlatformError()
    {
        var body = Payload("409552778964973", """
            "messages":[{"from":"1","id":"wamid.2","timestamp":"1700000000","type":"unsupported",
              "errors":[{"code":131051,"title":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}]}]
            """);

        var reason = Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason;

        Assert.Contains("'unsupported'", reason, StringComparison.Ordinal);
        Assert.Contains("131051", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_UnknownStatus_Unparseable()
    {
        var body = Payload("409552778964973", """ "statuses":[{"id":"wamid.1","status":"deleted","timestamp":"1700000000","recipient_id":"1"}] """);

        Assert.Contains("'deleted'", Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_MillisecondTimestampOrGarbage_Unparseable()
    {
        var body = Payload("409552778964973", """ "messages":[{"from":"1","id":"wamid.3","timestamp":"soon","type":"text","text":{"body":"x"}}] """);

        Assert.Contains("Unix seconds", Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ReactionWithEmptyEmoji_IsRemovedReaction()
    {
        var body = Payload("409552778964973", """ "messages":[{"from":"1","id":"wamid.4","timestamp":"1700000000","type":"reaction","reaction":{"message_id":"wamid.target","emoji":""}}] """);

        var reaction = Assert.IsType<InboundReaction>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents));

        Assert.Null(reaction.Emoji);
        Assert.Equal("wamid.target", reaction.TargetPlatformMessageId);
    }

    [Fact]
    public async Task HandleAsync_ListReplyDocumentAndNamedLocation_AreMapped()
    {
        var body = Payload("409552778964973", """
            "contacts":[{"profile":{"name":"Ann"},"wa_id":"1"},{"profile":{"name":"Bob"},"wa_id":"2"}],
            "messages":[
              {"from":"1","id":"wamid.5","timestamp":"1700000000","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"row-1","title":"Refund"}}},
              {"from":"2","id":"wamid.6","timestamp":"1700000001","type":"document","document":{"id":"77","mime_type":"application/pdf","filename":"invoice.pdf","caption":"my invoice"}},
              {"from":"2","id":"wamid.7","timestamp":"1700000002","type":"location","location":{"latitude":1.5,"longitude":2.5,"name":"Shop","address":"Main St 1"}}]
            """);

        var events = Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents.Cast<InboundMessage>().ToArray();

        Assert.Equal(3, events.Length);
        Assert.Equal(("row-1", "Refund", "Ann"), (events[0].Payload, events[0].Text, events[0].Profile?.Name));
        var document = Assert.Single(events[1].Attachments);
        Assert.Equal((AttachmentKind.File, "whatsapp-media:77", "application/pdf", "invoice.pdf"), (document.Kind, document.Url?.OriginalString, document.MimeType, document.Name));
        Assert.Equal(("my invoice", "Bob"), (events[1].Text, events[1].Profile?.Name));
        Assert.Equal(new GeoLocation(1.5, 2.5, "Shop", "Main St 1"), Assert.Single(events[2].Attachments).Location);
    }

    [Fact]
    public async Task HandleAsync_RegistrationNameGiven_UsesOnlyThatRegistration()
    {
        var body = Fixtures.Bytes("whatsapp/bwa-message-text.json");

        var right = await _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(body, registration: "bwa"), CancellationToken.None);
        var wrong = await _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(body, registration: "pywa"), CancellationToken.None);

        Assert.IsType<WebhookEvents>(right);
        Assert.IsType<WebhookUnparseable>(wrong); // genuine, but not for the number registered under "pywa"
    }

    [Fact]
    public void Capabilities_DescribeWhatsApp()
    {
        Assert.Equal(ChannelKind.WhatsApp, _host.Adapter.Kind);
        Assert.Equal(4096, _host.Adapter.Capabilities.MaxTextLength);
        Assert.Equal(TimeSpan.FromHours(24), _host.Adapter.Capabilities.CustomerServiceWindow);
        Assert.True(_host.Adapter.Capabilities.SupportsTemplates);
        Assert.False(_host.Adapter.Capabilities.SupportsPublic);
        Assert.True(_host.Adapter.Capabilities.Supports(AttachmentKind.Sticker));
    }
}
