using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare.Diagnostics;
using SocialCare.Events;
using SocialCare.Storage;
using SocialCare.Workspaces;

namespace SocialCare.Ingestion;

/// <summary>The engine's <see cref="ICareIngestor"/>: validate, order per customer, run the steps, commit, publish.</summary>
internal sealed class IngestionPipeline : ICareIngestor
{
    private static readonly IngestDelegate Terminal = static (_, _) => ValueTask.CompletedTask;

    private readonly ICareStore _store;
    private readonly TimeProvider _time;
    private readonly SocialCareOptions _options;
    private readonly IServiceProvider _services;
    private readonly CareEventPublisher _publisher;
    private readonly WorkspaceSeeder _seeder;
    private readonly SocialCareInstrumentation _instrumentation;
    private readonly PartitionLocks _locks;
    private readonly ILogger _logger;
    private readonly IngestDelegate _app;

    // Care events built after the commit are only ever seen by the publisher: skip building those nobody handles.
    private readonly bool _publishReopened;
    private readonly bool _publishUpdated;
    private readonly bool _publishReceived;

    public IngestionPipeline(
        ICareStore store,
        TimeProvider time,
        IOptions<SocialCareOptions> options,
        IServiceProvider services,
        IngestPipelineDefinition definition,
        CareEventPublisher publisher,
        WorkspaceSeeder seeder,
        SocialCareInstrumentation instrumentation,
        PartitionLocks locks,
        ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _time = time;
        _options = options.Value;
        _services = services;
        _publisher = publisher;
        _seeder = seeder;
        _instrumentation = instrumentation;
        _locks = locks;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<IngestionPipeline>();
        _app = definition.Build(services, Terminal);
        _publishReopened = publisher.HasHandlers<ConversationReopened>();
        _publishUpdated = publisher.HasHandlers<ConversationUpdated>();
        _publishReceived = publisher.HasHandlers<MessageReceived>();
    }

    public async ValueTask<IngestResult> IngestAsync(InboundEvent inboundEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inboundEvent);
        // Read the clock for the duration histogram only when someone listens (0 = not measured).
        var started = _instrumentation.IngestDuration.Enabled ? _time.GetTimestamp() : 0;
        var now = _time.GetUtcNow();
        try
        {
            InboundEventValidator.Validate(inboundEvent, now, _options);
        }
        catch (InvalidInboundEventException ex)
        {
            _instrumentation.RejectedEvents.Add(1, new KeyValuePair<string, object?>("socialcare.event.type", ex.EventType));
            Log.EventRejected(_logger, ex.EventType, inboundEvent.Channel, inboundEvent.WorkspaceId, ex.Field);
            throw;
        }

        await _seeder.EnsureAsync(cancellationToken).ConfigureAwait(false);

        using var activity = SocialCareInstrumentation.ActivitySource.StartActivity("socialcare.ingest", ActivityKind.Internal);
        activity?.SetTag("socialcare.workspace", inboundEvent.WorkspaceId.Value);
        activity?.SetTag("socialcare.channel.kind", inboundEvent.Channel.Kind.Name);

        var gate = _locks.For(inboundEvent);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                IngestContext context;
                try
                {
                    context = await RunOnceAsync(inboundEvent, now, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException ex) when (attempt <= _options.MaxConflictRetries)
                {
                    _instrumentation.ConflictRetries.Add(1);
                    Log.ConflictRetry(_logger, attempt, inboundEvent.WorkspaceId, ex);
                    now = _time.GetUtcNow();
                    continue;
                }

                var result = new IngestResult(context.Outcome, context.Conversation?.Id ?? context.Message?.ConversationId, context.Message?.Id);
                if (context.Outcome == IngestOutcome.Duplicate)
                {
                    Log.DuplicateAbsorbed(_logger, inboundEvent.GetType().Name, inboundEvent.Channel, inboundEvent.WorkspaceId);
                }
                else if (context.Outcome == IngestOutcome.Unmatched)
                {
                    Log.Unmatched(_logger, inboundEvent.GetType().Name, inboundEvent.Channel);
                }
                else if (context.Events.Count > 0)
                {
                    await _publisher.PublishAsync(context.Events, cancellationToken).ConfigureAwait(false);
                }

                Record(inboundEvent, result.Outcome, started);
                activity?.SetTag("socialcare.outcome", OutcomeName(result.Outcome));
                return result;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask<IngestContext> RunOnceAsync(InboundEvent e, DateTimeOffset now, CancellationToken ct)
    {
        var session = await _store.BeginAsync(e.WorkspaceId, ct).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var context = new IngestContext(e, session, now, _services);
            await session.PrefetchAsync(LookupOf(e), ct).ConfigureAwait(false);
            await _app(context, ct).ConfigureAwait(false);
            if (context.Outcome != IngestOutcome.Accepted)
            {
                return context; // disposing without commit discards anything a step wrote
            }

            var conversation = context.Conversation;
            var stored = context.StoredConversation;
            if (conversation is not null && stored is not null && !ReferenceEquals(conversation, stored))
            {
                if (conversation.Version != stored.Version + 1)
                {
                    conversation = context.Conversation = conversation with { Version = stored.Version + 1 };
                }

                await session.UpdateConversationAsync(conversation, ct).ConfigureAwait(false);
            }

            await session.CommitAsync(ct).ConfigureAwait(false);
            AddCommittedEvents(context);
            if (context.MessageInserted && _logger.IsEnabled(LogLevel.Trace))
            {
                Log.SensitiveMessageStored(_logger, context.Message!.Id, e.Customer, context.Message.Text);
            }

            return context;
        }
    }

