namespace SocialCare.Channels;

/// <summary>What a platform allows a brand to send and when.</summary>
public sealed record ChannelCapabilities
{
    /// <summary>The longest text one message may carry, in UTF-16 characters.</summary>
    public required int MaxTextLength { get; init; }

    /// <summary>The attachment kinds the adapter can send.</summary>
    public IReadOnlyList<AttachmentKind> SupportedAttachments { get; init; } = [];

    /// <summary>Whether the platform has public conversations (mentions, comments) the brand can answer.</summary>
    public bool SupportsPublic { get; init; }

    /// <summary>Whether the platform has private conversations (direct messages).</summary>
    public bool SupportsPrivate { get; init; } = true;

    /// <summary>
    /// How long after the customer's last message the brand may send a free-form reply (WhatsApp: 24 hours); after
    /// that only a template may be sent. Null when the platform has no such window.
    /// </summary>
    public TimeSpan? CustomerServiceWindow { get; init; }

    /// <summary>Whether the platform sends pre-approved templates (<see cref="OutboundMessage.Template"/>).</summary>
    public bool SupportsTemplates { get; init; }

    /// <summary>Whether the adapter can send an attachment of the given kind.</summary>
    /// <param name="kind">The attachment kind.</param>
    /// <returns>True when <paramref name="kind"/> is in <see cref="SupportedAttachments"/>.</returns>
    public bool Supports(AttachmentKind kind)
    {
        foreach (var supported in SupportedAttachments)
        {
            if (supported == kind)
            {
                return true;
            }
        }

        return false;
    }
}
