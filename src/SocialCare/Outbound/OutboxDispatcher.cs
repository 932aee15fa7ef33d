using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare.Channels;
using SocialCare.Diagnostics;
using SocialCare.Events;
using SocialCare.Storage;

namespace SocialCare.Outbound;

/// <summary>
/// Sends queued replies: claims due outbox entries with a lease, sends each through its channel adapter, records the
/// platform id (or the failure) on the message, and removes the entry. The order of durable steps is what keeps a
/// reply from being sent twice: the send-started mark is written before the platform call, the outcome is recorded on
/// the message before the entry is removed, and a claimer that finds a started send with no outcome does not resend.
/// </summary>
internal sealed class OutboxDispatcher : IOutboxDispatcher
{
    /// <summary>The error code on a message whose send outcome is unknown.</summary>
    public const string OutcomeUnknownCode = "socialcare.outcome_unknown";

    /// <summary>The error code on a message no registered adapter can send.</summary>
    public const string NoAdapterCode = "socialcare.no_adapter";

    private readonly IOutboxStore _outbox;
    private readonly ICareStore _store;
    private readonly Dictionary<ChannelKind, IChannelAdapter> _adapters = [];
    private readonly TimeProvider _time;
    private readonly OutboxOptions _options;
    private readonly CareEventPublisher _publisher;
    private readonly SocialCareInstrumentation _instrumentation;
    private readonly ILogger _logger;

    public OutboxDispatcher(
        IOutboxStore outbox,
        ICareStore store,
        IEnumerable<IChannelAdapter> adapters,
        TimeProvider time,
        IOptions<OutboxOptions> options,
        CareEventPublisher publisher,
        SocialCareInstrumentation instrumentation,
        ILoggerFactory? loggerFactory = null)
    {
        _outbox = outbox;
        _store = store;
        _time = time;
        _options = options.Value;
        _publisher = publisher;
        _instrumentation = instrumentation;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OutboxDispatcher>();
        Owner = _options.InstanceName ?? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");
        foreach (var adapter in adapters)
        {
            if (!_adapters.TryAdd(adapter.Kind, adapter) && !ReferenceEquals(_adapters[adapter.Kind], adapter))
            {
                throw new InvalidOperationException(
                    $"Two channel adapters are registered for '{adapter.Kind}': {_adapters[adapter.Kind].GetType().FullName} and {adapter.GetType().FullName}. Register one adapter per channel kind.");
            }
        }
    }

    /// <summary>The name this dispatcher claims entries under.</summary>
    public string Owner { get; }

    /// <inheritdoc />
    public async ValueTask<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await _outbox.ClaimDueAsync(Owner, _time.GetUtcNow(), _options.Lease, _options.BatchSize, cancellationToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            claimed,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentSends, CancellationToken = cancellationToken },
            async (entry, ct) => await DispatchAsync(entry, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return claimed.Count;
    }

