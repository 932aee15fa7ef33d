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
    public void AddWhatsApp_DefaultName_ValidatesOnStart()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWhatsApp(o => o.WorkspaceId = "acme"));

        var startup = services.Where(d => d.ServiceType.Name.Contains("ValidateOnStart", StringComparison.Ordinal) || d.ServiceType.Name.Contains("StartupValidator", StringComparison.Ordinal));

        Assert.NotEmpty(startup);
    }

    [Fact]
    public void WhatsAppOptions_Defaults_GraphApiV21()
    {
        Assert.Equal(new Uri("https://graph.facebook.com/v21.0/"), new WhatsAppOptions().GraphApiBaseUrl);
    }
}
