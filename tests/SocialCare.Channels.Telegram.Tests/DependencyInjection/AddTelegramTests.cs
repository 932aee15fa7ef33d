using Microsoft.Extensions.Options;

namespace SocialCare.Channels.Telegram.DependencyInjection;

public sealed class AddTelegramTests
{
    private static OptionsValidationException Invalid(Action<TelegramOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddTelegram("support", configure));
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<TelegramOptions>>().Get("support"));
    }

    [Fact]
    public void AddTelegram_TwoBots_OneAdapterServesBoth()
    {
        using var host = new TelegramHost();

        Assert.Same(host.Adapter, Assert.Single(host.Services.GetServices<IChannelAdapter>()));
    }

    [Fact]
    public void AddTelegram_MissingSettings_ValidationNamesEachSetting()
    {
        var ex = Invalid(_ => { });

        Assert.Contains("SocialCare:Telegram:support:WorkspaceId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Telegram:support:BotToken is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Telegram:support:SecretToken is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTelegram_MalformedTokenAndSecret_ValidationExplainsWithoutEchoingTheToken()
    {
        var ex = Invalid(o =>
        {
            o.WorkspaceId = "acme";
            o.BotToken = "no-colon-secret-value";
            o.SecretToken = "has spaces!";
        });

        Assert.Contains("SocialCare:Telegram:support:BotToken must look like '<bot id>:<secret>'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no-colon-secret-value", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Telegram:support:SecretToken must be 1 to 256 characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTelegram_BotIdOtherThanTheTokens_ValidationNamesBoth()
    {
        var ex = Invalid(o =>
        {
            o.WorkspaceId = "acme";
            o.BotToken = "123456789:AAH";
            o.BotId = "42";
            o.SecretToken = "s";
        });

        Assert.Contains("SocialCare:Telegram:support:BotId is '42' but BotToken belongs to bot 123456789", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTelegram_DefaultName_StartupValidationFailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddTelegram(o =>
        {
            o.WorkspaceId = "acme";
            o.BotToken = "123456789:AAH";
        }));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SocialCare:Telegram:SecretToken is required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BotToken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TelegramOptions_Defaults_ApiTelegramOrgAndBotIdFromTheToken()
    {
        var options = new TelegramOptions { BotToken = "123456789:AAH" };

        Assert.Equal(new Uri("https://api.telegram.org/"), options.ApiBaseUrl);
        Assert.Equal("123456789", options.EffectiveBotId);
        Assert.Equal(30, options.Resilience.RateLimitPermits);
        Assert.Equal((TimeSpan.FromSeconds(1), 1), (options.Resilience.RecipientInterval, options.Resilience.RecipientBurst));
    }
}
