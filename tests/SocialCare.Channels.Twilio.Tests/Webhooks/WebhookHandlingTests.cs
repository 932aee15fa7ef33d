using System.Security.Cryptography;
using System.Text;
using SocialCare.Channels.Twilio.Webhooks;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>
/// Verification, decoding and mapping on CONSTRUCTED forms (written here after Twilio's documented webhook parameters,
/// not captured from Twilio): MMS, status callbacks, and shapes the adapter must refuse or not understand.
/// </summary>
public sealed class WebhookHandlingTests : IDisposable
{
    private const string Support = "%2B14155550100";
    private const string Customer = "%2B14155550123";

    private readonly TwilioHost _host = new();

    public void Dispose() => _host.Dispose();

    private static string Inbound(string rest) =>
        $"ToCountry=US&MessageSid=SM0001&AccountSid=AC00000000000000000000000000000001&From={Customer}&To={Support}&ApiVersion=2010-04-01&{rest}";

    private static string Status(string status, string rest = "", string from = Support) =>
        $"SmsSid=SM0002&SmsStatus={status}&MessageStatus={status}&To={Customer}&MessageSid=SM0002&AccountSid=AC00000000000000000000000000000001&From={from}&ApiVersion=2010-04-01{rest}";

    [Fact]
    public async Task HandleAsync_ConstructedMms_AttachmentsByIndexWithKindFromContentType()
    {
        var form = Inbound("Body=Look+at+this&NumMedia=3" +
            "&MediaContentType1=video%2Fmp4&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FSM0001%2FMedia%2FME1" +
            "&MediaContentType0=image%2Fjpeg&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FSM0001%2FMedia%2FME0" +
            "&MediaContentType2=text%2Fvcard&MediaUrl2=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FSM0001%2FMedia%2FME2");

        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(form)));

        Assert.Equal("SM0001", message.PlatformMessageId);
        Assert.Equal("Look at this", message.Text);
        Assert.Equal(new ChannelAccount(ChannelKind.Sms, "+14155550100"), message.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.Sms, "+14155550123"), message.Customer);
        Assert.Equal(TwilioHost.Now, message.OccurredAt);
        Assert.Equal(
            [
                (AttachmentKind.Image, "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM0001/Media/ME0", "image/jpeg"),
                (AttachmentKind.Video, "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM0001/Media/ME1", "video/mp4"),
                (AttachmentKind.File, "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM0001/Media/ME2", "text/vcard"),
            ],
            message.Attachments.Select(a => (a.Kind, a.Url!.AbsoluteUri, a.MimeType!)));
    }

    [Fact]
    public async Task HandleAsync_ConstructedMmsWithoutBody_TextIsNullAndAudioKind()
    {
        var form = Inbound("Body=&NumMedia=1&MediaContentType0=audio%2Famr&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2FME9");

        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(form)));

        Assert.Null(message.Text);
        Assert.Equal(AttachmentKind.Audio, Assert.Single(message.Attachments).Kind);
    }

    [Fact]
    public async Task HandleAsync_ConstructedMmsMissingADeclaredMediaUrl_UnparseableNamingIt()
    {
        var form = Inbound("Body=x&NumMedia=2&MediaContentType0=image%2Fpng&MediaUrl0=https%3A%2F%2Fa.example%2F0&MediaContentType1=image%2Fpng");

        Assert.Contains("MediaUrl1", Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(form))).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NumMedia=many")]
    [InlineData("NumMedia=-1")]
    [InlineData("NumMedia=11")]
    public async Task HandleAsync_ConstructedBadNumMedia_Unparseable(string numMedia)
    {
        var result = await _host.Handle(TwilioHost.SignedPost(Inbound("Body=x&" + numMedia)));

        Assert.Contains("NumMedia", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ConstructedFormEncoding_PlusPercentUtf8AndLiteralPercentDecodedExactly()
    {
        // '+' is a space, %2B a plus, %C3%A9 and %F0%9F%91%8D UTF-8 (é, thumbs up), a '%' without two hex digits stays.
        var form = Inbound("Body=1+%2B+1+%3D+2%2C+caf%C3%A9+%F0%9F%91%8D+100%+%25zz&NumMedia=0");

        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(form)));

        Assert.Equal("1 + 1 = 2, café \U0001F44D 100% %zz", message.Text);
    }

    [Fact]
    public async Task HandleAsync_ConstructedBodyWithInvalidUtf8_Rejected401WithoutParsing()
    {
        var form = Inbound("Body=%C3%28&NumMedia=0");

        var rejected = Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.Post(Encoding.UTF8.GetBytes(form), "AAAA")));

        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("UTF-8", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sent", DeliveryStatus.Sent)]
    [InlineData("delivered", DeliveryStatus.Delivered)]
    [InlineData("read", DeliveryStatus.Read)]
    public async Task HandleAsync_ConstructedStatusCallback_IsStatusForTheRecipient(string value, DeliveryStatus expected)
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf(Status(value))));

        Assert.Equal(expected, status.Status);
        Assert.Equal("SM0002", status.PlatformMessageId);
        Assert.Equal(new ChannelAccount(ChannelKind.Sms, "+14155550100"), status.Channel); // From: the brand's number
        Assert.Equal(new ContactHandle(ChannelKind.Sms, "+14155550123"), status.Customer); // To: the customer
        Assert.Equal(new WorkspaceId("acme"), status.WorkspaceId);
        Assert.Equal(TwilioHost.Now, status.OccurredAt);
        Assert.Null(status.Watermark);
        Assert.Null(status.FailureCode);
        Assert.Null(status.FailureReason);
    }

    [Theory]
    [InlineData("undelivered", "30003")]
    [InlineData("failed", "30008")]
    public async Task HandleAsync_ConstructedFailureCallback_CarriesErrorCodeAndReason(string value, string code)
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf(Status(value, "&ErrorCode=" + code))));

        Assert.Equal(DeliveryStatus.Failed, status.Status);
        Assert.Equal(code, status.FailureCode);
        Assert.Contains($"https://www.twilio.com/docs/api/errors/{code}", status.FailureReason, StringComparison.Ordinal);
        Assert.Contains(value, status.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ConstructedFailureWithErrorMessage_UsesTheMessage()
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf(Status("failed", "&ErrorCode=21610&ErrorMessage=Attempt+to+send+to+unsubscribed+recipient"))));

        Assert.Equal(("21610", "Attempt to send to unsubscribed recipient"), (status.FailureCode, status.FailureReason));
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("scheduled")]
    [InlineData("queued")]
    [InlineData("sending")]
    public async Task HandleAsync_ConstructedStepBeforeTheCarrier_GenuineButNoEvent(string value)
    {
        Assert.Empty(await _host.EventsOf(Status(value)));
    }

    [Fact]
    public async Task HandleAsync_ConstructedUnknownStatus_UnparseableNamingIt()
    {
        var reason = Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(Status("partially_delivered")))).Reason;

        Assert.Contains("'partially_delivered'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ConstructedStatusFromAPoolNumberOfTheMessagingService_MatchedToTheRegisteredNumber()
    {
        var form = Status("delivered", "&MessagingServiceSid=MG00000000000000000000000000000001", from: "%2B14155550777");

        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf(form)));

        Assert.Equal(new ChannelAccount(ChannelKind.Sms, "+14155550100"), status.Channel);
    }

    [Fact]
    public async Task HandleAsync_ConstructedMessageToAnUnregisteredNumber_UnparseableNamingTheNumber()
    {
        var form = "MessageSid=SM9&From=%2B14155550123&To=%2B19995550000&Body=hi&NumMedia=0";

        Assert.Contains("To +19995550000 is not a registered", Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(form))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ConstructedTwilioWhatsAppMessage_UnparseableAsNotARegisteredSmsNumber()
    {
        var form = "MessageSid=SM9&From=whatsapp%3A%2B14155550123&To=whatsapp%3A%2B14155550100&Body=hi&NumMedia=0&ProfileName=Ann";

        Assert.Contains("whatsapp:+14155550100", Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(form))).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountSid=AC1&SmsSid=x", "no MessageSid")]
    [InlineData("MessageSid=SM1&To=%2B14155550100&Body=x", "no From")]
    [InlineData("MessageSid=SM1&From=%2B1&To=%2B14155550100", "neither Body nor NumMedia")]
    [InlineData("", "no MessageSid")]
    public async Task HandleAsync_ConstructedUnknownShape_UnparseableWithReason(string form, string expected)
    {
        Assert.Contains(expected, Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(form))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_NoSignature_Rejected401()
    {
        var result = await _host.Handle(TwilioHost.Post(Encoding.UTF8.GetBytes(Status("sent")), signature: null));

        var rejected = Assert.IsType<WebhookRejected>(result);
        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("X-Twilio-Signature", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SignedWithAnotherToken_Rejected401()
    {
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.SignedPost(Status("sent"), token: "guess"))).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_SignedOverAnotherUrl_Rejected401()
    {
        var body = Encoding.UTF8.GetBytes(Status("sent"));
        var signature = TwilioHost.Sign("https://care.example/webhooks/other", body);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.Post(body, signature))).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_NumberRegisteredUnderAnotherToken_Rejected401()
    {
        // Signed with the vector registration's token, but addressed to the support number (test token).
        var body = Encoding.UTF8.GetBytes(Status("sent"));

        var rejected = Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.SignedPost(body, TwilioHost.VectorToken)));

        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("+14155550100", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://care.example/webhooks/twilio", "https://care.example:443/webhooks/twilio")]
    [InlineData("https://care.example:443/webhooks/twilio", "https://care.example/webhooks/twilio")]
    [InlineData("http://care.example/webhooks/twilio", "http://care.example:80/webhooks/twilio")]
    public async Task HandleAsync_SignedWithOrWithoutTheDefaultPort_BothVerify(string requestUrl, string signedUrl)
    {
        var body = Encoding.UTF8.GetBytes(Status("sent"));

        var result = await _host.Handle(TwilioHost.Post(body, TwilioHost.Sign(signedUrl, body), requestUrl));

        Assert.IsType<WebhookEvents>(result);
    }

    [Fact]
    public async Task HandleAsync_ConfiguredWebhookUrl_IsWhatIsVerifiedNotTheRequestUrl()
    {
        // Behind a proxy: Twilio signed the public URL, the host sees an internal one.
        var body = Encoding.UTF8.GetBytes("MessageSid=SM5&From=%2B14155550123&To=%2B14155550199&Body=hi&NumMedia=0");
        var request = TwilioHost.Post(body, TwilioHost.Sign(TwilioHost.ProxiedUrl, body, "proxied-token"), "http://10.0.0.7:5000/webhooks/twilio");
        var signedOverRequestUrl = TwilioHost.Post(body, TwilioHost.Sign("http://10.0.0.7:5000/webhooks/twilio", body, "proxied-token"), "http://10.0.0.7:5000/webhooks/twilio");

        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(await _host.Handle(request)).InboundEvents));

        Assert.Equal(new WorkspaceId("globex"), message.WorkspaceId);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Handle(signedOverRequestUrl)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_RegistrationName_UsesOnlyThatRegistrationAndUnknownIs404()
    {
        var body = Fixtures.Bytes("twilio/bb-inbound-sms-no-media.form");

        Assert.IsType<WebhookEvents>(await _host.Handle(TwilioHost.SignedPost(body, registration: "bb")));
        Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(body, registration: "support"))); // genuine, other number
        Assert.Equal(404, Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.SignedPost(body, registration: "nope"))).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_Get_Rejected405()
    {
        var request = new WebhookRequest("GET", new Uri(TwilioHost.WebhookUrl + "?MessageSid=SM1"), [new("X-Twilio-Signature", "x")], default);

        Assert.Equal(405, Assert.IsType<WebhookRejected>(await _host.Handle(request)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_ConstructedJsonBodyWithBodySha256_VerifiedThenUnparseable_WrongHashRejected()
    {
        var body = """{"MessageSid":"SM1"}"""u8.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        var url = $"{TwilioHost.WebhookUrl}?bodySHA256={hash}";
        var signature = TwilioSignature.Compute(TwilioHost.TestToken, url, []);

        var genuine = await _host.Handle(TwilioHost.Post(body, signature, url));
        var tampered = await _host.Handle(TwilioHost.Post("""{"MessageSid":"SM2"}"""u8.ToArray(), signature, url));

        Assert.Contains("JSON", Assert.IsType<WebhookUnparseable>(genuine).Reason, StringComparison.Ordinal);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(tampered).StatusCode);
    }

    [Fact]
    public void Verify_ConstructedSameNameAndValueTwice_AcceptsBothTheFullListAndTwilioPythonsDeduplicatedOne()
    {
        const string Url = "https://care.example/w";
        KeyValuePair<string, string>[] parameters = [new("Digits", "1"), new("Digits", "1")];
        var full = TwilioSignature.Compute("t", Url, parameters); // data ...Digits1Digits1 (twilio-node, twilio-csharp)
        var deduplicated = TwilioSignature.Compute("t", Url, parameters[..1]); // data ...Digits1 (twilio-python's sorted(set(values)))

        Assert.NotEqual(full, deduplicated);
        Assert.True(TwilioSignature.Verify("t", Url, parameters, full));
        Assert.True(TwilioSignature.Verify("t", Url, parameters, deduplicated));
        Assert.False(TwilioSignature.Verify("t", Url, parameters[..1], full));
    }

    [Theory]
    [InlineData("https://care.example/w?x=1", "https://care.example/w?x=1", "https://care.example:443/w?x=1")]
    [InlineData("https://care.example:8443/w", "https://care.example/w", "https://care.example:8443/w")]
    [InlineData("HTTP://Care.Example/w", "HTTP://Care.Example/w", "HTTP://Care.Example:80/w")]
    [InlineData("https://user:pa:ss@care.example:443", "https://user:pa:ss@care.example", "https://user:pa:ss@care.example:443")]
    [InlineData("https://[::1]/w", "https://[::1]/w", "https://[::1]:443/w")]
    public void UrlVariants_WithoutAndWithPort_TextOtherwiseUntouched(string url, string withoutPort, string withPort)
    {
        Assert.Equal([withoutPort, withPort], TwilioSignature.UrlVariants(url));
    }

    [Fact]
    public void FormBody_RepeatedNamesAndPairsWithoutEquals_KeptInOrder()
    {
        var form = FormBody.Parse("a=1&&b&a=2&c=x%3Dy=z"u8, out var reason);

        Assert.Null(reason);
        Assert.Equal([new("a", "1"), new("b", ""), new("a", "2"), new("c", "x=y=z")], form!.Pairs);
        Assert.Equal("1", form["a"]);
    }

    [Fact]
    public void Capabilities_DescribeTwilioSms()
    {
        var capabilities = _host.Adapter.Capabilities;

        Assert.Equal(ChannelKind.Sms, _host.Adapter.Kind);
        Assert.Equal(1600, capabilities.MaxTextLength);
        Assert.Equal([AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File], capabilities.SupportedAttachments);
        Assert.False(capabilities.SupportsPublic);
        Assert.True(capabilities.SupportsPrivate);
        Assert.Null(capabilities.CustomerServiceWindow);
        Assert.False(capabilities.SupportsTemplates);
    }
}