    /// <summary>
    /// Handles one entry; a failure (the store unreachable, a broken event handler's store call) affects only this entry.
    /// Before the send-started mark the entry is released to be tried again later. After it, the entry is left to its
    /// lease: the platform may have the reply, so the next claimer records the outcome as unknown instead of resending.
    /// </summary>
    private async ValueTask DispatchAsync(OutboxEntry entry, CancellationToken ct)
    {
        using var activity = SocialCareInstrumentation.ActivitySource.StartActivity("socialcare.outbox.send", ActivityKind.Producer);
        activity?.SetTag("socialcare.workspace", entry.WorkspaceId.Value);
        activity?.SetTag("socialcare.message.id", entry.MessageId.ToString());
        var sendStarted = new StrongBox<bool>();
        try
        {
            await DispatchCoreAsync(entry, sendStarted, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One entry's failure must not stop the others of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            if (sendStarted.Value)
            {
                Log.DispatchFailedAfterSend(_logger, entry.MessageId, entry.WorkspaceId, ex);
                return;
            }

            var dueAt = _time.GetUtcNow() + RetryDelay(entry.Attempts, retryAfter: null);
            Log.DispatchFailedBeforeSend(_logger, entry.MessageId, entry.WorkspaceId, dueAt, ex);
            try
            {
                await _outbox.RescheduleAsync(entry.WorkspaceId, entry.MessageId, Owner, dueAt, $"{ex.GetType().Name}: {ex.Message}", ct).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The store is down: the lease runs out and the entry is claimed again.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private async ValueTask DispatchCoreAsync(OutboxEntry entry, StrongBox<bool> sendStarted, CancellationToken ct)
    {
        var (message, conversation) = await LoadAsync(entry, ct).ConfigureAwait(false);
        if (message is null || conversation is null || message.Direction != MessageDirection.Outbound)
        {
            Log.OutboxOrphan(_logger, entry.MessageId, entry.WorkspaceId);
            await _outbox.CompleteAsync(entry.WorkspaceId, entry.MessageId, Owner, ct).ConfigureAwait(false);
            return;
        }

        if (message.Delivery is { Status: not DeliveryStatus.Queued })
        {
            // The outcome was recorded by an earlier claimer that stopped before removing the entry.
            await _outbox.CompleteAsync(entry.WorkspaceId, entry.MessageId, Owner, ct).ConfigureAwait(false);
            return;
        }

        if (entry.SendStarted)
        {
            Log.ReplyOutcomeUnknown(_logger, entry.MessageId, entry.WorkspaceId, message.Channel);
            await FailAsync(
                entry,
                message.Channel,
                OutcomeUnknownCode,
                "The sender stopped during the platform call and recorded no outcome, so the platform may or may not have the reply. " +
                "It was not resent, to never deliver it twice; check the conversation on the platform and send again if it is missing.",
                "unknown",
                ct).ConfigureAwait(false);
            return;
        }

        if (!_adapters.TryGetValue(message.Channel.Kind, out var adapter))
        {
            await FailAsync(entry, message.Channel, NoAdapterCode, $"No channel adapter is registered for '{message.Channel.Kind}'; add that platform's adapter package and register it on the SocialCare builder (as care.AddWhatsApp(...) does for WhatsApp), or register your own IChannelAdapter.", "failed", ct).ConfigureAwait(false);
            return;
        }

        var outbound = OutboundMessages.For(message, conversation);

        if (!await _outbox.MarkSendStartedAsync(entry.WorkspaceId, entry.MessageId, Owner, _time.GetUtcNow(), ct).ConfigureAwait(false))
        {
            Log.ClaimLost(_logger, entry.MessageId, entry.WorkspaceId);
            return;
        }

        sendStarted.Value = true;

        SendResult result;
        try
        {
            result = await adapter.SendAsync(outbound, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping mid-call: the send-started mark stays, so whoever takes the entry over will not resend it.
            throw;
        }
#pragma warning disable CA1031 // An adapter broke its contract: record it on the message rather than crash the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await FailAsync(
                entry,
                message.Channel,
                OutcomeUnknownCode,
                $"The {adapter.Kind} adapter threw {ex.GetType().Name}: {ex.Message} The platform may or may not have the reply; it was not resent.",
                "unknown",
                ct).ConfigureAwait(false);
            return;
        }

        switch (result)
        {
            case SendSucceeded sent:
                await RecordSentAsync(entry, message, sent.PlatformMessageId, ct).ConfigureAwait(false);
                break;
            case SendFailed { IsRetryable: true } failed when entry.Attempts < _options.MaxAttempts:
                var dueAt = _time.GetUtcNow() + RetryDelay(entry.Attempts, failed.RetryAfter);
                var error = failed.ErrorCode is null ? failed.Reason : $"{failed.ErrorCode}: {failed.Reason}";
                _instrumentation.OutboxSends.Add(1, Tags("retry", message.Channel.Kind));
                Log.ReplyRetry(_logger, entry.MessageId, entry.WorkspaceId, message.Channel, entry.Attempts, failed.ErrorCode, failed.Reason, dueAt);
                await _outbox.RescheduleAsync(entry.WorkspaceId, entry.MessageId, Owner, dueAt, error, ct).ConfigureAwait(false);
                break;
            case SendFailed failed:
                var reason = failed.IsRetryable ? $"{failed.Reason} (gave up after {entry.Attempts} attempts)" : failed.Reason;
                await FailAsync(entry, message.Channel, failed.ErrorCode, reason, "failed", ct).ConfigureAwait(false);
                break;
        }
    }

    private TimeSpan RetryDelay(int attempts, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(attempts - 1, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << exponent)));
#pragma warning disable CA5394 // Jitter spreads retries; it needs no cryptographic randomness.
        backoff += TimeSpan.FromTicks((long)(backoff.Ticks * 0.2 * Random.Shared.NextDouble()));
#pragma warning restore CA5394
        if (backoff > _options.MaxRetryDelay)
        {
            backoff = _options.MaxRetryDelay;
        }

        // The platform's own wait wins, even above the cap: sending earlier would only be refused again.
        return retryAfter is { } wait && wait > backoff ? wait : backoff;
    }

    private async ValueTask<(Message? Message, Conversation? Conversation)> LoadAsync(OutboxEntry entry, CancellationToken ct)
    {
        var session = await _store.BeginAsync(entry.WorkspaceId, ct).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var message = await session.GetMessageAsync(entry.MessageId, ct).ConfigureAwait(false);
            var conversation = message is null ? null : await session.GetConversationAsync(message.ConversationId, ct).ConfigureAwait(false);
            return (message, conversation);
        }
    }

