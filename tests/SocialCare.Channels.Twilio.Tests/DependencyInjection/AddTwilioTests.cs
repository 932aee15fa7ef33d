using Microsoft.Extensions.Options;

namespace SocialCare.Channels.Twilio.DependencyInjection;

public sealed class AddTwilioTests
{
    [Fact]
    public void AddTwilio_SeveralNumbers_OneAdapterServesAll()
    {
        using var host = new TwilioHost();

        var adapters = host.Services.GetServices<IChannelAdapter>().ToArray();

        Assert.Same(host.Adapter, Assert.Single(adapters));
    }

    [Fact]
    public void AddTwilio_MissingOrMalformedSettings_ValidationNamesEachSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddTwilio("support", o =>
        {
            o.PhoneNumber = "(415) 555-0100";
            o.MessagingServiceSid = " ";
            o.WebhookUrl = new Uri("/webhooks/twilio", UriKind.Relative);
            o.ApiBaseUrl = new Uri("ftp://api.twilio.com/");
        }));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<TwilioOptions>>().Get("support"));

        Assert.Contains("SocialCare:Twilio:support:WorkspaceId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:AccountSid is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:AuthToken is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:PhoneNumber must be an E.164 number", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:MessagingServiceSid is blank", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:WebhookUrl must be an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SocialCare:Twilio:support:ApiBaseUrl must be an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTwilio_DefaultName_StartupValidationFailsNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddTwilio(o =>
        {
            o.WorkspaceId = "acme";
            o.AccountSid = "AC00000000000000000000000000000001";
            o.PhoneNumber = "+14155550100";
        }));
        using var provider = services.BuildServiceProvider();

        // What the host runs when it starts (ValidateOnStart registers the options with it).
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SocialCare:Twilio:AuthToken is required", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PhoneNumber", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+14155550100", true)]
    [InlineData("+1111", true)]
    [InlineData("+123456789012345", true)]
    [InlineData("+1234567890123456", false)]
    [InlineData("14155550100", false)]
    [InlineData("+04155550100", false)]
    [InlineData("whatsapp:+14155550100", false)]
    [InlineData("+", false)]
    public void PhoneNumber_E164_IsRequired(string number, bool valid)
    {
        Assert.Equal(valid, TwilioOptionsValidator.IsE164(number));
    }

    [Fact]
    public void TwilioOptions_Defaults_ApiTwilioComAndThrottlingCode20429()
    {
        var options = new TwilioOptions();

        Assert.Equal(new Uri("https://api.twilio.com/"), options.ApiBaseUrl);
        Assert.Null(options.WebhookUrl);
        Assert.Null(options.MessagingServiceSid);
        Assert.Contains("20429", options.Resilience.ThrottlingErrorCodes);
        Assert.False(options.Resilience.RetryOnTimeout);
    }
}
