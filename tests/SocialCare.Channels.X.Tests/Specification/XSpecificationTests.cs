using System.Text;
using SocialCare.Channels.Http;
using SocialCare.Testing.Channels;

namespace SocialCare.Channels.X.Specification;

/// <summary>
/// The X adapter under the channel adapter specification suites: one account ("spec", user 4337869213) whose webhooks
/// are signed with <see cref="XHost.TestSecret"/> (<c>X-Twitter-Webhooks-Signature</c>, base64 HMAC-SHA256); the genuine
/// request is the x-docs-direct-message-events fixture and the handshake a CRC check. Direct messages are sent to the
/// fake platform as the API base URL; retries are fast (10 ms base delay, no jitter) and a Retry-After over 1 second is
/// returned to the caller instead of waited for.
/// </summary>
public sealed class XSpecificationFixture : ChannelAdapterFixture
{
    private static readonly Uri WebhookUrl = new("https://care.example/webhooks/x");

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Fixtures.Bytes("twitter/x-docs-direct-message-events.json"));

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => Post(body, Sign(body, XHost.TestSecret));

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => Post(body, Sign(body, "another-consumer-secret"));

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => Post(body, signature: null);

    public override WebhookRequest CreateHandshakeRequest() =>
        new("GET", new Uri(WebhookUrl, "?crc_token=9b4507b3-9040-4669-9ba4-ef0f61cd7e42"), [], ReadOnlyMemory<byte>.Empty);

    public override OutboundMessage CreateSampleMessage() => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.X, XHost.HarrisonUserId),
        Recipient = new ContactHandle(ChannelKind.X, "3001969357"),
        MessageId = MessageId.Parse("0193a5c4-0000-7000-8000-00000000beef"),
        Text = "Thanks for your message!",
        LastCustomerMessageAt = TimeProvider.System.GetUtcNow().AddMinutes(-5),
    };

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(
        201,
        $$$"""{"data":{"dm_conversation_id":"3001969357-4337869213","dm_event_id":"15828382231217766{{{request.Sequence:00}}}"}}""");

    public override FakeResponse ServerErrorResponse() => FakeResponse.Json(
        500,
        """{"title":"Internal Server Error","detail":"Internal Server Error","type":"about:blank","status":500}""");

    public override FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(
        429,
        """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""",
        retryAfter);

    public override FakeResponse RefusedResponse() => FakeResponse.Json(
        400,
        """{"errors":[{"parameters":{"participant_id":["3001969357"]},"message":"The `participant_id` query parameter value [3001969357] is not valid"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddX("spec", o =>
        {
            o.WorkspaceId = "acme";
            o.UserId = XHost.HarrisonUserId;
            o.ConsumerKey = "test-consumer-key";
            o.ConsumerSecret = XHost.TestSecret;
            o.AccessToken = XHost.HarrisonUserId + "-test-access-token";
            o.AccessTokenSecret = "test-access-token-secret";
            o.ApiBaseUrl = platformBaseAddress ?? XOptions.DefaultApiBaseUrl;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Resilience.UseJitter = false;
            o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(1);
        }));
        var provider = services.BuildServiceProvider(validateScopes: true);
        RegisterForDisposal(provider);
        return ValueTask.FromResult<IChannelAdapter>(provider.GetRequiredService<XChannelAdapter>());
    }

    private static string Sign(ReadOnlyMemory<byte> body, string secret) =>
        "sha256=" + WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body.Span);

    private static WebhookRequest Post(ReadOnlyMemory<byte> body, string? signature) =>
        new("POST", WebhookUrl, signature is null ? [new("Content-Type", "application/json")] : [new("Content-Type", "application/json"), new("X-Twitter-Webhooks-Signature", signature)], body);
}

public sealed class XWebhookSpecificationTests(XSpecificationFixture f) : ChannelWebhookSpecification<XSpecificationFixture>(f);

public sealed class XSendSpecificationTests(XSpecificationFixture f) : ChannelSendSpecification<XSpecificationFixture>(f);

public sealed class XSpecificationGuardTests
{
    [Fact]
    public void AllChannelSuites_AreRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(XSpecificationGuardTests).Assembly);
}
