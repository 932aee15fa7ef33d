namespace SocialCare.AspNetCore;

/// <summary>A channel adapter of kind "test" whose verdict each test sets; it records the requests it was given.</summary>
internal sealed class TestChannelAdapter : IChannelAdapter
{
    public static readonly ChannelKind TestKind = new("test");

    private readonly List<WebhookRequest> _requests = [];

    public ChannelKind Kind => TestKind;

    public ChannelCapabilities Capabilities { get; } = new() { MaxTextLength = 1000 };

    /// <summary>What the adapter answers; by default an empty event list.</summary>
    public Func<WebhookRequest, WebhookResult> Verdict { get; set; } = _ => WebhookResult.Events([]);

    public IReadOnlyList<WebhookRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        return ValueTask.FromResult(Verdict(request));
    }

    public ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The test adapter does not send.");
}
