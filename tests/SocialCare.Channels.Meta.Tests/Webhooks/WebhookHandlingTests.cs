using System.Text;

namespace SocialCare.Channels.Meta.Webhooks;

public sealed class WebhookHandlingTests : IDisposable
{
    private readonly MetaHost _host = new();

    public void Dispose() => _host.Dispose();

    private static WebhookRequest Get(string query, string? registration = null) =>
        new("GET", new Uri("https://care.example/webhooks/meta?" + query), [], default) { RegistrationName = registration };

    private static byte[] Page(string messaging, string pageId = MetaHost.FbmqPage) => Encoding.UTF8.GetBytes(
        $$"""{"object":"page","entry":[{"id":"{{pageId}}","time":1472026867114,"messaging":[{{messaging}}]}]}""");

    private static string FromUser(string body, string timestamp = "1472026867080") =>
        $$"""{"sender":{"id":"1134343043305865"},"recipient":{"id":"{{MetaHost.FbmqPage}}"},"timestamp":{{timestamp}},{{body}}}""";

    private Task<WebhookResult> Handle(byte[] body, string secret = MetaHost.TestSecret) =>
        _host.Messenger.HandleAsync(MetaHost.SignedPost(body, secret), CancellationToken.None).AsTask();

    [Fact]
    public async Task HandleAsync_SubscribeWithRightToken_EchoesChallenge()
    {
        var result = await _host.Messenger.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1158201444"), CancellationToken.None);

        Assert.Equal(new WebhookHandshake(200, "text/plain", "1158201444"), result);
    }

    [Fact]
    public async Task HandleAsync_InstagramSubscribeWithRightToken_EchoesChallenge()
    {
        var result = await _host.Instagram.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=42", "ig"), CancellationToken.None);

        Assert.Equal(new WebhookHandshake(200, "text/plain", "42"), result);
    }

