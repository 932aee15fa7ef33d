using System.Text;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.Meta;

/// <summary>A service provider with the Messenger pages and Instagram accounts the fixtures and tests are addressed to.</summary>
internal sealed class MetaHost : IDisposable
{
    public const string TestSecret = "test-app-secret";
    public const string OtherSecret = "other-app-secret";
    public const string VerifyToken = "let-me-in";
    public const string AccessToken = "EAAG-page-token";

    /// <summary>The page of the conbus/fbmq fixtures (entry[].id).</summary>
    public const string FbmqPage = "1691462197845448";

    /// <summary>The page of the 2016 Messenger docs examples (entry[].id; their recipient is the placeholder "PAGE_ID").</summary>
    public const string DocsPage = "111111";

    /// <summary>A page registered under another Meta app's secret.</summary>
    public const string OtherAppPage = "222222";

    /// <summary>The Instagram professional account of the constructed Instagram payloads.</summary>
    public const string InstagramAccount = "17841400000000001";

    private readonly ServiceProvider _provider;

    public MetaHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care
            .AddMessenger("fbmq", o => Set(o, "acme", FbmqPage, TestSecret))
            .AddMessenger("docs", o => Set(o, "globex", DocsPage, TestSecret))
            .AddMessenger("other-app", o => Set(o, "initech", OtherAppPage, OtherSecret))
            .AddInstagram("ig", o => Set(o, "acme", InstagramAccount, TestSecret)));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Messenger = _provider.GetRequiredService<MessengerChannelAdapter>();
        Instagram = _provider.GetRequiredService<InstagramChannelAdapter>();
    }

    public MessengerChannelAdapter Messenger { get; }

    public InstagramChannelAdapter Instagram { get; }

    public IServiceProvider Services => _provider;

    public static string Sign(byte[] body, string secret = TestSecret) =>
        WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body, "sha256=");

    public static WebhookRequest SignedPost(byte[] body, string secret = TestSecret, string? registration = null) =>
        Post(body, Sign(body, secret), registration);

    public static WebhookRequest Post(byte[] body, string? signature, string? registration = null, string header = "x-hub-signature-256") =>
        new("POST", new Uri("https://care.example/webhooks/meta"), signature is null ? [] : [new(header, signature)], body)
        {
            RegistrationName = registration,
        };

    public async Task<IReadOnlyList<InboundEvent>> MessengerEventsOf(string fixture)
    {
        var result = await Messenger.HandleAsync(SignedPost(Fixtures.Bytes("messenger/" + fixture)), CancellationToken.None);
        return Assert.IsType<WebhookEvents>(result).InboundEvents;
    }

    public async Task<IReadOnlyList<InboundEvent>> InstagramEventsOf(string json)
    {
        var result = await Instagram.HandleAsync(SignedPost(Encoding.UTF8.GetBytes(json)), CancellationToken.None);
        return Assert.IsType<WebhookEvents>(result).InboundEvents;
    }

    public void Dispose() => _provider.Dispose();

    private static void Set(MetaChannelOptions o, string workspace, string pageId, string secret)
    {
        o.WorkspaceId = workspace;
        o.PageId = pageId;
        o.AppSecret = secret;
        o.VerifyToken = VerifyToken;
        o.PageAccessToken = AccessToken;
    }
}
