using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SocialCare.Diagnostics;

/// <summary>
/// The names under which SocialCare reports telemetry: one <see cref="Meter"/> and one <see cref="ActivitySource"/>,
/// both named <see cref="MeterName"/>, so OpenTelemetry picks them up with <c>AddMeter("SocialCare")</c> and
/// <c>AddSource("SocialCare")</c>. Durations are in seconds.
/// </summary>
public static class SocialCareDiagnostics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SocialCare";

    /// <summary>The activity source's name.</summary>
    public const string ActivitySourceName = "SocialCare";

    /// <summary>Counter of ingested inbound events, tagged <c>socialcare.outcome</c>, <c>socialcare.event.type</c> and <c>socialcare.channel.kind</c>.</summary>
    public const string IngestedEvents = "socialcare.ingest.events";

    /// <summary>Histogram of the time from receiving an inbound event to its commit, in seconds.</summary>
    public const string IngestDuration = "socialcare.ingest.duration";

    /// <summary>Counter of inbound events refused as invalid, tagged <c>socialcare.event.type</c>.</summary>
    public const string RejectedEvents = "socialcare.ingest.rejected";

    /// <summary>Counter of units of work retried after a concurrency conflict.</summary>
    public const string ConflictRetries = "socialcare.store.conflict_retries";

    /// <summary>Counter of care event handlers that threw, tagged <c>socialcare.event.type</c>.</summary>
    public const string HandlerErrors = "socialcare.events.handler_errors";

    /// <summary>
    /// Counter of outbox send attempts, tagged <c>socialcare.outcome</c> (<c>sent</c>, <c>retry</c>, <c>failed</c>,
    /// <c>unknown</c>: the sender stopped mid-call, so it was not resent) and <c>socialcare.channel.kind</c>.
    /// </summary>
    public const string OutboxSends = "socialcare.outbox.sends";

    /// <summary>Histogram of the time from queuing a reply to the platform accepting it, in seconds.</summary>
    public const string OutboxDelay = "socialcare.outbox.delay";
}

/// <summary>The engine's instruments, created once per service provider.</summary>
internal sealed class SocialCareInstrumentation : IDisposable
{
    private readonly Meter? _ownedMeter;

    public SocialCareInstrumentation(IMeterFactory? meterFactory)
    {
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownedMeter = new Meter(SocialCareDiagnostics.MeterName);
        }
        else
        {
            meter = meterFactory.Create(SocialCareDiagnostics.MeterName);
        }

        IngestedEvents = meter.CreateCounter<long>(SocialCareDiagnostics.IngestedEvents, "{event}", "Inbound events ingested, by outcome.");
        IngestDuration = meter.CreateHistogram<double>(SocialCareDiagnostics.IngestDuration, "s", "Time from receiving an inbound event to its commit.");
        RejectedEvents = meter.CreateCounter<long>(SocialCareDiagnostics.RejectedEvents, "{event}", "Inbound events refused as invalid.");
        ConflictRetries = meter.CreateCounter<long>(SocialCareDiagnostics.ConflictRetries, "{retry}", "Units of work retried after a concurrency conflict.");
        HandlerErrors = meter.CreateCounter<long>(SocialCareDiagnostics.HandlerErrors, "{error}", "Care event handlers that threw.");
        OutboxSends = meter.CreateCounter<long>(SocialCareDiagnostics.OutboxSends, "{attempt}", "Outbox send attempts, by outcome.");
        OutboxDelay = meter.CreateHistogram<double>(SocialCareDiagnostics.OutboxDelay, "s", "Time from queuing a reply to the platform accepting it.");
    }

    public static ActivitySource ActivitySource { get; } = new(SocialCareDiagnostics.ActivitySourceName);

    public Counter<long> IngestedEvents { get; }

    public Histogram<double> IngestDuration { get; }

    public Counter<long> RejectedEvents { get; }

    public Counter<long> ConflictRetries { get; }

    public Counter<long> HandlerErrors { get; }

    public Counter<long> OutboxSends { get; }

    public Histogram<double> OutboxDelay { get; }

    public void Dispose() => _ownedMeter?.Dispose();
}
