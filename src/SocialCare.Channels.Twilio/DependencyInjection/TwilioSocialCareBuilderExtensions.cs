using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Channels.Http;
using SocialCare.Channels.Twilio;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Twilio numbers (SMS, MMS) to SocialCare: <c>care.AddTwilio(o => …)</c>.</summary>
public static class TwilioSocialCareBuilderExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the adapter sends through; configure it with <c>services.AddHttpClient(name)</c>.</summary>
    public const string HttpClientName = "SocialCare.Twilio";

    /// <summary>Adds one Twilio number under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the number's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddTwilio(this ISocialCareBuilder builder, Action<TwilioOptions> configure) =>
        AddTwilio(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one Twilio number under a name; call once per number. The options are validated when the host starts,
    /// with messages naming the setting. The one <see cref="TwilioChannelAdapter"/> serves every registered number.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the number's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddTwilio(this ISocialCareBuilder builder, string name, Action<TwilioOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<TwilioOptions>(name).Configure(configure).ValidateOnStart();
        services.Configure<TwilioRegistrations>(r => r.Names.Add(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TwilioOptions>, TwilioOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton(sp => new ChannelResiliencePipelineFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TwilioChannelAdapter(
            sp.GetRequiredService<IOptionsMonitor<TwilioOptions>>(),
            sp.GetRequiredService<IOptions<TwilioRegistrations>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelResiliencePipelineFactory>(),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<TwilioChannelAdapter>() ?? NullLogger.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, TwilioChannelAdapter>(sp => sp.GetRequiredService<TwilioChannelAdapter>()));
        return builder;
    }
}
