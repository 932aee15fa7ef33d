using Microsoft.Extensions.Options;

namespace SocialCare.Channels.WhatsApp.DependencyInjection;

public sealed class AddWhatsAppTests
{
    [Fact]
    public void AddWhatsApp_TwoNumbers_OneAdapterServesBoth()
    {
        using var host = new WhatsAppHost();

        var adapters = host.Services.GetServices<IChannelAdapter>().ToArray();

        Assert.Same(host.Adapter, Assert.Single(adapters));
    }

    [Fact]
    public void AddWhatsApp_MissingSettings_ValidationNamesEachSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWhatsApp("support", o => o.PhoneNumberId = "+49 123"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<WhatsAppOptions>>().Get("support"));

        Assert.Contains("SocialCare:WhatsApp:support:WorkspaceId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:WhatsApp:support:PhoneNumberId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:WhatsApp:support:AppSecret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:WhatsApp:support:VerifyToken", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:WhatsApp:support:AccessToken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWhatsApp_DefaultName_StartupValidationFailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWhatsApp(o =>
        {
            o.WorkspaceId = "acme";
            o.PhoneNumberId = "409552778964973";
            o.AppSecret = "s";
            o.VerifyToken = "t";
        }));
        using var provider = services.BuildServiceProvider();

        // What the host runs when it starts (ValidateOnStart registers the options with it).
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SocialCare:WhatsApp:AccessToken is required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AppSecret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatsAppOptions_Defaults_GraphApiV21()
    {
        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/"), new WhatsAppOptions().GraphApiBaseUrl);
    }
}
