using System.Text;

namespace SocialCare.Channels.X.Webhooks;

public sealed class WebhookHandlingTests : IDisposable
{
    private readonly XHost _host = new();

    public void Dispose() => _host.Dispose();

    private static WebhookRequest Get(string query, string? registration = null) =>
        new("GET", new Uri("https://care.example/webhooks/x?" + query), [], default) { RegistrationName = registration };

    private static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] DirectMessage(string sender, string recipient, string messageData, string forUserId = XHost.HarrisonUserId) => Json(
        $$$"""
        {"for_user_id":"{{{forUserId}}}","direct_message_events":[{"type":"message_create","id":"111","created_timestamp":"1700000000123",
         "message_create":{"target":{"recipient_id":"{{{recipient}}}"},"sender_id":"{{{sender}}}","message_data":{{{messageData}}} }}],
         "users":{"{{{sender}}}":{"id":"{{{sender}}}","name":"S","screen_name":"s"},"{{{recipient}}}":{"id":"{{{recipient}}}","name":"R","screen_name":"r","followers_count":5} } }
        """);

    private Task<WebhookResult> Handle(byte[] body, string? registration = null) =>
        _host.Adapter.HandleAsync(XHost.SignedPost(body, registration: registration), CancellationToken.None).AsTask();

    [Fact]
    public async Task HandleAsync_CrcWithoutRegistrationWhenOneAppIsRegistered_AnswersWithThatSecret()
    {
        using var host = new XHost(s => s.Configure<XOptions>("crc", o => o.ConsumerSecret = XHost.TestSecret));

        var result = await host.Adapter.HandleAsync(Get("crc_token=abc"), CancellationToken.None);

        var expected = "{\"response_token\":\"" + XChannelAdapter.CrcResponseToken(XHost.TestSecret, "abc") + "\"}";
        Assert.Equal(new WebhookHandshake(200, "application/json", expected), result);
    }

    [Fact]
    public async Task HandleAsync_CrcWithoutRegistrationWhenTwoAppsAreRegistered_Rejected400()
    {
        var rejected = Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(Get("crc_token=abc"), CancellationToken.None));

        Assert.Equal(400, rejected.StatusCode);
        Assert.Contains("2 X apps", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_GetWithoutCrcToken_Rejected400()
    {
        Assert.Equal(400, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(Get("x=1", "crc"), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnknownRegistrationName_Rejected404()
    {
        Assert.Equal(404, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(Get("crc_token=1", "nope"), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PostWithoutSignature_Rejected401NamingTheHeader()
    {
        var result = await _host.Adapter.HandleAsync(XHost.Post(Fixtures.Bytes("twitter/x-docs-direct-message-events.json"), signature: null), CancellationToken.None);

        var rejected = Assert.IsType<WebhookRejected>(result);
        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("x-twitter-webhooks-signature", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-the-secret", null)]
    [InlineData(XHost.TestSecret, "hex")]
    [InlineData(XHost.TestSecret, "no-prefix")]
    [InlineData(XHost.TestSecret, "garbage")]
    public async Task HandleAsync_PostWithWrongSignature_Rejected401AndNothingParsed(string secret, string? mangle)
    {
        var body = Fixtures.Bytes("twitter/x-docs-direct-message-events.json");
        var signature = XHost.Sign(body, secret);
        signature = mangle switch
        {
            "hex" => "sha256=" + Convert.ToHexStringLower(Convert.FromBase64String(signature["sha256=".Length..])),
            "no-prefix" => signature["sha256=".Length..],
            "garbage" => "sha256=%%%",
            _ => signature,
        };

        var result = await _host.Adapter.HandleAsync(XHost.Post(body, signature), CancellationToken.None);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PostWithOneByteChangedAfterSigning_Rejected401()
    {
        var body = Fixtures.Bytes("twitter/x-docs-direct-message-events.json");
        var signature = XHost.Sign(body);
        var changed = (byte[])body.Clone();
        changed[^2] ^= 0x01;

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(XHost.Post(changed, signature), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_AccountRegisteredUnderAnotherAppSecret_Rejected401()
    {
        // The "crc" account is registered with the vector's secret; a payload for it signed with the test secret is refused.
        var body = DirectMessage("5", XHost.CrcUserId, """{"text":"hi"}""", forUserId: XHost.CrcUserId);

        Assert.Equal(401, Assert.IsType<WebhookRejected>(await Handle(body)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_PutMethod_Rejected405()
    {
        var request = new WebhookRequest("PUT", new Uri("https://care.example/w"), [], default);

        Assert.Equal(405, Assert.IsType<WebhookRejected>(await _host.Adapter.HandleAsync(request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnregisteredForUserId_UnparseableNamingIt()
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(DirectMessage("5", "999", """{"text":"hi"}""", forUserId: "999"))).Reason;

        Assert.Contains("for_user_id 999", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not valid X Account Activity JSON")]
    [InlineData("""{"for_user_id":"4337869213","favorite_events":[{}],"follow_events":[]}""", "favorite_events, follow_events")]
    [InlineData("""{"for_user_id":"4337869213"}""", "no event key")]
    [InlineData("""{"user_event":{"suspend":{}}}""", "suspend")]
    [InlineData("""{"for_user_id":"4337869213","direct_message_events":[{"type":"reaction_create","id":"1","created_timestamp":"1700000000000"}]}""", "'reaction_create'")]
    [InlineData("""{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"1","created_timestamp":"1700000000","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"5","message_data":{"text":"x"}}}]}""", "not Unix milliseconds")]
    [InlineData("""{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"1","created_timestamp":"1700000000000","message_create":{"target":{"recipient_id":"7"},"sender_id":"5","message_data":{"text":"x"}}}]}""", "neither is the account")]
    [InlineData("""{"for_user_id":"4337869213","tweet_delete_events":[{"status":{"id":"1"},"timestamp_ms":"1700000000000"}]}""", "status.user_id")]
    public async Task HandleAsync_PayloadNotUnderstood_UnparseableWithReason(string json, string expected)
    {
        var reason = Assert.IsType<WebhookUnparseable>(await Handle(Json(json), registration: "harrison")).Reason;

        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_DirectMessageFromTheBrand_IsEchoForTheRecipient()
    {
        var body = DirectMessage(XHost.HarrisonUserId, "3001969357", """{"text":"We are on it"}""");

        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents));

        Assert.True(message.IsEcho);
        Assert.Equal(new ContactHandle(ChannelKind.X, "3001969357"), message.Customer);
        Assert.Equal("We are on it", message.Text);
        Assert.Equal("R", message.Profile?.Name); // the customer's profile, not the brand's
        Assert.Equal(5, message.Profile?.Followers);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), message.OccurredAt);
    }

    [Fact]
    public async Task HandleAsync_DirectMessageWithPhotoVideoAndQuickReply_AreMapped()
    {
        var photo = DirectMessage("5", XHost.HarrisonUserId, """
            {"text":"see this https://t.co/p","quick_reply_response":{"type":"options","metadata":"refund"},
             "attachment":{"type":"media","media":{"id_str":"9","type":"photo","url":"https://t.co/p","media_url_https":"https://ton.twitter.com/1.1/ton/data/dm/1/2/a.png"}}}
            """);
        var video = DirectMessage("5", XHost.HarrisonUserId, """
            {"text":"https://t.co/v",
             "attachment":{"type":"media","media":{"id_str":"10","type":"video","url":"https://t.co/v","media_url_https":"https://pbs.twimg.com/thumb.jpg",
               "video_info":{"variants":[{"bitrate":256000,"content_type":"video/mp4","url":"https://video.twimg.com/dm/low.mp4"},
                                          {"content_type":"application/x-mpegURL","url":"https://video.twimg.com/dm/pl.m3u8"},
                                          {"bitrate":832000,"content_type":"video/mp4","url":"https://video.twimg.com/dm/high.mp4"}]}}}}
            """);

        var withPhoto = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(photo)).InboundEvents));
        var withVideo = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(video)).InboundEvents));

        Assert.Equal(("see this", "refund"), (withPhoto.Text, withPhoto.Payload));
        var image = Assert.Single(withPhoto.Attachments);
        Assert.Equal((AttachmentKind.Image, "https://ton.twitter.com/1.1/ton/data/dm/1/2/a.png", "image/png"), (image.Kind, image.Url?.AbsoluteUri, image.MimeType));
        Assert.Null(withVideo.Text);
        var clip = Assert.Single(withVideo.Attachments);
        Assert.Equal((AttachmentKind.Video, "https://video.twimg.com/dm/high.mp4", "video/mp4"), (clip.Kind, clip.Url?.AbsoluteUri, clip.MimeType));
    }

    [Fact]
    public async Task HandleAsync_UnknownMediaType_UnparseableNamingIt()
    {
        var body = DirectMessage("5", XHost.HarrisonUserId, """{"text":"x","attachment":{"type":"media","media":{"id_str":"1","type":"hologram"}}}""");

        Assert.Contains("'hologram'", Assert.IsType<WebhookUnparseable>(await Handle(body)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TweetDeleteByCustomer_IsDeletion_ByBrand_IsNoEvent()
    {
        var body = Json("""
            {"for_user_id":"4337869213","tweet_delete_events":[
              {"status":{"id":"601430178305220608","user_id":"3001969357"},"timestamp_ms":"1432228155593"},
              {"status":{"id":"601430178305220609","user_id":"4337869213"},"timestamp_ms":"1432228155594"}]}
            """);

        var deletion = Assert.IsType<InboundDeletion>(Assert.Single(Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents));

        Assert.Equal("601430178305220608", deletion.PlatformMessageId);
        Assert.Equal(new ContactHandle(ChannelKind.X, "3001969357"), deletion.Customer);
        Assert.Equal(new ChannelAccount(ChannelKind.X, XHost.HarrisonUserId), deletion.Channel);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1432228155593), deletion.OccurredAt);
    }

    [Fact]
    public async Task HandleAsync_TypingIndicatorsRetweetsAndBrandReads_GiveNoEvents()
    {
        var typing = Json("""{"for_user_id":"4337869213","direct_message_indicate_typing_events":[{"created_timestamp":"1518127183443","sender_id":"5","target":{"recipient_id":"4337869213"}}]}""");
        var retweet = Json("""{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"2","timestamp_ms":"1700000000000","text":"RT @Harris_0ff: hi","user":{"id_str":"5"},"retweeted_status":{"id_str":"1"}}]}""");
        var brandRead = Json("""{"for_user_id":"4337869213","direct_message_mark_read_events":[{"created_timestamp":"1700000000000","sender_id":"4337869213","target":{"recipient_id":"5"},"last_read_event_id":"3"}]}""");

        foreach (var body in new[] { typing, retweet, brandRead })
        {
            Assert.Empty(Assert.IsType<WebhookEvents>(await Handle(body)).InboundEvents);
        }
    }

    [Fact]
    public async Task HandleAsync_AccountOfTheRequest_RestrictsTheCandidates()
    {
        var body = Fixtures.Bytes("twitter/x-docs-direct-message-events.json");
        var right = XHost.SignedPost(body);
        var wrong = new WebhookRequest("POST", right.Url, right.Headers, body) { Account = new ChannelAccount(ChannelKind.X, XHost.XDevelopersUserId) };

        Assert.IsType<WebhookEvents>(await _host.Adapter.HandleAsync(right, CancellationToken.None));
        Assert.IsType<WebhookUnparseable>(await _host.Adapter.HandleAsync(wrong, CancellationToken.None)); // genuine, but for another account
    }

    [Fact]
    public void Capabilities_DescribeX()
    {
        var capabilities = _host.Adapter.Capabilities;

        Assert.Equal(ChannelKind.X, _host.Adapter.Kind);
        Assert.Equal(10_000, capabilities.MaxTextLength); // direct messages; Posts are limited to 280 at send
        Assert.True(capabilities.SupportsPublic);
        Assert.True(capabilities.SupportsPrivate);
        Assert.Null(capabilities.CustomerServiceWindow);
        Assert.False(capabilities.SupportsTemplates);
        Assert.Empty(capabilities.SupportedAttachments);
    }
}
