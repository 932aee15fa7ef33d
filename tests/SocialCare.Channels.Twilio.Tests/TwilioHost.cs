using System.Security.Cryptography;
using System.Text;
using System.Web;
using Microsoft.Extensions.Time.Testing;

namespace SocialCare.Channels.Twilio;

/// <summary>A service provider with the Twilio numbers the fixtures and vectors are addressed to, on a fake clock.</summary>
internal sealed class TwilioHost : IDisposable
{
    public const string TestToken = "test-auth-token";
    public const string VectorToken = "12345"; // the twilio-python vectors' auth token
    public const string WebhookUrl = "https://care.example/webhooks/twilio";
    public const string ProxiedUrl = "https://care.example:8443/webhooks/twilio?route=sms";

    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public TwilioHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSocialCare(care => care
            .AddTwilio("bb", o => Set(o, "acme", "4444", TestToken, "+1111"))
            .AddTwilio("support", o =>
            {
                Set(o, "acme", "AC00000000000000000000000000000001", TestToken, "+14155550100");
                o.MessagingServiceSid = "MG00000000000000000000000000000001";
            })
            .AddTwilio("proxied", o =>
            {
                Set(o, "globex", "AC00000000000000000000000000000002", "proxied-token", "+14155550199");
                o.WebhookUrl = new Uri(ProxiedUrl);
            })
            .AddTwilio("vector", o => Set(o, "initech", "AC123", VectorToken, "+18005551212")));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Adapter = _provider.GetRequiredService<TwilioChannelAdapter>();
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public TwilioChannelAdapter Adapter { get; }

    public IServiceProvider Services => _provider;

    /// <summary>
    /// Twilio's signature computed independently of the adapter: the form decoded by <see cref="HttpUtility"/>, every
    /// (name, value) pair sorted ordinally and appended to the URL, HMAC-SHA1 with the token, base64.
    /// </summary>
    public static string Sign(string url, byte[] body, string token = TestToken)
    {
        var form = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body), Encoding.UTF8);
        var pairs = form.AllKeys.SelectMany(k => form.GetValues(k)!.Select(v => (Name: k!, Value: v)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        var data = new StringBuilder(url);
        foreach (var (name, value) in pairs)
        {
            data.Append(name).Append(value);
        }

#pragma warning disable CA5350 // Twilio signs with HMAC-SHA1; the test reproduces it.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    public static WebhookRequest SignedPost(byte[] body, string token = TestToken, string url = WebhookUrl, string? registration = null) =>
        Post(body, Sign(url, body, token), url, registration);

    public static WebhookRequest SignedPost(string form, string token = TestToken, string url = WebhookUrl) =>
        SignedPost(Encoding.UTF8.GetBytes(form), token, url);

    public static WebhookRequest Post(byte[] body, string? signature, string url = WebhookUrl, string? registration = null) =>
        new(
            "POST",
            new Uri(url),
            signature is null
                ? [new("Content-Type", "application/x-www-form-urlencoded")]
                : [new("Content-Type", "application/x-www-form-urlencoded"), new("x-twilio-signature", signature)],
            body)
        {
            RegistrationName = registration,
        };

    public async Task<WebhookResult> Handle(WebhookRequest request) => await Adapter.HandleAsync(request, CancellationToken.None);

    public async Task<IReadOnlyList<InboundEvent>> EventsOf(string form, string token = TestToken) =>
        Assert.IsType<WebhookEvents>(await Handle(SignedPost(form, token))).InboundEvents;

    public void Dispose() => _provider.Dispose();

    private static void Set(TwilioOptions o, string workspace, string accountSid, string token, string number)
    {
        o.WorkspaceId = workspace;
        o.AccountSid = accountSid;
        o.AuthToken = token;
        o.PhoneNumber = number;
    }
}