    [Fact]
    public async Task HandleAsync_SubscribeWithWrongToken_Rejected403()
    {
        var result = await _host.Messenger.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"), CancellationToken.None);

        Assert.Equal(403, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_GetWithoutChallengeOrMode_Rejected400()
    {
        Assert.Equal(400, Assert.IsType<WebhookRejected>(await _host.Messenger.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in"), CancellationToken.None)).StatusCode);
        Assert.Equal(400, Assert.IsType<WebhookRejected>(await _host.Messenger.HandleAsync(Get("hub.verify_token=let-me-in&hub.challenge=1"), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnknownRegistrationName_Rejected404()
    {
        // "ig" is an Instagram registration, not a Messenger one.
        var result = await _host.Messenger.HandleAsync(Get("hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1", "ig"), CancellationToken.None);

        Assert.Equal(404, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PostWithoutSignature_Rejected401NamingTheHeader()
    {
        var result = await _host.Messenger.HandleAsync(MetaHost.Post(Fixtures.Bytes("messenger/fbmq-message-text.json"), signature: null), CancellationToken.None);

        var rejected = Assert.IsType<WebhookRejected>(result);
        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("X-Hub-Signature-256", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_OnlyLegacySha1Signature_Rejected401()
    {
        // A correct X-Hub-Signature (SHA-1) alone is not enough: Meta always sends X-Hub-Signature-256 too.
        var body = Fixtures.Bytes("messenger/fbmq-message-text.json");
        var sha1 = SocialCare.Channels.Http.WebhookSignature.ComputeHex(SocialCare.Channels.Http.SignatureAlgorithm.HmacSha1, Encoding.UTF8.GetBytes(MetaHost.TestSecret), body, "sha1=");

        var result = await _host.Messenger.HandleAsync(MetaHost.Post(body, sha1, header: "X-Hub-Signature"), CancellationToken.None);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PostSignedWithAnotherSecret_Rejected401()
    {
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await Handle(Fixtures.Bytes("messenger/fbmq-message-text.json"), "not-the-secret")).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PageRegisteredUnderAnotherAppSecret_Rejected401()
    {
        // other-app's page is registered with another secret; a body for it signed with the test secret is refused.
        var body = Page(FromUser(""" "message":{"mid":"m.1","text":"hi"} """), MetaHost.OtherAppPage);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await Handle(body)).StatusCode);
        Assert.IsType<WebhookEvents>(await Handle(body, MetaHost.OtherSecret));
    }

    [Fact]
    public async Task HandleAsync_PutMethod_Rejected405()
    {
        var request = new WebhookRequest("PUT", new Uri("https://care.example/w"), [], default);

        Assert.Equal(405, Assert.IsType<WebhookRejected>(await _host.Messenger.HandleAsync(request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnregisteredPage_UnparseableNamingThePage()
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Page(FromUser(""" "message":{"mid":"m.1","text":"hi"} """), "999"))).Reason;

        Assert.Contains("Entry id 999", reason, StringComparison.Ordinal);
        Assert.Contains("care.AddMessenger", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not valid Messenger webhook JSON")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[]}""", "'whatsapp_business_account'")]
    [InlineData("""{"object":"page","entry":[]}""", "no entry")]
    [InlineData("""{"object":"page","entry":[{"id":"1691462197845448","time":1,"changes":[{"field":"feed","value":{}}]}]}""", "'changes'")]
    [InlineData("""{"object":"page","entry":[{"id":"1691462197845448","time":1}]}""", "neither 'messaging' nor 'standby'")]
    public async Task HandleAsync_PayloadNotUnderstood_UnparseableWithReason(string json, string expected)
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Encoding.UTF8.GetBytes(json))).Reason;

        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(""" "pass_thread_control":{"new_owner_app_id":"1","metadata":"x"} """, "'pass_thread_control'")]
    [InlineData(""" "message":{"mid":"m.1","attachments":[{"type":"fallback","payload":{"url":"https://x.example"}}]} """, "type 'fallback'")]
    [InlineData(""" "message":{"mid":"m.1","attachments":[{"type":"image","payload":{}}]} """, "payload.url")]
    [InlineData(""" "message":{"mid":"m.1","is_unsupported":true} """, "is_unsupported")]
    [InlineData(""" "message":{"text":"no id"} """, "no mid")]
    [InlineData(""" "delivery":{"mids":["m.1"]} """, "delivery.watermark")]
    [InlineData(""" "read":{} """, "neither watermark nor mid")]
    public async Task HandleAsync_EventNotUnderstood_UnparseableNamingTheField(string body, string expected)
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Page(FromUser(body)))).Reason;

        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.Contains("messaging[0]", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TimestampNotANumber_UnparseableNamingTheJsonPath()
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Page(FromUser(""" "message":{"mid":"m.1","text":"x"} """, "\"soon\"")))).Reason;

        Assert.Contains("$.entry[0].messaging[0].timestamp", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task HandleAsync_MissingOrBadTimestamp_UnparseableSayingMilliseconds(string timestamp)
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Page(FromUser(""" "message":{"mid":"m.1","text":"x"} """, timestamp)))).Reason;

        Assert.Contains("Unix milliseconds", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_OptinByUserRefOnly_UnparseableNamingUserRef()
    {
        var body = Page($$$"""{"recipient":{"id":"{{{MetaHost.FbmqPage}}}"},"timestamp":1472026867080,"optin":{"ref":"r","user_ref":"u-1"}}""");

        Assert.Contains("user_ref", Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_NotificationMessagesStop_IsConsentRevoked()
    {
        var body = Page(FromUser(""" "optin":{"type":"notification_messages","notification_messages_status":"STOP NOTIFICATIONS"} """));

        var consent = Assert.IsType<InboundConsent>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents));

        Assert.Equal(ContactConsent.Revoked, consent.Consent);
    }

    [Fact]
    public async Task HandleAsync_ReferralAndTitledPostbackWithMid_AreMessagesWithPayload()
    {
        var body = Page(
            FromUser(""" "referral":{"ref":"summer-sale","source":"SHORTLINK","type":"OPEN_THREAD"} """) + "," +
            FromUser(""" "postback":{"mid":"m.pb","title":"Talk to a human","payload":"HUMAN"} """, "1472026867090"));

        var events = Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents.Cast<InboundMessage>().ToArray();

        Assert.Equal(("summer-sale", "referral:1134343043305865:1472026867080"), (events[0].Payload, events[0].PlatformMessageId));
        Assert.Null(events[0].Text);
        Assert.Equal(("HUMAN", "Talk to a human", "m.pb"), (events[1].Payload, events[1].Text, events[1].PlatformMessageId));
    }

    [Fact]
    public async Task HandleAsync_MessagingAndStandbyInOneEntry_BothIngestedInOrder()
    {
        var body = Encoding.UTF8.GetBytes($$"""
            {"object":"page","entry":[{"id":"{{MetaHost.FbmqPage}}","time":1,
              "messaging":[{{FromUser(""" "message":{"mid":"m.a","text":"a"} """)}}],
              "standby":[{{FromUser(""" "message":{"mid":"m.b","text":"b"} """, "1472026867081")}}]}]}
            """);

        var events = Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents.Cast<InboundMessage>();

        Assert.Equal(["m.a", "m.b"], events.Select(m => m.PlatformMessageId));
    }

    [Fact]
    public async Task HandleAsync_RegistrationNameGiven_UsesOnlyThatRegistration()
    {
        var body = Fixtures.Bytes("messenger/fbmq-message-text.json");

        var right = await _host.Messenger.HandleAsync(MetaHost.SignedPost(body, registration: "fbmq"), CancellationToken.None);
        var wrong = await _host.Messenger.HandleAsync(MetaHost.SignedPost(body, registration: "docs"), CancellationToken.None);

        Assert.IsType<WebhookEvents>(right);
        Assert.IsType<WebhookUnparseable>(wrong); // genuine, but not for the page registered under "docs"
    }

    [Fact]
    public void Capabilities_DescribeMessenger()
    {
        Assert.Equal(ChannelKind.Messenger, _host.Messenger.Kind);
        Assert.Equal(2000, _host.Messenger.Capabilities.MaxTextLength);
        Assert.Equal(TimeSpan.FromHours(24), _host.Messenger.Capabilities.CustomerServiceWindow);
        Assert.False(_host.Messenger.Capabilities.SupportsTemplates);
        Assert.False(_host.Messenger.Capabilities.SupportsPublic);
        Assert.True(_host.Messenger.Capabilities.Supports(AttachmentKind.File));
        Assert.False(_host.Messenger.Capabilities.Supports(AttachmentKind.Location));
    }
}
