using System.Text;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.WhatsApp;

/// <summary>A service provider with the WhatsApp numbers the fixtures are addressed to.</summary>
internal sealed class WhatsAppHost : IDisposable
{
    public const string TestSecret = "test-app-secret";
    public const string PywaSecret = "1222e786b144d0e85b9f365372d93676"; // from pywa-x-hub-signature-256.signature.json
    public const string VerifyToken = "let-me-in";

    private readonly ServiceProvider _provider;

    public WhatsAppHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care
            .AddWhatsApp("bwa", o => Set(o, "acme", "409552778964973", TestSecret))
            .AddWhatsApp("bwa-reengagement", o => Set(o, "acme", "109999999999999", TestSecret))
            .AddWhatsApp("pywa", o => Set(o, "globex", "1122334455667", TestSecret))
            .AddWhatsApp("pywa-signed", o => Set(o, "initech", "277321005464405", PywaSecret)));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Adapter = _provider.GetRequiredService<WhatsAppChannelAdapter>();
    }

    public WhatsAppChannelAdapter Adapter { get; }

    public IServiceProvider Services => _provider;

    public static WebhookRequest SignedPost(byte[] body, string secret = TestSecret, string? registration = null) =>
        Post(body, WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body, "sha256="), registration);

    public static WebhookRequest Post(byte[] body, string? signature, string? registration = null) =>
        new("POST", new Uri("https://care.example/webhooks/whatsapp"), signature is null ? [] : [new("x-hub-signature-256", signature)], body)
        {
            RegistrationName = registration,
        };

    public async Task<IReadOnlyList<InboundEvent>> EventsOf(string fixture, string secret = TestSecret)
    {
        var result = await Adapter.HandleAsync(SignedPost(Fixtures.Bytes("whatsapp/" + fixture), secret), CancellationToken.None);
        return Assert.IsType<WebhookEvents>(result).InboundEvents;
    }

    public void Dispose() => _provider.Dispose();

    private static void Set(WhatsAppOptions o, string workspace, string phoneNumberId, string secret)
    {
        o.WorkspaceId = workspace;
        o.PhoneNumberId = phoneNumberId;
        o.AppSecret = secret;
        o.VerifyToken = VerifyToken;
        o.AccessToken = "EAAG-test-token";
    }
}
