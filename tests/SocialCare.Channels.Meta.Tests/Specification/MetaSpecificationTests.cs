using System.Text;
using SocialCare.Channels.Http;
using SocialCare.Testing.Channels;

namespace SocialCare.Channels.Meta.Specification;

/// <summary>
/// What the Messenger and Instagram specification fixtures share: one account ("spec") signed with
/// <see cref="MetaHost.TestSecret"/>, sends to the fake platform as the Graph API base URL, Graph error bodies, and
/// fast retries (10 ms base delay, no jitter) with a Retry-After over 1 second returned to the caller instead of waited
/// for.
/// </summary>
public abstract class MetaSpecificationFixture : ChannelAdapterFixture
{
    private static readonly Uri WebhookUrl = new("https://care.example/webhooks/meta");

    private protected abstract ChannelKind Kind { get; }

    private protected abstract string AccountId { get; }

    private protected abstract string CustomerId { get; }

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => Post(body, Sign(body, MetaHost.TestSecret));

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => Post(body, Sign(body, MetaHost.OtherSecret));

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => Post(body, signature: null);

    public override WebhookRequest CreateHandshakeRequest() =>
        new("GET", new Uri(WebhookUrl, $"?hub.mode=subscribe&hub.verify_token={MetaHost.VerifyToken}&hub.challenge=1158201444"), [], ReadOnlyMemory<byte>.Empty);

    public override OutboundMessage CreateSampleMessage() => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(Kind, AccountId),
        Recipient = new ContactHandle(Kind, CustomerId),
        MessageId = MessageId.Parse("0193a5c4-0000-7000-8000-00000000beef"),
        Text = "Thanks for your message!",
        LastCustomerMessageAt = TimeProvider.System.GetUtcNow().AddMinutes(-5),
    };

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(
        200,
        $$"""{"recipient_id":"{{CustomerId}}","message_id":"mid.spec-{{request.Sequence}}"}""");

    public override FakeResponse ServerErrorResponse() => FakeResponse.Json(
        500,
        """{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"AbCdEf"}}""");

    public override FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(
        429,
        """{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613,"fbtrace_id":"AbCdEf"}}""",
        retryAfter);

    public override FakeResponse RefusedResponse() => FakeResponse.Json(
        400,
        """{"error":{"message":"(#100) No matching user found","type":"OAuthException","code":100,"error_subcode":2018001,"fbtrace_id":"AbCdEf"}}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => Register(care, o =>
        {
            o.WorkspaceId = "acme";
            o.PageId = AccountId;
            o.AppSecret = MetaHost.TestSecret;
            o.VerifyToken = MetaHost.VerifyToken;
            o.PageAccessToken = MetaHost.AccessToken;
            o.GraphApiBaseUrl = platformBaseAddress ?? MetaChannelOptions.DefaultGraphApiBaseUrl;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Resilience.UseJitter = false;
            o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(1);
        }));
        var provider = services.BuildServiceProvider(validateScopes: true);
        RegisterForDisposal(provider);
        return ValueTask.FromResult(Resolve(provider));
    }

    private protected abstract void Register(ISocialCareBuilder care, Action<MetaChannelOptions> configure);

    private protected abstract IChannelAdapter Resolve(IServiceProvider services);

    private static string Sign(ReadOnlyMemory<byte> body, string secret) =>
        WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body.Span, "sha256=");

    private static WebhookRequest Post(ReadOnlyMemory<byte> body, string? signature) =>
        new("POST", WebhookUrl, signature is null ? [new("Content-Type", "application/json")] : [new("Content-Type", "application/json"), new("X-Hub-Signature-256", signature)], body);
}

/// <summary>The Messenger adapter under the specification suites; the genuine request is the fbmq-message-text fixture (page 1691462197845448).</summary>
public sealed class MessengerSpecificationFixture : MetaSpecificationFixture
{
    private protected override ChannelKind Kind => ChannelKind.Messenger;

    private protected override string AccountId => MetaHost.FbmqPage;

    private protected override string CustomerId => "1134343043305865";

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Fixtures.Bytes("messenger/fbmq-message-text.json"));

    private protected override void Register(ISocialCareBuilder care, Action<MetaChannelOptions> configure) => care.AddMessenger("spec", o => configure(o));

    private protected override IChannelAdapter Resolve(IServiceProvider services) => services.GetRequiredService<MessengerChannelAdapter>();
}

/// <summary>
/// The Instagram adapter under the specification suites. There is no real Instagram fixture: the genuine request is a
/// CONSTRUCTED payload (the fbmq-message-text shape with <c>object=instagram</c>, an Instagram account id and an
/// Instagram-style mid), like the ones in InstagramConstructedPayloadTests — not a platform payload.
/// </summary>
public sealed class InstagramSpecificationFixture : MetaSpecificationFixture
{
    private const string ConstructedTextPayload = $$$"""
        {"object":"instagram","entry":[{"id":"{{{MetaHost.InstagramAccount}}}","time":1472026867114,"messaging":[
        {"sender":{"id":"1134343043305865"},"recipient":{"id":"{{{MetaHost.InstagramAccount}}}"},"timestamp":1472026867080,
         "message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"hello world"}}]}]}
        """;

    private protected override ChannelKind Kind => ChannelKind.Instagram;

    private protected override string AccountId => MetaHost.InstagramAccount;

    private protected override string CustomerId => "1134343043305865";

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Encoding.UTF8.GetBytes(ConstructedTextPayload));

    private protected override void Register(ISocialCareBuilder care, Action<MetaChannelOptions> configure) => care.AddInstagram("spec", o => configure(o));

    private protected override IChannelAdapter Resolve(IServiceProvider services) => services.GetRequiredService<InstagramChannelAdapter>();
}

public sealed class MessengerWebhookSpecificationTests(MessengerSpecificationFixture f) : ChannelWebhookSpecification<MessengerSpecificationFixture>(f);

public sealed class MessengerSendSpecificationTests(MessengerSpecificationFixture f) : ChannelSendSpecification<MessengerSpecificationFixture>(f);

public sealed class InstagramWebhookSpecificationTests(InstagramSpecificationFixture f) : ChannelWebhookSpecification<InstagramSpecificationFixture>(f);

public sealed class InstagramSendSpecificationTests(InstagramSpecificationFixture f) : ChannelSendSpecification<InstagramSpecificationFixture>(f);

public sealed class MetaSpecificationGuardTests
{
    [Fact]
    public void AllChannelSuites_AreRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(MetaSpecificationGuardTests).Assembly);
}
