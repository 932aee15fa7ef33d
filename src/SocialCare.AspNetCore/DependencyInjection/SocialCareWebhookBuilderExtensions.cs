using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the webhook endpoints of SocialCare: <c>care.AddWebhooks(o => …)</c>.</summary>
public static class SocialCareWebhookBuilderExtensions
{
    /// <summary>
    /// Configures the endpoints mapped by <c>app.MapSocialCareWebhooks()</c>. Optional: without it the defaults apply.
    /// The options are validated when the host starts, with messages naming the setting.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the options; null keeps the defaults.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddWebhooks(this ISocialCareBuilder builder, Action<SocialCareWebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SocialCareWebhookOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocialCareWebhookOptions>, SocialCareWebhookOptionsValidator>());
        return builder;
    }
}
