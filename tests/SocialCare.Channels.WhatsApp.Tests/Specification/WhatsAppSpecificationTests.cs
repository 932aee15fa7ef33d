using System.Text;
using SocialCare.Channels.Http;
using SocialCare.Testing.Channels;

namespace SocialCare.Channels.WhatsApp.Specification;

/// <summary>
/// The WhatsApp adapter under the channel adapter specification suites: one number ("spec", 409552778964973) signed
/// with <see cref="WhatsAppHost.TestSecret"/>; the genuine request is the bwa-message-text fixture. Sends go to the fake
/// platform as the Graph API base URL. Retries are fast (10 ms base delay, no jitter) and a Retry-After over 1 second is
/// returned to the caller instead of waited for, so the suite sees the adapter retry a 500 itself and hand a 429 back.
/// </summary>
public sealed class WhatsAppSpecificationFixture : ChannelAdapterFixture
{
    private const string PhoneNumberId = "409552778964973";
    private static readonly Uri WebhookUrl = new("https://care.example/webhooks/whatsapp");

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Fixtures.Bytes("whatsapp/bwa-message-text.json"));

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => Post(body, Sign(body, WhatsAppHost.TestSecret));

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => Post(body, Sign(body, "another-app-secret"));

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => Post(body, signature: null);

    public override WebhookRequest CreateHandshakeRequest() =>
        new("GET", new Uri(WebhookUrl, $"?hub.mode=subscribe&hub.verify_token={WhatsAppHost.VerifyToken}&hub.challenge=1158201444"), [], ReadOnlyMemory<byte>.Empty);

    public override OutboundMessage CreateSampleMessage() => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.WhatsApp, PhoneNumberId),
        Recipient = new ContactHandle(ChannelKind.WhatsApp, "1111111111111"),
        MessageId = MessageId.Parse("0193a5c4-0000-7000-8000-00000000beef"),
        Text = "Thanks for your message!",
        LastCustomerMessageAt = TimeProvider.System.GetUtcNow().AddMinutes(-5),
    };

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(
        200,
        $$"""{"messaging_product":"whatsapp","contacts":[{"input":"1111111111111","wa_id":"1111111111111"}],"messages":[{"id":"wamid.spec-{{request.Sequence}}"}]}""");

    public override FakeResponse ServerErrorResponse() => FakeResponse.Json(
        500,
        """{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"AbCdEf"}}""");

    public override FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(
        429,
        """{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"AbCdEf"}}""",
        retryAfter);

    public override FakeResponse RefusedResponse() => FakeResponse.Json(
        400,
        """{"error":{"message":"(#131026) Message Undeliverable.","type":"OAuthException","code":131026,"error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable."},"fbtrace_id":"AbCdEf"}}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWhatsApp("spec", o =>
        {
            o.WorkspaceId = "acme";
            o.PhoneNumberId = PhoneNumberId;
            o.AppSecret = WhatsAppHost.TestSecret;
            o.VerifyToken = WhatsAppHost.VerifyToken;
            o.AccessToken = "EAAG-spec-token";
            o.GraphApiBaseUrl = platformBaseAddress ?? WhatsAppOptions.DefaultGraphApiBaseUrl;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Resilience.UseJitter = false;
            o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(1);
        }));
        var provider = services.BuildServiceProvider(validateScopes: true);
        RegisterForDisposal(provider);
        return ValueTask.FromResult<IChannelAdapter>(provider.GetRequiredService<WhatsAppChannelAdapter>());
    }

    private static string Sign(ReadOnlyMemory<byte> body, string secret) =>
        WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body.Span, "sha256=");

    private static WebhookRequest Post(ReadOnlyMemory<byte> body, string? signature) =>
        new("POST", WebhookUrl, signature is null ? [new("Content-Type", "application/json")] : [new("Content-Type", "application/json"), new("X-Hub-Signature-256", signature)], body);
}

public sealed class WhatsAppWebhookSpecificationTests(WhatsAppSpecificationFixture f) : ChannelWebhookSpecification<WhatsAppSpecificationFixture>(f);

public sealed class WhatsAppSendSpecificationTests(WhatsAppSpecificationFixture f) : ChannelSendSpecification<WhatsAppSpecificationFixture>(f);

public sealed class WhatsAppSpecificationGuardTests
{
    [Fact]
    public void AllChannelSuites_AreRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(WhatsAppSpecificationGuardTests).Assembly);
}
