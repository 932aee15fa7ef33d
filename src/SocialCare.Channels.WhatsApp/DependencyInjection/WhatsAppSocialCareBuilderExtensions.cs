using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Channels.Http;
using SocialCare.Channels.WhatsApp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds WhatsApp numbers to SocialCare: <c>care.AddWhatsApp(o => …)</c>.</summary>
public static class WhatsAppSocialCareBuilderExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the adapter sends through; configure it with <c>services.AddHttpClient(name)</c>.</summary>
    public const string HttpClientName = "SocialCare.WhatsApp";

    /// <summary>Adds one WhatsApp number under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the number's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddWhatsApp(this ISocialCareBuilder builder, Action<WhatsAppOptions> configure) =>
        AddWhatsApp(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one WhatsApp number under a name; call once per number. The options are validated when the host starts,
    /// with messages naming the setting. The one <see cref="WhatsAppChannelAdapter"/> serves every registered number.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the number's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddWhatsApp(this ISocialCareBuilder builder, string name, Action<WhatsAppOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<WhatsAppOptions>(name).Configure(configure).ValidateOnStart();
        services.Configure<WhatsAppRegistrations>(r => r.Names.Add(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WhatsAppOptions>, WhatsAppOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton(sp => new ChannelResiliencePipelineFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new WhatsAppChannelAdapter(
            sp.GetRequiredService<IOptionsMonitor<WhatsAppOptions>>(),
            sp.GetRequiredService<IOptions<WhatsAppRegistrations>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelResiliencePipelineFactory>(),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<WhatsAppChannelAdapter>() ?? NullLogger.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, WhatsAppChannelAdapter>(sp => sp.GetRequiredService<WhatsAppChannelAdapter>()));
        return builder;
    }
}
