using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Storage;

namespace SocialCare;

/// <summary>
/// The engine composed the way a host composes it (<c>AddSocialCare</c> with a fake clock), plus builders for inbound
/// events and read helpers that look at the store through the public contracts.
/// </summary>
public sealed class CareHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static readonly WorkspaceId Acme = new("acme");
    public static readonly WorkspaceId Globex = new("globex");

    public static readonly ChannelAccount WhatsApp = new(ChannelKind.WhatsApp, "15550001111");
    public static readonly ChannelAccount WhatsAppSecond = new(ChannelKind.WhatsApp, "15550002222");
    public static readonly ChannelAccount Messenger = new(ChannelKind.Messenger, "page-100");
    public static readonly ChannelAccount Instagram = new(ChannelKind.Instagram, "ig-200");

    public const string Alice = "4915100000001";
    public const string Bob = "4915100000002";

    private CareHost(ServiceProvider services, FakeTimeProvider time)
    {
        Services = services;
        Time = time;
        Ingestor = services.GetRequiredService<ICareIngestor>();
        Inbox = services.GetRequiredService<ICareInbox>();
        Store = services.GetRequiredService<ICareStore>();
        Events = services.GetRequiredService<EventRecorder>();
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public ICareIngestor Ingestor { get; }

    public ICareInbox Inbox { get; }

    public ICareStore Store { get; }

    /// <summary>The care events published so far (a <see cref="RecordingHandler"/> subscribes to every event).</summary>
    public EventRecorder Events { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Composes the engine with workspaces "acme" and "globex", a fake clock at <see cref="Start"/> and metrics.</summary>
    public static CareHost Create(Action<ISocialCareBuilder>? care = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(Start);
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddMetrics();
        collection.AddSingleton<EventRecorder>();
        services?.Invoke(collection);
        collection.AddSocialCare(builder =>
        {
            builder.AddWorkspace("acme", "Acme").AddWorkspace("globex", "Globex").AddEventHandler<CareEvent, RecordingHandler>();
            care?.Invoke(builder);
        });
        return new CareHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), time);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    public void Advance(TimeSpan by) => Time.Advance(by);

    // ---------------------------------------------------------------- inbound events

    public InboundMessage Message(
        string platformMessageId,
        string customer = Alice,
        string? text = "Hi, my order has not arrived.",
        ChannelAccount? channel = null,
        ConversationVisibility visibility = ConversationVisibility.Private,
        WorkspaceId? workspace = null,
        bool echo = false)
    {
        var account = channel ?? WhatsApp;
        return new InboundMessage
        {
            WorkspaceId = workspace ?? Acme,
            Channel = account,
            Customer = new ContactHandle(account.Kind, customer),
            OccurredAt = Now,
            PlatformMessageId = platformMessageId,
            Text = text,
            Visibility = visibility,
            IsEcho = echo,
        };
    }

    public InboundStatus Status(
        string? platformMessageId,
        DeliveryStatus status,
        string customer = Alice,
        ChannelAccount? channel = null,
        DateTimeOffset? watermark = null,
        string? failureCode = null,
        string? failureReason = null)
    {
        var account = channel ?? WhatsApp;
        return new InboundStatus
        {
            WorkspaceId = Acme,
            Channel = account,
            Customer = new ContactHandle(account.Kind, customer),
            OccurredAt = Now,
            PlatformMessageId = platformMessageId,
            Status = status,
            Watermark = watermark,
            FailureCode = failureCode,
            FailureReason = failureReason,
        };
    }

    public InboundReaction Reaction(string target, string? emoji, string customer = Alice, ChannelAccount? channel = null)
    {
        var account = channel ?? WhatsApp;
        return new InboundReaction
        {
            WorkspaceId = Acme,
            Channel = account,
            Customer = new ContactHandle(account.Kind, customer),
            OccurredAt = Now,
            TargetPlatformMessageId = target,
            Emoji = emoji,
        };
    }

    public InboundEdit Edit(string platformMessageId, string? text, string customer = Alice)
        => new()
        {
            WorkspaceId = Acme,
            Channel = WhatsApp,
            Customer = new ContactHandle(WhatsApp.Kind, customer),
            OccurredAt = Now,
            PlatformMessageId = platformMessageId,
            Text = text,
        };

    public InboundDeletion Deletion(string platformMessageId, string customer = Alice)
        => new()
        {
            WorkspaceId = Acme,
            Channel = WhatsApp,
            Customer = new ContactHandle(WhatsApp.Kind, customer),
            OccurredAt = Now,
            PlatformMessageId = platformMessageId,
        };

    // ---------------------------------------------------------------- operations

    public ValueTask<IngestResult> IngestAsync(InboundEvent inboundEvent) => Ingestor.IngestAsync(inboundEvent);

    /// <summary>Ingests a customer message and returns the conversation it landed in.</summary>
    public async Task<Conversation> ReceiveAsync(string platformMessageId, string customer = Alice, string? text = "Hi, my order has not arrived.", ChannelAccount? channel = null, ConversationVisibility visibility = ConversationVisibility.Private, WorkspaceId? workspace = null)
    {
        var result = await IngestAsync(Message(platformMessageId, customer, text, channel, visibility, workspace));
        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        return await Inbox.GetAsync(workspace ?? Acme, result.ConversationId!.Value);
    }

    public ValueTask<Conversation> GetAsync(ConversationId id, WorkspaceId? workspace = null) => Inbox.GetAsync(workspace ?? Acme, id);

    /// <summary>Every message of a conversation in sequence order.</summary>
    public async Task<List<Message>> MessagesAsync(ConversationId id, WorkspaceId? workspace = null)
    {
        var all = new List<Message>();
        string? after = null;
        do
        {
            var page = await Inbox.GetMessagesAsync(workspace ?? Acme, new MessageQuery { ConversationId = id, Limit = MessageQuery.MaxLimit, After = after });
            all.AddRange(page.Items);
            after = page.NextCursor;
        }
        while (after is not null);

        return all;
    }

    /// <summary>Every conversation matching a query, following the cursor to the end.</summary>
    public async Task<List<Conversation>> ListAllAsync(ConversationQuery? query = null, WorkspaceId? workspace = null)
    {
        var all = new List<Conversation>();
        var q = query ?? new ConversationQuery();
        q = q with { Limit = ConversationQuery.MaxLimit, After = null };
        do
        {
            var page = await Inbox.ListAsync(workspace ?? Acme, q);
            all.AddRange(page.Items);
            q = q with { After = page.NextCursor };
        }
        while (q.After is not null);

        return all;
    }

    /// <summary>Opens a store session the way the engine does (workspaces are seeded on first use).</summary>
    public async Task<ICareSession> BeginAsync(WorkspaceId? workspace = null)
    {
        await Services.GetRequiredService<SocialCare.Workspaces.WorkspaceSeeder>().EnsureAsync(CancellationToken.None);
        return await Store.BeginAsync(workspace ?? Acme, CancellationToken.None);
    }

    public async Task<Contact?> FindContactAsync(ContactHandle handle, WorkspaceId? workspace = null)
    {
        var session = await BeginAsync(workspace);
        await using (session)
        {
            return await session.FindContactAsync(handle, CancellationToken.None);
        }
    }

    public async Task<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, WorkspaceId? workspace = null)
    {
        var session = await BeginAsync(workspace);
        await using (session)
        {
            return await session.FindMessageAsync(channel, platformMessageId, CancellationToken.None);
        }
    }

    /// <summary>
    /// A comparable picture of everything a workspace holds that the public contracts can list: each conversation with its
    /// version and counters, and each of its messages with its version and text.
    /// </summary>
    public async Task<string> SnapshotAsync(WorkspaceId? workspace = null)
    {
        var lines = new List<string>();
        foreach (var c in (await ListAllAsync(new ConversationQuery { Sort = ConversationSort.CreatedNewest }, workspace)).OrderBy(c => c.Id))
        {
            lines.Add($"{c.Id} v{c.Version} {c.Status} contact={c.ContactId} count={c.MessageCount} waiting={c.WaitingSince:O} cycle={c.Cycle} tags={string.Join(',', c.Tags)} assignee={c.Assignee} priority={c.Priority}");
            foreach (var m in await MessagesAsync(c.Id, workspace))
            {
                lines.Add($"  #{m.Sequence} {m.Id} v{m.Version} {m.Direction} {m.PlatformMessageId} '{m.Text}' {m.Delivery}");
            }
        }

        return string.Join('\n', lines);
    }
}
