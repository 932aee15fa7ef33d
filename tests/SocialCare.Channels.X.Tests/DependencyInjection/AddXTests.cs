using Microsoft.Extensions.Options;

namespace SocialCare.Channels.X.DependencyInjection;

public sealed class AddXTests
{
    [Fact]
    public void AddX_SeveralAccounts_OneAdapterServesThemAll()
    {
        using var host = new XHost();

        var adapters = host.Services.GetServices<IChannelAdapter>().ToArray();

        Assert.Same(host.Adapter, Assert.Single(adapters));
    }

    [Fact]
    public void AddX_MissingSettings_ValidationNamesEachSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddX("support", o =>
        {
            o.UserId = "@brand";
            o.ApiBaseUrl = new Uri("/relative", UriKind.Relative);
        }));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<XOptions>>().Get("support"));

        foreach (var setting in new[] { "WorkspaceId", "UserId", "ConsumerKey", "ConsumerSecret", "AccessToken", "AccessTokenSecret", "ApiBaseUrl" })
        {
            Assert.Contains($"SocialCare:X:support:{setting}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AddX_DefaultName_StartupValidationFailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddX(o =>
        {
            o.WorkspaceId = "acme";
            o.UserId = "4337869213";
            o.ConsumerKey = "k";
            o.ConsumerSecret = "s";
            o.AccessToken = "t";
        }));
        using var provider = services.BuildServiceProvider();

        // What the host runs when it starts (ValidateOnStart registers the options with it).
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SocialCare:X:AccessTokenSecret is required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ConsumerSecret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void XOptions_Defaults_ApiTwitterComAndDirectMessageRateLimit()
    {
        var options = new XOptions();

        Assert.Equal(new Uri("https://api.twitter.com/"), options.ApiBaseUrl);
        Assert.Equal(200, options.Resilience.RateLimitPermits);
        Assert.Equal(TimeSpan.FromMinutes(15), options.Resilience.RateLimitPeriod);
        Assert.False(options.Resilience.RetryOnTimeout);
    }
}
