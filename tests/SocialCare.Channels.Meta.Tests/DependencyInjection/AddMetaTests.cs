using Microsoft.Extensions.Options;

namespace SocialCare.Channels.Meta.DependencyInjection;

public sealed class AddMetaTests
{
    [Fact]
    public void AddMessengerAndInstagram_SeveralAccounts_OneAdapterPerPlatform()
    {
        using var host = new MetaHost();

        var adapters = host.Services.GetServices<IChannelAdapter>().ToArray();

        Assert.Equal(2, adapters.Length);
        Assert.Contains(host.Messenger, adapters);
        Assert.Contains(host.Instagram, adapters);
    }

    [Fact]
    public void AddMessenger_MissingSettings_ValidationNamesEachSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddMessenger("support", o => o.PageId = "12 34"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<MessengerOptions>>().Get("support"));

        Assert.Contains("SocialCare:Messenger:support:WorkspaceId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Messenger:support:PageId is required (the Facebook page id)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Messenger:support:AppSecret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Messenger:support:VerifyToken", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Messenger:support:PageAccessToken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddInstagram_DefaultName_StartupValidationFailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddInstagram(o =>
        {
            o.WorkspaceId = "acme";
            o.PageId = "17841400000000001";
            o.AppSecret = "s";
            o.VerifyToken = "t";
        }));
        using var provider = services.BuildServiceProvider();

        // What the host runs when it starts (ValidateOnStart registers the options with it).
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SocialCare:Instagram:PageAccessToken is required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AppSecret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMessengerAndInstagram_SameName_KeepSeparateOptions()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care
            .AddMessenger("brand", o => Complete(o, "1"))
            .AddInstagram("brand", o => Complete(o, "2")));
        using var provider = services.BuildServiceProvider();

        Assert.Equal("1", provider.GetRequiredService<IOptionsSnapshot<MessengerOptions>>().Get("brand").PageId);
        Assert.Equal("2", provider.GetRequiredService<IOptionsSnapshot<InstagramOptions>>().Get("brand").PageId);
    }

    private static void Complete(MetaChannelOptions o, string pageId)
    {
        o.WorkspaceId = "acme";
        o.PageId = pageId;
        o.AppSecret = "s";
        o.VerifyToken = "t";
        o.PageAccessToken = "a";
    }

    [Fact]
    public void Options_Defaults_GraphApiV21WithoutTagAndWithGraphThrottlingCodes()
    {
        var options = new MessengerOptions();

        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/"), options.GraphApiBaseUrl);
        Assert.False(options.UseHumanAgentTag);
        Assert.Equal(["17", "32", "4", "613"], options.Resilience.ThrottlingErrorCodes.Order(StringComparer.Ordinal));
        Assert.NotNull(options.Resilience.ErrorCodeReader);
    }
}
