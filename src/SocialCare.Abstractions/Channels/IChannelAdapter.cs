namespace SocialCare.Channels;

/// <summary>
/// Connects one messaging platform to SocialCare: verifies and parses the platform's webhooks into normalized
/// <see cref="InboundEvent"/>s, and sends replies. Adapters are stateless; one adapter serves every account of its
/// <see cref="Kind"/>, and it finds the account's settings from the request or the message.
/// </summary>
public interface IChannelAdapter
{
    /// <summary>The platform this adapter serves.</summary>
    ChannelKind Kind { get; }

    /// <summary>What the platform allows: text length, attachment kinds, visibilities, reply window, templates.</summary>
    ChannelCapabilities Capabilities { get; }

    /// <summary>
    /// Handles one webhook request: answers a verification handshake, refuses a request whose signature or token is
    /// wrong, or parses the raw body into events. Never throws for bad input: a payload the adapter does not
    /// understand is <see cref="WebhookResult.Unparseable(string)"/>, so the host can keep it as a dead letter.
    /// </summary>
    /// <param name="request">The request as received, with the raw body bytes.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>Events, a handshake answer, a refusal, or an unparseable verdict.</returns>
    ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Sends one outbound message. Platform refusals are returned as <see cref="SendResult.Failed"/>, with
    /// whether a retry can help; only cancellation throws.
    /// </summary>
    /// <param name="message">The message, with the stored message id as its idempotency key.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The platform's id for the sent message, or why it failed.</returns>
    ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <see cref="SendAsync"/> would refuse <paramref name="message"/> now for a reason of its own, without
    /// sending anything or calling the platform: an unregistered account, a text too long as the platform counts it, an
    /// attachment it cannot send, a closed customer-service window. The engine asks before it stores an agent's reply,
    /// so the agent learns at once instead of seeing a queued reply fail. The default says nothing is refused.
    /// </summary>
    /// <param name="message">The message as it would be sent.</param>
    /// <returns>Null when the adapter would send it; otherwise the failure <see cref="SendAsync"/> would return.</returns>
    SendFailed? CheckOutbound(OutboundMessage message) => null;
}
