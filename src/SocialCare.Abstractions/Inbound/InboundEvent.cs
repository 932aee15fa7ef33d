namespace SocialCare;

/// <summary>
/// A normalized event a channel adapter produces from a platform's webhook: a message, a delivery status, a
/// reaction, an edit, a deletion or a consent change. The engine ingests these in order per customer.
/// </summary>
public abstract record InboundEvent
{
    /// <summary>The workspace the channel account belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The brand's account the event arrived on.</summary>
    public required ChannelAccount Channel { get; init; }

    /// <summary>The customer the event is about: the sender of a message, the recipient of a status, the reactor.</summary>
    public required ContactHandle Customer { get; init; }

    /// <summary>When the platform says the event happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A message from the customer, or an echo of a message the brand sent through the platform.</summary>
public sealed record InboundMessage : InboundEvent
{
    /// <summary>The platform's id of the message; unique per channel account. Redeliveries carry the same id.</summary>
    public required string PlatformMessageId { get; init; }

    /// <summary>The text or caption; null for media only.</summary>
    public string? Text { get; init; }

    /// <summary>Media, files and locations.</summary>
    public IReadOnlyList<Attachment> Attachments { get; init; } = [];

    /// <summary>The platform id of the message this one replies to or quotes.</summary>
    public string? ReplyToPlatformMessageId { get; init; }

    /// <summary>For a button, quick reply or postback: the payload the brand attached to it.</summary>
    public string? Payload { get; init; }

    /// <summary>A public mention or comment, or a private message. Each visibility threads separately.</summary>
    public ConversationVisibility Visibility { get; init; } = ConversationVisibility.Private;

    /// <summary>
    /// True when the platform echoes a message the brand's account sent (from SocialCare or from the platform's own
    /// app). An echo of a reply SocialCare already stored is absorbed; others are stored as outbound.
    /// </summary>
    public bool IsEcho { get; init; }

    /// <summary>What the platform sent about the customer along with the message, if anything.</summary>
    public ContactProfile? Profile { get; init; }
}

/// <summary>A delivery status for a message the brand sent: sent, delivered, read or failed.</summary>
public sealed record InboundStatus : InboundEvent
{
    /// <summary>The platform id of the outbound message; null when the platform reports a <see cref="Watermark"/> instead.</summary>
    public string? PlatformMessageId { get; init; }

    /// <summary>The new status (never <see cref="DeliveryStatus.Queued"/>).</summary>
    public required DeliveryStatus Status { get; init; }

    /// <summary>
    /// For platforms that report "everything up to this time" (Messenger deliveries and reads): every outbound
    /// message of the customer's conversation sent at or before this time moves to <see cref="Status"/>.
    /// </summary>
    public DateTimeOffset? Watermark { get; init; }

    /// <summary>For a failure: the platform's error code.</summary>
    public string? FailureCode { get; init; }

    /// <summary>For a failure: a readable reason.</summary>
    public string? FailureReason { get; init; }

    /// <summary>
    /// SocialCare's own id of the outbound message, when the platform hands back what the adapter attached to the send
    /// (WhatsApp's <c>biz_opaque_callback_data</c>). A status that arrives before the sender recorded the platform id
    /// still finds its message by it, and records that id.
    /// </summary>
    public MessageId? OutboundMessageId { get; init; }
}

/// <summary>The customer reacted to a message, or took a reaction back.</summary>
public sealed record InboundReaction : InboundEvent
{
    /// <summary>The platform id of the message reacted to.</summary>
    public required string TargetPlatformMessageId { get; init; }

    /// <summary>The emoji; null when the customer removed their reaction.</summary>
    public string? Emoji { get; init; }
}

/// <summary>The customer edited a message.</summary>
public sealed record InboundEdit : InboundEvent
{
    /// <summary>The platform id of the edited message.</summary>
    public required string PlatformMessageId { get; init; }

    /// <summary>The new text.</summary>
    public string? Text { get; init; }
}

/// <summary>The customer deleted a message.</summary>
public sealed record InboundDeletion : InboundEvent
{
    /// <summary>The platform id of the deleted message.</summary>
    public required string PlatformMessageId { get; init; }
}

/// <summary>The customer opted in or out, blocked or unblocked the brand, or revoked its app.</summary>
public sealed record InboundConsent : InboundEvent
{
    /// <summary>The new consent.</summary>
    public required ContactConsent Consent { get; init; }
}

/// <summary>What became of one ingested event.</summary>
/// <param name="Outcome">Stored, absorbed as a duplicate, or matched nothing stored.</param>
/// <param name="ConversationId">The conversation the event touched, if any.</param>
/// <param name="MessageId">The message the event created or changed, if any.</param>
public readonly record struct IngestResult(IngestOutcome Outcome, ConversationId? ConversationId = null, MessageId? MessageId = null);

/// <summary>What became of one ingested event.</summary>
public enum IngestOutcome
{
    /// <summary>The event was applied and committed.</summary>
    Accepted = 0,

    /// <summary>The same event was already applied (a platform redelivery); nothing changed.</summary>
    Duplicate = 1,

    /// <summary>The event refers to a message SocialCare never stored (a status for a message sent elsewhere); nothing changed.</summary>
    Unmatched = 2,
}
