using System.Text;
using SocialCare.Channels.Http;
using SocialCare.Channels.X.Sending;

namespace SocialCare.Channels.X;

/// <summary>A service provider with the X accounts the fixtures are addressed to.</summary>
internal sealed class XHost : IDisposable
{
    public const string TestSecret = "test-consumer-secret";
    public const string CrcVectorSecret = "ss"; // from twitter/crc-challenge.signature.json

    /// <summary>for_user_id of x-docs-direct-message-events.json and x-docs-direct-message-mark-read-events.json.</summary>
    public const string HarrisonUserId = "4337869213";

    /// <summary>for_user_id of x-docs-tweet-create-events-mention-TEMPLATE.txt (@XDevelopers).</summary>
    public const string XDevelopersUserId = "2244994945";

    public const string CrcUserId = "1000000001";

    private readonly ServiceProvider _provider;

    public XHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care
            .AddX("harrison", o => Set(o, "acme", HarrisonUserId, TestSecret))
            .AddX("xdev", o => Set(o, "globex", XDevelopersUserId, TestSecret))
            .AddX("crc", o => Set(o, "initech", CrcUserId, CrcVectorSecret)));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Adapter = _provider.GetRequiredService<XChannelAdapter>();
    }

    public XChannelAdapter Adapter { get; }

    public IServiceProvider Services => _provider;

    public static string Sign(byte[] body, string secret = TestSecret) =>
        "sha256=" + WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body);

    public static WebhookRequest SignedPost(byte[] body, string secret = TestSecret, string? registration = null) =>
        Post(body, Sign(body, secret), registration);

    public static WebhookRequest Post(byte[] body, string? signature, string? registration = null) =>
        new("POST", new Uri("https://care.example/webhooks/x"), signature is null ? [] : [new("X-Twitter-Webhooks-Signature", signature)], body)
        {
            RegistrationName = registration,
        };

    public async Task<IReadOnlyList<InboundEvent>> EventsOf(byte[] body, string? registration = null)
    {
        var result = await Adapter.HandleAsync(SignedPost(body, registration: registration), CancellationToken.None);
        return Assert.IsType<WebhookEvents>(result).InboundEvents;
    }

    public Task<IReadOnlyList<InboundEvent>> EventsOf(string fixture, string? registration = null) =>
        EventsOf(Fixtures.Bytes("twitter/" + fixture), registration);

    public void Dispose() => _provider.Dispose();

    private static void Set(XOptions o, string workspace, string userId, string secret)
    {
        o.WorkspaceId = workspace;
        o.UserId = userId;
        o.ConsumerKey = "test-consumer-key";
        o.ConsumerSecret = secret;
        o.AccessToken = userId + "-test-access-token";
        o.AccessTokenSecret = "test-access-token-secret";
    }
}

/// <summary>Nonces n1, n2, … so signed requests are reproducible.</summary>
internal sealed class CountingNonceSource : OAuthNonceSource
{
    private int _next;

    public override string Next() => "n" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
