using System.Diagnostics;
using System.Diagnostics.Metrics;
using SocialCare.Diagnostics;

namespace SocialCare.AspNetCore;

/// <summary>
/// The telemetry of the webhook endpoints, reported on the <c>SocialCare</c> meter and activity source
/// (<see cref="SocialCareDiagnostics.MeterName"/>).
/// </summary>
public static class SocialCareWebhookDiagnostics
{
    /// <summary>
    /// Counter of webhook requests, tagged <c>socialcare.channel.kind</c> and <c>socialcare.outcome</c>
    /// (<c>accepted</c>, <c>handshake</c>, <c>rejected</c>, <c>unparseable</c>, <c>invalid</c>, <c>too_large</c>,
    /// <c>failed</c>, <c>aborted</c>, <c>unknown_channel</c>).
    /// </summary>
    public const string WebhooksReceived = "socialcare.webhooks.received";

    /// <summary>The name of the activity each webhook request runs in.</summary>
    public const string WebhookActivityName = "socialcare.webhook";
}

internal static class WebhookOutcome
{
    public const string Accepted = "accepted";
    public const string Handshake = "handshake";
    public const string Rejected = "rejected";
    public const string Unparseable = "unparseable";
    public const string Invalid = "invalid";
    public const string TooLarge = "too_large";
    public const string Failed = "failed";
    public const string Aborted = "aborted";
    public const string UnknownChannel = "unknown_channel";
    public const string AdapterFailed = "adapter_failed";
}

/// <summary>The webhook instruments, on the engine's meter name.</summary>
internal sealed class WebhookInstrumentation
{
    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(SocialCareDiagnostics.MeterName));

    private readonly Counter<long> _received;

    public WebhookInstrumentation(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(SocialCareDiagnostics.MeterName) ?? SharedMeter.Value;
        _received = meter.CreateCounter<long>(SocialCareWebhookDiagnostics.WebhooksReceived, "{request}", "Webhook requests received, by channel and outcome.");
    }

    public static ActivitySource ActivitySource { get; } = new(SocialCareDiagnostics.ActivitySourceName);

    public void Received(string channel, string outcome, Activity? activity)
    {
        _received.Add(1, new("socialcare.channel.kind", channel), new("socialcare.outcome", outcome));
        activity?.SetTag("socialcare.outcome", outcome);
    }
}
