using System.Text;
using System.Text.Json;

namespace SocialCare.Channels.X.Webhooks;

/// <summary>Every payload in shared/fixtures/twitter parses into the expected normalized events.</summary>
public sealed class FixtureParsingTests : IDisposable
{
    private static readonly ChannelAccount Harrison = new(ChannelKind.X, XHost.HarrisonUserId);
    private static readonly ChannelAccount XDevelopers = new(ChannelKind.X, XHost.XDevelopersUserId);

    /// <summary>The fixtures these tests cover; a new fixture file fails <see cref="EveryFixture_IsCoveredByATest"/> until it is added.</summary>
    private static readonly string[] Covered =
    [
        "crc-challenge.signature.json",
        "x-docs-direct-message-events.json",
        "x-docs-direct-message-mark-read-events.json",
        "x-docs-tweet-create-events-mention-TEMPLATE.txt",
        "x-docs-user-event-revoke.json",
    ];

    /// <summary>
    /// The members of a v1.1 Tweet object put in place of the template's <c>&lt;Tweet Object&gt;</c> placeholder (the
    /// fixture itself stays untouched, as SOURCES.md asks): a reply from @jordan that mentions @XDevelopers, with a photo.
    /// </summary>
    private const string MentionTweetMembers = """
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "id": 1050118621198921728,
        "id_str": "1050118621198921728",
        "text": "@XDevelopers my order never arrived https://t.co/abc123",
        "in_reply_to_status_id": 1050118000000000000,
        "in_reply_to_status_id_str": "1050118000000000000",
        "in_reply_to_user_id": 2244994945,
        "in_reply_to_user_id_str": "2244994945",
        "in_reply_to_screen_name": "XDevelopers",
        "user": {
          "id": 6253282,
          "id_str": "6253282",
          "name": "Jordan",
          "screen_name": "jordan",
          "followers_count": 1234,
          "verified": true,
          "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/jordan_normal.jpg"
        },
        "entities": {
          "hashtags": [], "urls": [], "symbols": [],
          "user_mentions": [{ "screen_name": "XDevelopers", "id_str": "2244994945", "indices": [0, 12] }],
          "media": [{ "id_str": "1050118600000000000", "type": "photo", "url": "https://t.co/abc123",
                      "media_url_https": "https://pbs.twimg.com/media/DpMyXYZ.jpg" }]
        },
        "extended_entities": {
          "media": [{ "id_str": "1050118600000000000", "type": "photo", "url": "https://t.co/abc123",
                      "media_url_https": "https://pbs.twimg.com/media/DpMyXYZ.jpg" }]
        },
        "timestamp_ms": "1539202764662"
        """;

    private readonly XHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void EveryFixture_IsCoveredByATest()
    {
        var files = Directory.GetFiles(Fixtures.Path("twitter")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Covered.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task DirectMessage_DocsFixture_IsPrivateMessageWithMillisecondTimestampAndProfile()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf("x-docs-direct-message-events.json")));

