using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Channels.Http;
using SocialCare.Channels.X;
using SocialCare.Channels.X.Sending;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds X (Twitter) brand accounts to SocialCare: <c>care.AddX(o => …)</c>.</summary>
public static class XSocialCareBuilderExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the adapter sends through; configure it with <c>services.AddHttpClient(name)</c>.</summary>
    public const string HttpClientName = "SocialCare.X";

    /// <summary>Adds one X brand account under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the account's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddX(this ISocialCareBuilder builder, Action<XOptions> configure) =>
        AddX(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one X brand account under a name; call once per account. The options are validated when the host starts,
    /// with messages naming the setting. The one <see cref="XChannelAdapter"/> serves every registered account.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the account's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddX(this ISocialCareBuilder builder, string name, Action<XOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<XOptions>(name).Configure(configure).ValidateOnStart();
        services.Configure<XRegistrations>(r => r.Names.Add(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XOptions>, XOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OAuthNonceSource>();
        if (!services.Any(d => d.ServiceType == typeof(RateLimitResetHandler)))
        {
            // Once, however many accounts: the handler that turns x-rate-limit-reset into Retry-After for the pipeline.
            services.AddTransient<RateLimitResetHandler>();
            services.AddHttpClient(HttpClientName).AddHttpMessageHandler<RateLimitResetHandler>();
        }

        services.TryAddSingleton(sp => new ChannelResiliencePipelineFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new XChannelAdapter(
            sp.GetRequiredService<IOptionsMonitor<XOptions>>(),
            sp.GetRequiredService<IOptions<XRegistrations>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelResiliencePipelineFactory>(),
            sp.GetRequiredService<OAuthNonceSource>(),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<XChannelAdapter>() ?? NullLogger.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, XChannelAdapter>(sp => sp.GetRequiredService<XChannelAdapter>()));
        return builder;
    }
}
