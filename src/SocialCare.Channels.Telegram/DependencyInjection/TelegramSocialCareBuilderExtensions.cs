using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Channels.Http;
using SocialCare.Channels.Telegram;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Telegram bots to SocialCare: <c>care.AddTelegram(o => …)</c>.</summary>
public static class TelegramSocialCareBuilderExtensions
{
    /// <summary>
    /// The name of the <see cref="System.Net.Http.HttpClient"/> the adapter sends through; configure it with
    /// <c>services.AddHttpClient(name)</c>. Its default request logging is removed, because Bot API URLs carry the bot
    /// token.
    /// </summary>
    public const string HttpClientName = "SocialCare.Telegram";

    /// <summary>Adds one Telegram bot under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the bot's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddTelegram(this ISocialCareBuilder builder, Action<TelegramOptions> configure) =>
        AddTelegram(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one Telegram bot under a name; call once per bot. The options are validated when the host starts, with
    /// messages naming the setting. The one <see cref="TelegramChannelAdapter"/> serves every registered bot.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the bot's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddTelegram(this ISocialCareBuilder builder, string name, Action<TelegramOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<TelegramOptions>(name).Configure(configure).ValidateOnStart();
        services.Configure<TelegramRegistrations>(r => r.Names.Add(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpClientName).RemoveAllLoggers();
        services.TryAddSingleton(sp => new ChannelResiliencePipelineFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TelegramChannelAdapter(
            sp.GetRequiredService<IOptionsMonitor<TelegramOptions>>(),
            sp.GetRequiredService<IOptions<TelegramRegistrations>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelResiliencePipelineFactory>(),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<TelegramChannelAdapter>() ?? NullLogger.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, TelegramChannelAdapter>(sp => sp.GetRequiredService<TelegramChannelAdapter>()));
        return builder;
    }
}