        Assert.Equal(new WorkspaceId("acme"), message.WorkspaceId);
        Assert.Equal(Harrison, message.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.X, "3001969357"), message.Customer);
        Assert.Equal("954491830116155396", message.PlatformMessageId);
        Assert.Equal("Hello World!", message.Text);
        Assert.Equal(new DateTimeOffset(2018, 1, 19, 23, 12, 40, 557, TimeSpan.Zero), message.OccurredAt); // 1516403560557 ms
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.False(message.IsEcho);
        Assert.Empty(message.Attachments);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Null(message.Payload);

        // The docs example nests the user objects inside "apps" (SOURCES.md: do not rely on top-level users).
        Assert.Equal(
            new ContactProfile
            {
                Name = "Jordan Brinks",
                Username = "furiouscamper",
                Followers = 22,
                Verified = false,
                AvatarUrl = new Uri("https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"),
            },
            message.Profile);
    }

    [Fact]
    public async Task MarkRead_DocsFixture_IsReadStatusForTheReaderWithReadTimeAsWatermark()
    {
        var status = Assert.IsType<InboundStatus>(Assert.Single(await _host.EventsOf("x-docs-direct-message-mark-read-events.json")));

        var readAt = new DateTimeOffset(2018, 2, 12, 16, 20, 44, 662, TimeSpan.Zero); // 1518452444662 ms
        Assert.Equal(new WorkspaceId("acme"), status.WorkspaceId);
        Assert.Equal(Harrison, status.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.X, "199566737"), status.Customer); // sender_id: the one who read
        Assert.Equal(DeliveryStatus.Read, status.Status);
        Assert.Equal(readAt, status.OccurredAt);
        Assert.Equal(readAt, status.Watermark);
        Assert.Null(status.PlatformMessageId);
        Assert.Null(status.FailureCode);
    }

    [Fact]
    public async Task UserEventRevoke_DocsFixture_IsConsentRevokedForTheRevokingUser()
    {
        // No for_user_id: the account is the registration the host addressed the webhook to.
        var consent = Assert.IsType<InboundConsent>(Assert.Single(await _host.EventsOf("x-docs-user-event-revoke.json", registration: "harrison")));

        Assert.Equal(new WorkspaceId("acme"), consent.WorkspaceId);
        Assert.Equal(Harrison, consent.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.X, "63046977"), consent.Customer);
        Assert.Equal(ContactConsent.Revoked, consent.Consent);
        Assert.Equal(new DateTimeOffset(2018, 5, 24, 9, 48, 12, TimeSpan.Zero), consent.OccurredAt);
    }

    [Fact]
    public async Task UserEventRevoke_DocsFixtureWithoutRegistration_UnparseableAsTheAccountIsAmbiguous()
    {
        var result = await _host.Adapter.HandleAsync(XHost.SignedPost(Fixtures.Bytes("twitter/x-docs-user-event-revoke.json")), CancellationToken.None);

        Assert.Contains("no for_user_id", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserEventRevoke_DocsFixtureWhenTheRevokerIsABrandAccount_UnparseableSayingTheAccountIsDisconnected()
    {
        using var host = new XHost(s => s.AddSocialCare(care => care.AddX("revoker", o =>
        {
            o.WorkspaceId = "acme";
            o.UserId = "63046977";
            o.ConsumerKey = "k";
            o.ConsumerSecret = XHost.TestSecret;
            o.AccessToken = "t";
            o.AccessTokenSecret = "ts";
        })));

        var result = await host.Adapter.HandleAsync(XHost.SignedPost(Fixtures.Bytes("twitter/x-docs-user-event-revoke.json")), CancellationToken.None);

        var reason = Assert.IsType<WebhookUnparseable>(result).Reason;
        Assert.Contains("brand account 63046977", reason, StringComparison.Ordinal);
        Assert.Contains("'revoker'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MentionTemplate_AsStored_IsNotJsonAndKeepsTheUserHasBlockedString()
    {
        var bytes = Fixtures.Bytes("twitter/x-docs-tweet-create-events-mention-TEMPLATE.txt");
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains("<Tweet Object>", text, StringComparison.Ordinal);
        Assert.Contains("\"user_has_blocked\": \"false\"", text, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes));
    }

    [Fact]
    public async Task MentionTemplate_AsStored_IsUnparseableNotRejected()
    {
        var result = await _host.Adapter.HandleAsync(XHost.SignedPost(Fixtures.Bytes("twitter/x-docs-tweet-create-events-mention-TEMPLATE.txt")), CancellationToken.None);

        Assert.Contains("not valid X Account Activity JSON", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MentionTemplate_FilledWithAMentionReply_IsPublicMessageWithReplyToPhotoAndProfile()
    {
        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(FilledTemplate(MentionTweetMembers))));

        Assert.Equal(new WorkspaceId("globex"), message.WorkspaceId);
        Assert.Equal(XDevelopers, message.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.X, "6253282"), message.Customer);
        Assert.Equal("1050118621198921728", message.PlatformMessageId);
        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.False(message.IsEcho);
        Assert.Equal("1050118000000000000", message.ReplyToPlatformMessageId);
        Assert.Equal("@XDevelopers my order never arrived", message.Text); // the photo's t.co link is the attachment
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1539202764662), message.OccurredAt);
        var photo = Assert.Single(message.Attachments);
        Assert.Equal((AttachmentKind.Image, new Uri("https://pbs.twimg.com/media/DpMyXYZ.jpg"), "image/jpeg"), (photo.Kind, photo.Url, photo.MimeType));
        Assert.Equal(
            new ContactProfile { Name = "Jordan", Username = "jordan", Followers = 1234, Verified = true, AvatarUrl = new Uri("https://pbs.twimg.com/profile_images/1/jordan_normal.jpg") },
            message.Profile);
    }

    [Fact]
    public async Task MentionTemplate_FilledWithoutTimestampMs_UsesCreatedAtInUtc()
    {
        var members = MentionTweetMembers.Replace(",\n\"timestamp_ms\": \"1539202764662\"", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("timestamp_ms", members, StringComparison.Ordinal);

        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(FilledTemplate(members))));

        Assert.Equal(new DateTimeOffset(2018, 10, 10, 20, 19, 24, TimeSpan.Zero), message.OccurredAt);
    }

    [Fact]
    public async Task MentionTemplate_FilledWithTheBrandsOwnReply_IsPublicEchoForTheCustomerAnswered()
    {
        var members = """
            "created_at": "Wed Oct 10 20:25:00 +0000 2018",
            "id_str": "1050120000000000000",
            "text": "@jordan sorry to hear that, we sent you a DM",
            "in_reply_to_status_id_str": "1050118621198921728",
            "in_reply_to_user_id_str": "6253282",
            "user": { "id": 2244994945, "id_str": "2244994945", "name": "X Developers", "screen_name": "XDevelopers" },
            "timestamp_ms": "1539203100000"
            """;

        var message = Assert.IsType<InboundMessage>(Assert.Single(await _host.EventsOf(FilledTemplate(members))));

        Assert.True(message.IsEcho);
        Assert.Equal(new ContactHandle(ChannelKind.X, "6253282"), message.Customer);
        Assert.Equal(ConversationVisibility.Public, message.Visibility);
        Assert.Equal("1050118621198921728", message.ReplyToPlatformMessageId);
        Assert.Null(message.Profile);
    }

    [Fact]
    public async Task CrcVector_HandshakeAnswersTheDocumentedResponseToken()
    {
        var vector = CrcVector.Load();

        var result = await _host.Adapter.HandleAsync(
            new WebhookRequest("GET", new Uri("https://care.example/webhooks/x?crc_token=" + vector.CrcToken), [], default) { RegistrationName = "crc" },
            CancellationToken.None);

        var handshake = Assert.IsType<WebhookHandshake>(result);
        Assert.Equal(200, handshake.StatusCode);
        Assert.Equal("application/json", handshake.ContentType);
        using var json = JsonDocument.Parse(handshake.Body);
        Assert.Equal(vector.ExpectedSignature, json.RootElement.GetProperty("response_token").GetString());
        Assert.Single(json.RootElement.EnumerateObject());
    }

    [Fact]
    public void CrcVector_OneByteChangedInTokenOrSignature_DoesNotMatch()
    {
        var vector = CrcVector.Load();

        Assert.Equal(vector.ExpectedSignature, XChannelAdapter.CrcResponseToken(vector.Secret, vector.CrcToken));
        Assert.NotEqual(vector.ExpectedSignature, XChannelAdapter.CrcResponseToken(vector.Secret, "helloWorle"));
        Assert.NotEqual(vector.ExpectedSignature, XChannelAdapter.CrcResponseToken("st", vector.CrcToken));
    }

    [Fact]
    public async Task CrcVector_AsWebhookSignature_VerifiesAndOneByteChangeIsRejected()
    {
        // Webhook POSTs are signed exactly like the CRC answer, over the raw body: the vector checks that path too.
        var vector = CrcVector.Load();
        var body = Encoding.UTF8.GetBytes(vector.CrcToken);
        var flippedBody = Encoding.UTF8.GetBytes("helloWorle");
        var flippedSignature = vector.ExpectedSignature.Replace("YFpP", "YFpQ", StringComparison.Ordinal);

        var genuine = await _host.Adapter.HandleAsync(XHost.Post(body, vector.ExpectedSignature, "crc"), CancellationToken.None);
        var badBody = await _host.Adapter.HandleAsync(XHost.Post(flippedBody, vector.ExpectedSignature, "crc"), CancellationToken.None);
        var badSignature = await _host.Adapter.HandleAsync(XHost.Post(body, flippedSignature, "crc"), CancellationToken.None);

        Assert.IsType<WebhookUnparseable>(genuine); // the signature passed; "helloWorld" is just not a payload
        Assert.Equal(401, Assert.IsType<WebhookRejected>(badBody).StatusCode);
        Assert.Equal(401, Assert.IsType<WebhookRejected>(badSignature).StatusCode);
    }

    private static byte[] FilledTemplate(string tweetMembers)
    {
        var template = Encoding.UTF8.GetString(Fixtures.Bytes("twitter/x-docs-tweet-create-events-mention-TEMPLATE.txt"));
        Assert.Contains("<Tweet Object>", template, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(template.Replace("<Tweet Object>", tweetMembers, StringComparison.Ordinal));
    }

    private sealed record CrcVector(string Secret, string CrcToken, string ExpectedSignature)
    {
        public static CrcVector Load()
        {
            using var json = JsonDocument.Parse(Fixtures.Bytes("twitter/crc-challenge.signature.json"));
            var root = json.RootElement;
            return new(root.GetProperty("secret").GetString()!, root.GetProperty("crc_token").GetString()!, root.GetProperty("expected_signature").GetString()!);
        }
    }
}
