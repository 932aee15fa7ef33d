using Microsoft.Extensions.Time.Testing;

namespace SocialCare.Channels.Telegram;

/// <summary>A service provider with two Telegram bots and a fake clock.</summary>
internal sealed class TelegramHost : IDisposable
{
    public const string SupportToken = "123456789:AAHsupport-token_x";
    public const string SupportSecret = "support-secret_1";
    public const string SalesToken = "987654321:BBHsales-token";
    public const string SalesSecret = "sales-secret_2";

    public static readonly ChannelAccount SupportBot = new(ChannelKind.Telegram, "123456789");
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public TelegramHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSocialCare(care => care
            .AddTelegram("support", o => Set(o, "acme", SupportToken, SupportSecret))
            .AddTelegram("sales", o => Set(o, "globex", SalesToken, SalesSecret)));
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Adapter = _provider.GetRequiredService<TelegramChannelAdapter>();
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public TelegramChannelAdapter Adapter { get; }

    public IServiceProvider Services => _provider;

    public static WebhookRequest Post(byte[] body, string? secret = SupportSecret, string? registration = null, string method = "POST") =>
        new(method, new Uri("https://care.example/webhooks/telegram"), secret is null ? [] : [new("x-telegram-bot-api-secret-token", secret)], body)
        {
            RegistrationName = registration,
        };

    public Task<WebhookResult> Handle(byte[] body, string? secret = SupportSecret) => Adapter.HandleAsync(Post(body, secret), CancellationToken.None).AsTask();

    public async Task<InboundEvent> EventOf(string fixture)
    {
        var result = await Handle(Fixtures.Bytes("telegram/" + fixture));
        return Assert.Single(Assert.IsType<WebhookEvents>(result).InboundEvents);
    }

    public void Dispose() => _provider.Dispose();

    private static void Set(TelegramOptions o, string workspace, string token, string secret)
    {
        o.WorkspaceId = workspace;
        o.BotToken = token;
        o.SecretToken = secret;
    }
}
