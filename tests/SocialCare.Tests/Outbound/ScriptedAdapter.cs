using System.Collections.Concurrent;
using SocialCare.Channels;

namespace SocialCare.Outbound;

/// <summary>A channel adapter that records every send and answers with scripted results (default: sent).</summary>
public sealed class ScriptedAdapter(ChannelKind kind) : IChannelAdapter
{
    private readonly ConcurrentQueue<Func<OutboundMessage, SendResult>> _script = new();
    private int _count;

    public ChannelKind Kind { get; } = kind;

    public ChannelCapabilities Capabilities { get; init; } = new() { MaxTextLength = 4096 };

    public ConcurrentQueue<OutboundMessage> Sent { get; } = new();

    /// <summary>Every message <see cref="CheckOutbound"/> was asked about.</summary>
    public ConcurrentQueue<OutboundMessage> Checked { get; } = new();

    /// <summary>What <see cref="CheckOutbound"/> answers (default: nothing refused).</summary>
    public Func<OutboundMessage, SendFailed?>? OnCheck { get; set; }

    public SendFailed? CheckOutbound(OutboundMessage message)
    {
        Checked.Enqueue(message);
        return OnCheck?.Invoke(message);
    }

    /// <summary>Runs on each send, after it is recorded (to simulate what happens next, such as a store failure).</summary>
    public Action? OnSend { get; set; }

    public void Then(SendResult result) => _script.Enqueue(_ => result);

    public void ThenThrow(Exception exception) => _script.Enqueue(_ => throw exception);

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<WebhookResult>(WebhookResult.Unparseable("not used"));

    public ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        Sent.Enqueue(message);
        OnSend?.Invoke();
        var n = Interlocked.Increment(ref _count);
        return ValueTask.FromResult(_script.TryDequeue(out var next) ? next(message) : SendResult.Sent($"platform-{n}"));
    }
}
