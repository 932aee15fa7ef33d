using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Ingestion;

namespace SocialCare.Diagnostics;

/// <summary>The SocialCare meter and activity source, observed the way a host's telemetry would.</summary>
public sealed class SocialCareMetricsTests
{
    [Fact]
    public async Task IngestAsync_EachOutcome_CountsOneEventTaggedWithOutcomeTypeAndChannel()
    {
        await using var host = CareHost.Create();
        using var events = Collector<long>(host, SocialCareDiagnostics.IngestedEvents);

        await host.IngestAsync(host.Message("wamid.1"));
        await host.IngestAsync(host.Message("wamid.1"));
        await host.IngestAsync(host.Message("mid.1", customer: "psid", channel: CareHost.Messenger));
        await host.IngestAsync(host.Status("wamid.unknown", DeliveryStatus.Read));

        var measurements = events.GetMeasurementSnapshot();
        Assert.Equal(4, measurements.Count);
        Assert.All(measurements, m => Assert.Equal(1, m.Value));
        Assert.Equal(
            ["accepted/InboundMessage/whatsapp", "duplicate/InboundMessage/whatsapp", "accepted/InboundMessage/messenger", "unmatched/InboundStatus/whatsapp"],
            measurements.Select(m => $"{m.Tags["socialcare.outcome"]}/{m.Tags["socialcare.event.type"]}/{m.Tags["socialcare.channel.kind"]}"));
        Assert.Equal(2, measurements.ContainsTags(new KeyValuePair<string, object?>("socialcare.outcome", "accepted")).Count());
    }

    [Fact]
    public async Task IngestAsync_InvalidEvent_CountsRejectedNotIngested()
    {
        await using var host = CareHost.Create();
        using var rejected = Collector<long>(host, SocialCareDiagnostics.RejectedEvents);
        using var ingested = Collector<long>(host, SocialCareDiagnostics.IngestedEvents);

        await Assert.ThrowsAsync<InvalidInboundEventException>(async () => await host.IngestAsync(host.Status(null, DeliveryStatus.Read)));

        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("InboundStatus", measurement.Tags["socialcare.event.type"]);
        Assert.Empty(ingested.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task IngestAsync_Duration_IsRecordedInSecondsFromTheEnginesClock()
    {
        await using var host = CareHost.Create(care => care.Use<SlowStep>());
        using var duration = Collector<double>(host, SocialCareDiagnostics.IngestDuration);

        await host.IngestAsync(host.Message("wamid.1"));

        var measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(0.25, measurement.Value, precision: 6);
        Assert.Equal("accepted", measurement.Tags["socialcare.outcome"]);
    }

    [Fact]
    public async Task IngestAsync_StartsIngestActivityTaggedWithWorkspaceChannelAndOutcome()
    {
        await using var host = CareHost.Create();
        using var testSource = new ActivitySource("SocialCare.Tests." + nameof(IngestAsync_StartsIngestActivityTaggedWithWorkspaceChannelAndOutcome));
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SocialCareDiagnostics.ActivitySourceName || s.Name == testSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId trace;
        using (var parent = testSource.StartActivity("test"))
        {
            trace = parent!.TraceId;
            await host.IngestAsync(host.Message("wamid.1"));
        }

        Activity ingest;
        lock (stopped)
        {
            ingest = Assert.Single(stopped, a => a.TraceId == trace && a.Source.Name == SocialCareDiagnostics.ActivitySourceName);
        }

        Assert.Equal("socialcare.ingest", ingest.OperationName);
        Assert.Equal("acme", ingest.GetTagItem("socialcare.workspace"));
        Assert.Equal("whatsapp", ingest.GetTagItem("socialcare.channel.kind"));
        Assert.Equal("accepted", ingest.GetTagItem("socialcare.outcome"));
    }

    [Fact]
    public async Task Logs_AboveDebug_NeverCarryMessageText()
    {
        const string secret = "my card number is 4111 1111 1111 1111";
        await using var host = CareHost.Create(
            care => care.AddEventHandler<MessageReceived, Events.CareEventPublisherTests.ThrowingHandler>(),
            services => services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false).AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)));
        var logs = host.Services.GetRequiredService<FakeLogCollector>();

        await host.IngestAsync(host.Message("wamid.1", text: secret));
        await host.IngestAsync(host.Message("wamid.1", text: secret));
        await Assert.ThrowsAsync<InvalidInboundEventException>(async () => await host.IngestAsync(host.Message("", text: secret)));

        var records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Warning); // the rejection
        Assert.Contains(records, r => r.Level == LogLevel.Error); // the handler failure
        Assert.All(records.Where(r => r.Level > LogLevel.Debug), r => Assert.DoesNotContain("4111", r.Message, StringComparison.Ordinal));
        var sensitive = Assert.Single(records, r => r.Message.Contains("4111", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Trace, sensitive.Level);
        Assert.StartsWith("Sensitive", sensitive.Message, StringComparison.Ordinal);
    }

    private static MetricCollector<T> Collector<T>(CareHost host, string instrument)
        where T : struct =>
        new(host.Services.GetRequiredService<IMeterFactory>(), SocialCareDiagnostics.MeterName, instrument);

    /// <summary>A host step that takes a quarter of a second of the engine's (fake) clock.</summary>
    public sealed class SlowStep(TimeProvider time) : IIngestStep
    {
        public async ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            ((FakeTimeProvider)time).Advance(TimeSpan.FromMilliseconds(250));
            await next(context, cancellationToken);
        }
    }
}
