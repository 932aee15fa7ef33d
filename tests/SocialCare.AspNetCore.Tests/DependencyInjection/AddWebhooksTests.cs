using Microsoft.Extensions.Options;

namespace SocialCare.AspNetCore.DependencyInjection;

public sealed class AddWebhooksTests
{
    [Fact]
    public void AddWebhooks_Defaults_OneMiBAndNoPublicBaseUrl()
    {
        using var provider = new ServiceCollection().AddSocialCare(care => care.AddWebhooks()).Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SocialCareWebhookOptions>>().Value;

        Assert.Equal(1024 * 1024, options.MaxRequestBodySize);
        Assert.Null(options.PublicBaseUrl);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(SocialCareWebhookOptions.MaxAllowedRequestBodySize + 1)]
    public async Task StartAsync_BadMaxRequestBodySize_FailsNamingTheSetting(long size)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WebhookHost.StartAsync(o => o.MaxRequestBodySize = size));

        Assert.Contains("SocialCare:Webhooks:MaxRequestBodySize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://care.example.com")]
    [InlineData("https://care.example.com/?a=1")]
    public async Task StartAsync_BadPublicBaseUrl_FailsNamingTheSetting(string url)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            WebhookHost.StartAsync(o => o.PublicBaseUrl = new Uri(url, UriKind.RelativeOrAbsolute)));

        Assert.Contains("SocialCare:Webhooks:PublicBaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWebhooks_BadOption_ValidationNamesTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWebhooks(o => o.MaxRequestBodySize = 0));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SocialCareWebhookOptions>>().Value);

        Assert.Contains("SocialCare:Webhooks:MaxRequestBodySize must be between 1 and", error.Message, StringComparison.Ordinal);
    }
}
