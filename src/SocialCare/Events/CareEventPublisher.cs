using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocialCare.Diagnostics;

namespace SocialCare.Events;

/// <summary>The event types that have handlers; lets the publisher skip work when nobody listens.</summary>
internal sealed class CareEventRegistry
{
    private readonly HashSet<Type> _types = [];

    public bool Any => _types.Count > 0;

    public void Add(Type eventType) => _types.Add(eventType);

    public bool Has(Type eventType) => _types.Contains(eventType) || _types.Contains(typeof(CareEvent));
}

/// <summary>
/// Publishes committed care events to <see cref="ICareEventHandler{TEvent}"/>s, in order, in one service scope per
/// batch. A handler that throws is logged and counted; it never fails the operation that raised the event.
/// </summary>
internal sealed class CareEventPublisher(
    IServiceScopeFactory scopes,
    CareEventRegistry registry,
    SocialCareInstrumentation instrumentation,
    ILoggerFactory? loggerFactory = null)
{
    private readonly ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<CareEventPublisher>();

    public async ValueTask PublishAsync(IReadOnlyList<CareEvent> events, CancellationToken cancellationToken)
    {
        if (!registry.Any || events.Count == 0)
        {
            return;
        }

        var scope = scopes.CreateAsyncScope();
        try
        {
            var services = scope.ServiceProvider;
            for (var i = 0; i < events.Count; i++) // by index: a foreach over the interface would box an enumerator
            {
                var e = events[i];
                var task = e switch
                {
                    MessageReceived x => DispatchAsync(services, x, cancellationToken),
                    ReplyQueued x => DispatchAsync(services, x, cancellationToken),
                    MessageUpdated x => DispatchAsync(services, x, cancellationToken),
                    ConversationCreated x => DispatchAsync(services, x, cancellationToken),
                    ConversationUpdated x => DispatchAsync(services, x, cancellationToken),
                    ConversationAssigned x => DispatchAsync(services, x, cancellationToken),
                    ConversationResolved x => DispatchAsync(services, x, cancellationToken),
                    ConversationReopened x => DispatchAsync(services, x, cancellationToken),
                    ContactMerged x => DispatchAsync(services, x, cancellationToken),
                    ReplySent x => DispatchAsync(services, x, cancellationToken),
                    ReplyFailed x => DispatchAsync(services, x, cancellationToken),
                    _ => DispatchAsync(services, e, cancellationToken),
                };
                await task.ConfigureAwait(false);
            }
        }
        finally
        {
            // Disposed directly: `await using (scope.ConfigureAwait(false))` would box the AsyncServiceScope struct.
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>True when a handler subscribed to <typeparamref name="TEvent"/> (or to every <see cref="CareEvent"/>).</summary>
    public bool HasHandlers<TEvent>()
        where TEvent : CareEvent => registry.Has(typeof(TEvent));

    /// <summary>True when a change is worth a <see cref="ConversationUpdated"/> event (not just a new message).</summary>
    public static bool IsVisibleChange(Conversation before, Conversation after) =>
        before.Status != after.Status
        || before.Priority != after.Priority
        || before.SnoozedUntil != after.SnoozedUntil
        || !string.Equals(before.Queue, after.Queue, StringComparison.Ordinal)
        || before.Assignee != after.Assignee
        || !ReferenceEquals(before.Tags, after.Tags)
        || !ReferenceEquals(before.Attributes, after.Attributes)
        || before.ContactId != after.ContactId;

    private async ValueTask DispatchAsync<TEvent>(IServiceProvider services, TEvent e, CancellationToken ct)
        where TEvent : CareEvent
    {
        if (!registry.Has(typeof(TEvent)))
        {
            return;
        }

        if (typeof(TEvent) != typeof(CareEvent))
        {
            await InvokeAllAsync(services.GetServices<ICareEventHandler<TEvent>>(), e, ct).ConfigureAwait(false);
        }

        await InvokeAllAsync<CareEvent>(services.GetServices<ICareEventHandler<CareEvent>>(), e, ct).ConfigureAwait(false);
    }

    private async ValueTask InvokeAllAsync<TEvent>(IEnumerable<ICareEventHandler<TEvent>> handlers, TEvent e, CancellationToken ct)
        where TEvent : CareEvent
    {
        // The container hands out an array: loop over it rather than box an enumerator for every event.
        if (handlers is ICareEventHandler<TEvent>[] array)
        {
            foreach (var handler in array)
            {
                await InvokeAsync(handler, e, ct).ConfigureAwait(false);
            }

            return;
        }

        foreach (var handler in handlers)
        {
            await InvokeAsync(handler, e, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask InvokeAsync<TEvent>(ICareEventHandler<TEvent> handler, TEvent e, CancellationToken ct)
        where TEvent : CareEvent
    {
        try
        {
            await handler.HandleAsync(e, ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A subscriber's failure must never fail the engine; it is logged and counted.
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            instrumentation.HandlerErrors.Add(1, new KeyValuePair<string, object?>("socialcare.event.type", e.GetType().Name));
            Log.HandlerFailed(logger, handler.GetType().Name, e.GetType().Name, e.WorkspaceId, ex);
        }
    }
}
