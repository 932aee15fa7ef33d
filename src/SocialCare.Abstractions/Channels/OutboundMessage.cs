namespace SocialCare.Channels;

/// <summary>One message to send to a customer through a channel adapter.</summary>
public sealed record OutboundMessage
{
    /// <summary>The workspace the message belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The brand's account to send from.</summary>
    public required ChannelAccount Channel { get; init; }

    /// <summary>The customer to send to.</summary>
    public required ContactHandle Recipient { get; init; }

    /// <summary>
    /// The stored message's id. It is the idempotency key of the send: a retry of the same message carries the same
    /// id, and adapters pass it to platforms that deduplicate.
    /// </summary>
    public required MessageId MessageId { get; init; }

    /// <summary>The text; null for attachments only or a template.</summary>
    public string? Text { get; init; }

    /// <summary>Media, files and locations to send.</summary>
    public IReadOnlyList<Attachment> Attachments { get; init; } = [];

    /// <summary>The platform id of the customer's message this one answers or quotes, if any.</summary>
    public string? ReplyToPlatformMessageId { get; init; }

    /// <summary>A pre-approved template to send instead of free text (outside a customer-service window).</summary>
    public MessageTemplate? Template { get; init; }

    /// <summary>
    /// Whether the reply belongs to a public conversation (a mention or comment, answered in public) or a private one
    /// (a direct message). Default <see cref="ConversationVisibility.Private"/>.
    /// </summary>
    public ConversationVisibility Visibility { get; init; } = ConversationVisibility.Private;

    /// <summary>
    /// When the customer last wrote in this conversation (the platform timestamp of their latest inbound message),
    /// or null when they never did. Adapters whose platform has a customer-service window
    /// (<see cref="ChannelCapabilities.CustomerServiceWindow"/>) refuse a free-form reply outside it.
    /// </summary>
    public DateTimeOffset? LastCustomerMessageAt { get; init; }
}

/// <summary>A platform-approved message template and the values for its placeholders.</summary>
/// <param name="Name">The template's name as registered with the platform.</param>
/// <param name="Language">The template's language code, for example <c>en_US</c>.</param>
/// <param name="Parameters">The placeholder values, in order.</param>
public sealed record MessageTemplate(string Name, string Language, IReadOnlyList<string> Parameters);
