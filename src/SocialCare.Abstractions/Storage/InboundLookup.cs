namespace SocialCare.Storage;

/// <summary>
/// The rows ingesting one inbound event starts by reading, named together so a storage provider can load them in one
/// round trip (see <see cref="ICareSession.PrefetchAsync"/>): the customer's contact by handle, the message a platform
/// id names, and the customer's latest conversation on the channel account.
/// </summary>
public readonly record struct InboundLookup
{
    /// <summary>The channel account the event arrived on.</summary>
    public required ChannelAccount Channel { get; init; }

    /// <summary>The customer's handle: its contact is looked up.</summary>
    public required ContactHandle Customer { get; init; }

    /// <summary>The platform message id to look up on <see cref="Channel"/>; null for none.</summary>
    public string? PlatformMessageId { get; init; }

    /// <summary>The visibility of the customer's latest conversation on <see cref="Channel"/> to look up; null for none.</summary>
    public ConversationVisibility? Visibility { get; init; }
}