    private async ValueTask RecordSentAsync(OutboxEntry entry, Message queued, string platformMessageId, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var recorded = await UpdateMessageAsync(
            entry,
            m => m.Delivery is { Status: DeliveryStatus.Queued }
                ? m with { PlatformMessageId = platformMessageId, Delivery = new DeliveryState(DeliveryStatus.Sent, now) }
                : m.PlatformMessageId is null ? m with { PlatformMessageId = platformMessageId } : null,
            ct).ConfigureAwait(false);
        await _outbox.CompleteAsync(entry.WorkspaceId, entry.MessageId, Owner, ct).ConfigureAwait(false);
        _instrumentation.OutboxSends.Add(1, Tags("sent", queued.Channel.Kind));
        _instrumentation.OutboxDelay.Record((now - queued.ReceivedAt).TotalSeconds, new KeyValuePair<string, object?>("socialcare.channel.kind", queued.Channel.Kind.Name));
        Log.ReplySent(_logger, entry.MessageId, entry.WorkspaceId, queued.Channel, platformMessageId, entry.Attempts);
        // A status webhook may have recorded the platform id first (it carries our id back); the reply was still sent.
        recorded ??= (await LoadAsync(entry, ct).ConfigureAwait(false)).Message is { } current && current.PlatformMessageId == platformMessageId ? current : null;
        if (recorded is not null)
        {
            await _publisher.PublishAsync([new ReplySent { WorkspaceId = entry.WorkspaceId, OccurredAt = now, Message = recorded }], ct).ConfigureAwait(false);
        }
    }

    private async ValueTask FailAsync(OutboxEntry entry, ChannelAccount channel, string? code, string reason, string outcome, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (outcome != "unknown")
        {
            Log.ReplyFailed(_logger, entry.MessageId, entry.WorkspaceId, channel, entry.Attempts, code, reason);
        }

        var recorded = await UpdateMessageAsync(
            entry,
            m => m.Delivery is { Status: DeliveryStatus.Queued } ? m with { Delivery = new DeliveryState(DeliveryStatus.Failed, now, code, reason) } : null,
            ct).ConfigureAwait(false);
        await _outbox.CompleteAsync(entry.WorkspaceId, entry.MessageId, Owner, ct).ConfigureAwait(false);
        _instrumentation.OutboxSends.Add(1, Tags(outcome, channel.Kind));
        if (recorded is not null)
        {
            await _publisher.PublishAsync([new ReplyFailed { WorkspaceId = entry.WorkspaceId, OccurredAt = now, Message = recorded }], ct).ConfigureAwait(false);
        }
    }

    /// <summary>Applies a change to the stored message, retrying on a concurrent update (a status webhook, an edit).</summary>
    private async ValueTask<Message?> UpdateMessageAsync(OutboxEntry entry, Func<Message, Message?> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var session = await _store.BeginAsync(entry.WorkspaceId, ct).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    var current = await session.GetMessageAsync(entry.MessageId, ct).ConfigureAwait(false);
                    var updated = current is null ? null : change(current);
                    if (current is null || updated is null)
                    {
                        return null;
                    }

                    updated = updated with { Version = current.Version + 1 };
                    await session.UpdateMessageAsync(updated, ct).ConfigureAwait(false);
                    await session.CommitAsync(ct).ConfigureAwait(false);
                    return updated;
                }
            }
            catch (ConcurrencyConflictException) when (attempt < 8)
            {
                _instrumentation.ConflictRetries.Add(1);
            }
        }
    }

    private static TagList Tags(string outcome, ChannelKind kind) => new()
    {
        { "socialcare.outcome", outcome },
        { "socialcare.channel.kind", kind.Name },
    };
}