    /// <summary>What the built-in steps read first for the event: its contact, the message it names, the latest conversation.</summary>
    internal static InboundLookup LookupOf(InboundEvent e) => e switch
    {
        InboundMessage m => new InboundLookup { Channel = m.Channel, Customer = m.Customer, PlatformMessageId = m.PlatformMessageId, Visibility = m.Visibility },
        InboundStatus { PlatformMessageId: null } => new InboundLookup { Channel = e.Channel, Customer = e.Customer, Visibility = ConversationVisibility.Private },
        InboundStatus s => new InboundLookup { Channel = e.Channel, Customer = e.Customer, PlatformMessageId = s.PlatformMessageId },
        InboundReaction r => new InboundLookup { Channel = e.Channel, Customer = e.Customer, PlatformMessageId = r.TargetPlatformMessageId },
        InboundEdit ed => new InboundLookup { Channel = e.Channel, Customer = e.Customer, PlatformMessageId = ed.PlatformMessageId },
        InboundDeletion d => new InboundLookup { Channel = e.Channel, Customer = e.Customer, PlatformMessageId = d.PlatformMessageId },
        _ => new InboundLookup { Channel = e.Channel, Customer = e.Customer },
    };

    private void AddCommittedEvents(IngestContext context)
    {
        var conversation = context.Conversation;
        var original = context.OriginalConversation;
        var e = context.Event;
        if (conversation is null)
        {
            return;
        }

// The thread stage announced the new conversation before the message joined it; subscribers get the state
        // that was committed (its version is the one a follow-up change must expect).
        context.ReplaceCreatedConversation(conversation);

        if (context.Reopened && _publishReopened)
        {
            context.AddEvent(new ConversationReopened { WorkspaceId = e.WorkspaceId, OccurredAt = context.Now, Conversation = conversation });
        }

        if (_publishUpdated && original is not null && !ReferenceEquals(original, conversation) && CareEventPublisher.IsVisibleChange(original, conversation))
        {
            context.AddEvent(new ConversationUpdated { WorkspaceId = e.WorkspaceId, OccurredAt = context.Now, Previous = original, Conversation = conversation });
        }

        if (context.MessageInserted && _publishReceived)
        {
            context.AddEvent(new MessageReceived { WorkspaceId = e.WorkspaceId, OccurredAt = context.Now, Message = context.Message!, Conversation = conversation });
        }
    }

    private void Record(InboundEvent e, IngestOutcome outcome, long started)
    {
        if (_instrumentation.IngestedEvents.Enabled)
        {
            _instrumentation.IngestedEvents.Add(
                1,
                new KeyValuePair<string, object?>("socialcare.outcome", OutcomeName(outcome)),
                new KeyValuePair<string, object?>("socialcare.event.type", e.GetType().Name),
                new KeyValuePair<string, object?>("socialcare.channel.kind", e.Channel.Kind.Name));
        }

        if (started != 0 && _instrumentation.IngestDuration.Enabled)
        {
            _instrumentation.IngestDuration.Record(
                _time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("socialcare.outcome", OutcomeName(outcome)));
        }
    }

    private static string OutcomeName(IngestOutcome outcome) => outcome switch
    {
        IngestOutcome.Accepted => "accepted",
        IngestOutcome.Duplicate => "duplicate",
        _ => "unmatched",
    };
}
