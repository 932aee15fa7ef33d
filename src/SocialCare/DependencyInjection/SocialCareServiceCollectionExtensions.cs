using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Conversations;
using SocialCare.Diagnostics;
using SocialCare.Events;
using SocialCare.Ingestion;
using SocialCare.Outbound;
using SocialCare.Storage;
using SocialCare.Workspaces;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SocialCare: <c>services.AddSocialCare(care => …)</c>.</summary>
public static class SocialCareServiceCollectionExtensions
{
    /// <summary>
    /// Adds the care engine with the in-memory store (replace it with <c>care.UseSqlite(…)</c> or another provider),
    /// <see cref="TimeProvider.System"/> unless the host registered a <see cref="TimeProvider"/>, and options validated
    /// at start. Calling it again returns a builder over the same registrations.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Composes channels, storage, steps and handlers.</param>
    /// <returns>The builder, for further composition.</returns>
    public static ISocialCareBuilder AddSocialCare(this IServiceCollection services, Action<ISocialCareBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new SocialCareBuilder(services);

        if (!services.Any(d => d.ServiceType == typeof(IngestPipelineDefinition)))
        {
            services.AddOptions<SocialCareOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocialCareOptions>, SocialCareOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<ICareStore, InMemoryCareStore>();
            services.TryAddSingleton(sp => StoreFeature<IOutboxStore>(sp, "an outbox (IOutboxStore), which sending replies needs"));
            services.TryAddSingleton(sp => StoreFeature<IDeadLetterStore>(sp, "dead letters (IDeadLetterStore), which webhook hosting needs"));
            services.TryAddSingleton(sp => new SocialCareInstrumentation(sp.GetService<IMeterFactory>()));
            services.TryAddSingleton(new IngestPipelineDefinition());
            services.TryAddSingleton(new CareEventRegistry());
            services.TryAddSingleton<PartitionLocks>();
            services.TryAddSingleton<CareEventPublisher>();
            services.TryAddSingleton<WorkspaceSeeder>();
            services.TryAddSingleton<DedupeStep>();
            services.TryAddSingleton<ContactStep>();
            services.TryAddSingleton<ThreadStep>();
            services.TryAddSingleton<AppendStep>();
            services.TryAddSingleton<ICareIngestor, IngestionPipeline>();
            services.TryAddSingleton<ReplyPreflight>();
            services.TryAddSingleton<ICareInbox, CareInbox>();
            services.AddOptions<OutboxOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
            services.TryAddSingleton<OutboxSignal>();
            services.TryAddSingleton<IOutboxDispatcher, OutboxDispatcher>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxDispatcherService>());
        }

        configure?.Invoke(builder);
        return builder;
    }

    private static T StoreFeature<T>(IServiceProvider services, string feature)
        where T : class
    {
        var store = services.GetRequiredService<ICareStore>();
        return store as T ?? throw new CareStoreConfigurationException(
            "SocialCare:Store",
            $"the care store {store.GetType().FullName} does not provide {feature}. Use a store that implements {typeof(T).Name} " +
            "(the in-memory, SQLite and PostgreSQL stores do), or register your own implementation of it before AddSocialCare().");
    }
}

/// <summary>The engine's own extensions of <see cref="ISocialCareBuilder"/>.</summary>
public static class SocialCareBuilderExtensions
{
    /// <summary>Configures the engine's options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder Configure(this ISocialCareBuilder builder, Action<SocialCareOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the outbox dispatcher that sends replies (<see cref="OutboxOptions"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder ConfigureOutbox(this ISocialCareBuilder builder, Action<OutboxOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Creates a workspace on first use if the store does not have it.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="id">The workspace id (1 to 64 of ASCII letters, digits, '-', '_', '.').</param>
    /// <param name="name">A display name.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddWorkspace(this ISocialCareBuilder builder, string id, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var workspace = new Workspace { Id = new WorkspaceId(id), Name = name };
        builder.Services.Configure<SocialCareOptions>(o => o.Workspaces.Add(workspace));
        return builder;
    }

    /// <summary>Keeps care data in process memory (the default): for tests, samples and trying things out.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UseInMemoryStore(this ISocialCareBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ICareStore, InMemoryCareStore>());
        return builder;
    }

    /// <summary>Uses a storage provider created by a factory; replaces any store registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store once.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UseStore(this ISocialCareBuilder builder, Func<IServiceProvider, ICareStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>
    /// Adds a host step to the ingestion pipeline, before a built-in stage or (when <paramref name="before"/> is null)
    /// after all of them. The step is a singleton resolved once.
    /// </summary>
    /// <typeparam name="TStep">The step.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="before">The stage to run before, or null to run last.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder Use<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStep>(this ISocialCareBuilder builder, IngestStage? before = null)
        where TStep : class, IIngestStep
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (before is { } stage && !Enum.IsDefined(stage))
        {
            throw new ArgumentOutOfRangeException(nameof(before), stage, "Not an IngestStage.");
        }

        builder.Services.TryAddSingleton<TStep>();
        Definition<IngestPipelineDefinition>(builder).Add(typeof(TStep), before);
        return builder;
    }

    /// <summary>Subscribes a handler to a care event. Handlers are resolved in a scope per published batch.</summary>
    /// <typeparam name="TEvent">The event; <see cref="CareEvent"/> for every event.</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder AddEventHandler<TEvent, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this ISocialCareBuilder builder)
        where TEvent : CareEvent
        where THandler : class, ICareEventHandler<TEvent>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<ICareEventHandler<TEvent>, THandler>());
        Definition<CareEventRegistry>(builder).Add(typeof(TEvent));
        return builder;
    }

    private static T Definition<T>(ISocialCareBuilder builder)
        where T : class =>
        builder.Services.LastOrDefault(d => d.ServiceType == typeof(T))?.ImplementationInstance as T
        ?? throw new InvalidOperationException("Call services.AddSocialCare() before composing the care engine.");
}
