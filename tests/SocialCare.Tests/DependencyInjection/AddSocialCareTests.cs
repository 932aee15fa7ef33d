using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Ingestion;

namespace SocialCare.DependencyInjection;

/// <summary>Composing the engine: defaults, options validation, host steps, stores, clocks.</summary>
public sealed class AddSocialCareTests
{
    public static TheoryData<string, string> BadOptions => new()
    {
        { nameof(SocialCareOptions.MaxTextLength), "0" },
        { nameof(SocialCareOptions.MaxTextLength), "2000000" },
        { nameof(SocialCareOptions.ReopenWindow), "-1" },
        { nameof(SocialCareOptions.MaxAttachments), "-1" },
        { nameof(SocialCareOptions.MaxClockSkew), "-1" },
        { nameof(SocialCareOptions.MaxClockSkew), "2" },
        { nameof(SocialCareOptions.MaxConflictRetries), "101" },
    };

    [Fact]
    public async Task AddSocialCare_Defaults_GiveAWorkingEngineOnTheInMemoryStoreAndSystemClock()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWorkspace("acme", "Acme"));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<InMemoryCareStore>(provider.GetRequiredService<ICareStore>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        var options = provider.GetRequiredService<IOptions<SocialCareOptions>>().Value;
        Assert.Equal(TimeSpan.FromDays(7), options.ReopenWindow);
        Assert.Equal(65_536, options.MaxTextLength);

        // No logging, no metrics, no handlers registered: the engine still works.
        var now = TimeProvider.System.GetUtcNow();
        var result = await provider.GetRequiredService<ICareIngestor>().IngestAsync(new InboundMessage
        {
            WorkspaceId = new WorkspaceId("acme"),
            Channel = CareHost.WhatsApp,
            Customer = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice),
            OccurredAt = now,
            PlatformMessageId = "wamid.1",
            Text = "hi",
        });
        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        var stored = await provider.GetRequiredService<ICareInbox>().GetAsync(new WorkspaceId("acme"), result.ConversationId!.Value);
        Assert.InRange(stored.CreatedAt, now, TimeProvider.System.GetUtcNow());
    }

    [Fact]
    public async Task AddSocialCare_HostTimeProvider_IsTheEnginesClock()
    {
        await using var host = CareHost.Create();
        host.Advance(TimeSpan.FromHours(3));

        var conversation = await host.ReceiveAsync("wamid.1");

        Assert.Equal(CareHost.Start.AddHours(3), conversation.CreatedAt);
        Assert.Equal(CareHost.Start.AddHours(3), (await host.MessagesAsync(conversation.Id)).Single().ReceivedAt);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Options_OutOfRange_FailWithMessageNamingTheSetting(string setting, string value)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(CareHost.Start));
        services.AddSocialCare(care => care.AddWorkspace("acme", "Acme").Configure(o => Set(o, setting, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture))));
        using var provider = services.BuildServiceProvider();

        var fromOptions = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SocialCareOptions>>().Value);
        var fromIngestor = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ICareIngestor>());
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"SocialCare:{setting}", fromOptions.Message, StringComparison.Ordinal);
        Assert.Contains($"SocialCare:{setting}", fromIngestor.Message, StringComparison.Ordinal);
        Assert.Contains($"SocialCare:{setting}", atStart.Message, StringComparison.Ordinal);
        Assert.Single(fromOptions.Failures);
    }

    [Fact]
    public void Options_SeveralBadSettings_AreAllNamed()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.Configure(o =>
        {
            o.MaxTextLength = 0;
            o.MaxConflictRetries = -1;
        }));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SocialCareOptions>>().Value);

        Assert.Equal(2, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains("MaxTextLength", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("MaxConflictRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_WorkspaceWithoutId_IsNamed()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.Configure(o => o.Workspaces.Add(new Workspace { Id = default, Name = "nameless" })));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SocialCareOptions>>().Value);

        Assert.Contains("SocialCare:Workspaces[0]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Acme")]
    [InlineData("has space", "Acme")]
    [InlineData("acme", "")]
    [InlineData("acme", "  ")]
    public void AddWorkspace_BadIdOrName_ThrowsArgumentException(string id, string name)
    {
        var services = new ServiceCollection();

        Assert.ThrowsAny<ArgumentException>(() => services.AddSocialCare(care => care.AddWorkspace(id, name)));
    }

    [Fact]
    public void Use_UndefinedStage_ThrowsArgumentOutOfRange()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddSocialCare(care => care.Use<OrderStep>((IngestStage)42)));

        Assert.Equal("before", ex.ParamName);
    }

    [Fact]
    public async Task AddSocialCare_CalledTwice_ComposesOneEngineWithBothConfigurations()
    {
        var time = new FakeTimeProvider(CareHost.Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ConcurrentQueue<string>>();
        services.AddSocialCare(care => care.AddWorkspace("acme", "Acme"));
        services.AddSocialCare(care => care.Use<OrderStep>().Configure(o => o.MaxTextLength = 10));
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ICareIngestor));
        var ingestor = provider.GetRequiredService<ICareIngestor>();
        var message = new InboundMessage
        {
            WorkspaceId = new WorkspaceId("acme"),
            Channel = CareHost.WhatsApp,
            Customer = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice),
            OccurredAt = time.GetUtcNow(),
            PlatformMessageId = "wamid.1",
            Text = "short",
        };
        await ingestor.IngestAsync(message);
        await Assert.ThrowsAsync<InvalidInboundEventException>(async () => await ingestor.IngestAsync(message with { PlatformMessageId = "wamid.2", Text = "far too long" }));

        Assert.Equal(["OrderStep"], provider.GetRequiredService<ConcurrentQueue<string>>().Select(s => s.Split(':')[0]));
    }

    [Fact]
    public async Task Use_HostSteps_RunAtTheirStageInRegistrationOrder()
    {
        await using var host = CareHost.Create(
            care => care
                .Use<LastStep>()
                .Use<BeforeThreadStep>(IngestStage.Thread)
                .Use<BeforeDedupeStep>(IngestStage.Dedupe)
                .Use<OrderStep>(IngestStage.Thread)
                .Use<BeforeRulesStep>(IngestStage.Rules),
            services => services.AddSingleton<ConcurrentQueue<string>>());
        var seen = host.Services.GetRequiredService<ConcurrentQueue<string>>();

        await host.IngestAsync(host.Message("wamid.1"));
        var firstRun = seen.ToList();
        seen.Clear();
        await host.IngestAsync(host.Message("wamid.1")); // a duplicate stops at dedupe

        // Each step writes what the context held when it ran: contact, conversation, message (1 = set).
        Assert.Equal(
            ["BeforeDedupeStep:000", "BeforeThreadStep:100", "OrderStep:100", "BeforeRulesStep:111", "LastStep:111"],
            firstRun);
        Assert.Equal(["BeforeDedupeStep:000"], seen);
    }

    [Fact]
    public async Task Use_StepReplacingConversation_IsStoredWithTheMessage()
    {
        await using var host = CareHost.Create(care => care.Use<UrgentStep>(IngestStage.Rules));

        var conversation = await host.ReceiveAsync("wamid.1", text: "URGENT: my account was hacked");

        Assert.Equal(ConversationPriority.Urgent, conversation.Priority);
        Assert.Equal(["security"], conversation.Tags);
        Assert.Equal(1, conversation.MessageCount);
    }

    [Fact]
    public async Task UseStore_HostStore_IsUsedAndSeededWithWorkspaces()
    {
        var store = new InMemoryCareStore();
        await using var host = CareHost.Create(care => care.UseStore(_ => store));

        await host.ReceiveAsync("wamid.1");

        Assert.Same(store, host.Store);
        Assert.NotNull(await store.GetWorkspaceAsync(CareHost.Acme, CancellationToken.None));
        Assert.Equal("Globex", (await store.GetWorkspaceAsync(CareHost.Globex, CancellationToken.None))!.Name);
        Assert.Equal(CareHost.Start, (await store.GetWorkspaceAsync(CareHost.Acme, CancellationToken.None))!.CreatedAt);
    }

    [Fact]
    public async Task UseInMemoryStore_AfterUseStore_ReplacesIt()
    {
        var store = new InMemoryCareStore();
        await using var host = CareHost.Create(care => care.UseStore(_ => store).UseInMemoryStore());

        await host.ReceiveAsync("wamid.1");

        Assert.NotSame(store, host.Store);
        Assert.Null(await store.GetWorkspaceAsync(CareHost.Acme, CancellationToken.None));
    }

    [Fact]
    public async Task AddWorkspace_ExistingInStore_IsLeftAsItWas()
    {
        var store = new InMemoryCareStore();
        await store.CreateWorkspaceAsync(new Workspace { Id = CareHost.Acme, Name = "Acme Original", CreatedAt = CareHost.Start.AddYears(-1) }, CancellationToken.None);
        await using var host = CareHost.Create(care => care.UseStore(_ => store));

        await host.ReceiveAsync("wamid.1");

        Assert.Equal("Acme Original", (await store.GetWorkspaceAsync(CareHost.Acme, CancellationToken.None))!.Name);
    }

    private static void Set(SocialCareOptions o, string setting, int value)
    {
        switch (setting)
        {
            case nameof(SocialCareOptions.MaxTextLength): o.MaxTextLength = value; break;
            case nameof(SocialCareOptions.ReopenWindow): o.ReopenWindow = TimeSpan.FromDays(value); break;
            case nameof(SocialCareOptions.MaxAttachments): o.MaxAttachments = value; break;
            case nameof(SocialCareOptions.MaxClockSkew): o.MaxClockSkew = TimeSpan.FromDays(value); break;
            case nameof(SocialCareOptions.MaxConflictRetries): o.MaxConflictRetries = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }
    }

    /// <summary>Records its name and what the context held when it ran.</summary>
    public abstract class RecordingStep(ConcurrentQueue<string> seen) : IIngestStep
    {
        public async ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            static char Bit(object? o) => o is null ? '0' : '1';
            seen.Enqueue($"{GetType().Name}:{Bit(context.Contact)}{Bit(context.Conversation)}{Bit(context.Message)}");
            await next(context, cancellationToken);
        }
    }

    public sealed class OrderStep(ConcurrentQueue<string> seen) : RecordingStep(seen);

    public sealed class BeforeDedupeStep(ConcurrentQueue<string> seen) : RecordingStep(seen);

    public sealed class BeforeThreadStep(ConcurrentQueue<string> seen) : RecordingStep(seen);

    public sealed class BeforeRulesStep(ConcurrentQueue<string> seen) : RecordingStep(seen);

    public sealed class LastStep(ConcurrentQueue<string> seen) : RecordingStep(seen);

    /// <summary>A tiny rule: urgent words raise priority and tag the conversation.</summary>
    public sealed class UrgentStep : IIngestStep
    {
        public async ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            if (context.Event is InboundMessage { Text: { } text } && text.Contains("urgent", StringComparison.OrdinalIgnoreCase) && context.Conversation is { } c)
            {
                context.Conversation = c with { Priority = ConversationPriority.Urgent, Tags = ["security"] };
            }

            await next(context, cancellationToken);
        }
    }
}
