using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Channels.Http;
using SocialCare.Channels.Meta;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Facebook pages and Instagram accounts to SocialCare: <c>care.AddMessenger(…)</c>, <c>care.AddInstagram(…)</c>.</summary>
public static class MetaSocialCareBuilderExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the Messenger adapter sends through.</summary>
    public const string MessengerHttpClientName = "SocialCare.Messenger";

    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the Instagram adapter sends through.</summary>
    public const string InstagramHttpClientName = "SocialCare.Instagram";

    /// <summary>Adds one Facebook page under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the page's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddMessenger(this ISocialCareBuilder builder, Action<MessengerOptions> configure) =>
        AddMessenger(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one Facebook page under a name; call once per page. The options are validated when the host starts, with
    /// messages naming the setting (<c>SocialCare:Messenger:{name}:…</c>). The one <see cref="MessengerChannelAdapter"/>
    /// serves every registered page.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the page's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddMessenger(this ISocialCareBuilder builder, string name, Action<MessengerOptions> configure)
    {
        Add(builder, name, configure, "SocialCare:Messenger", "the Facebook page id", MessengerChannelAdapter.Platform);
        builder.Services.TryAddSingleton(sp => new MessengerChannelAdapter(sp.GetRequiredService<MetaAdapterCore<MessengerOptions>>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, MessengerChannelAdapter>(sp => sp.GetRequiredService<MessengerChannelAdapter>()));
        return builder;
    }

    /// <summary>Adds one Instagram professional account under the default name.</summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="configure">Sets the account's options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddInstagram(this ISocialCareBuilder builder, Action<InstagramOptions> configure) =>
        AddInstagram(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds one Instagram professional account under a name; call once per account. The options are validated when the
    /// host starts, with messages naming the setting (<c>SocialCare:Instagram:{name}:…</c>). The one
    /// <see cref="InstagramChannelAdapter"/> serves every registered account.
    /// </summary>
    /// <param name="builder">The SocialCare builder.</param>
    /// <param name="name">The registration name (the named options); empty for the default.</param>
    /// <param name="configure">Sets the account's options; <see cref="MetaChannelOptions.PageId"/> is the Instagram account id.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddInstagram(this ISocialCareBuilder builder, string name, Action<InstagramOptions> configure)
    {
        Add(builder, name, configure, "SocialCare:Instagram", "the Instagram professional account id", InstagramChannelAdapter.Platform);
        builder.Services.TryAddSingleton(sp => new InstagramChannelAdapter(sp.GetRequiredService<MetaAdapterCore<InstagramOptions>>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelAdapter, InstagramChannelAdapter>(sp => sp.GetRequiredService<InstagramChannelAdapter>()));
        return builder;
    }

    private static void Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(ISocialCareBuilder builder, string name, Action<TOptions> configure, string section, string accountId, MetaPlatform platform)
        where TOptions : MetaChannelOptions
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<TOptions>(name).Configure(configure).ValidateOnStart();
        services.Configure<MetaRegistrations<TOptions>>(r => r.Names.Add(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new MetaOptionsValidator<TOptions>(section, accountId)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(platform.HttpClientName);
        services.TryAddSingleton(sp => new ChannelResiliencePipelineFactory(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new MetaAdapterCore<TOptions>(
            platform,
            sp.GetRequiredService<IOptionsMonitor<TOptions>>(),
            sp.GetRequiredService<IOptions<MetaRegistrations<TOptions>>>().Value,
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelResiliencePipelineFactory>(),
            (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger("SocialCare.Channels.Meta." + platform.Name) ?? NullLogger.Instance));
    }
}
