using SocialCare.Channels;

namespace SocialCare;

/// <summary>One message of a conversation: from the customer, to the customer, or an internal note.</summary>
public sealed record Message
{
    /// <summary>The message's id.</summary>
    public required MessageId Id { get; init; }

    /// <summary>The workspace the message belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The conversation the message belongs to.</summary>
    public required ConversationId ConversationId { get; init; }

    /// <summary>The position of the message in its conversation: 1, 2, 3, … in the order it was stored.</summary>
    public long Sequence { get; init; }

    /// <summary>The brand's account the message went through.</summary>
    public required ChannelAccount Channel { get; init; }

    /// <summary>Inbound, outbound or internal note.</summary>
    public required MessageDirection Direction { get; init; }

    /// <summary>Who wrote the message.</summary>
    public required MessageAuthor Author { get; init; }

    /// <summary>The platform's id of the message; unique per channel account. Null for notes and replies not yet sent.</summary>
    public string? PlatformMessageId { get; init; }

    /// <summary>The text; null for a message that only carries attachments, or one deleted by its author.</summary>
    public string? Text { get; init; }

    /// <summary>Media, files and locations.</summary>
    public IReadOnlyList<Attachment> Attachments { get; init; } = [];

    /// <summary>The platform id of the message this one replies to or quotes, if any.</summary>
    public string? ReplyToPlatformMessageId { get; init; }

    /// <summary>For a button, quick reply or postback: the payload the brand attached to it.</summary>
    public string? Payload { get; init; }

    /// <summary>
    /// For an outbound message sent as a platform-approved template (WhatsApp outside its customer-service window):
    /// the template and its values. Null for free-form messages.
    /// </summary>
    public MessageTemplate? Template { get; init; }

    /// <summary>When the platform says the message was sent.</summary>
    public DateTimeOffset SentAt { get; init; }

    /// <summary>When SocialCare stored the message.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>For outbound messages, how far delivery got; null for inbound messages and notes.</summary>
    public DeliveryState? Delivery { get; init; }

    /// <summary>Reactions to this message, one per author: a new reaction replaces the author's previous one.</summary>
    public IReadOnlyList<Reaction> Reactions { get; init; } = [];

    /// <summary>When the author last edited the message, if ever.</summary>
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>When the author deleted the message, if ever; the text and attachments are then cleared.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>The optimistic concurrency version: 1 when inserted, one more on every update.</summary>
    public long Version { get; init; } = 1;
}

/// <summary>Which way a message went.</summary>
public enum MessageDirection
{
    /// <summary>From the customer.</summary>
    Inbound = 0,

    /// <summary>To the customer.</summary>
    Outbound = 1,

    /// <summary>An internal note; never sent.</summary>
    Note = 2,
}

/// <summary>Who wrote a message.</summary>
/// <param name="Kind">Contact, agent, bot or system.</param>
/// <param name="Id">The contact id or agent id as text; null when not known (a reply sent from the platform's own app).</param>
/// <param name="DisplayName">A name to show, when known.</param>
public sealed record MessageAuthor(AuthorKind Kind, string? Id = null, string? DisplayName = null)
{
    /// <summary>The system itself (automatic messages).</summary>
    public static MessageAuthor System { get; } = new(AuthorKind.System);

    /// <summary>An author for an agent.</summary>
    /// <param name="agent">The agent.</param>
    /// <returns>The author.</returns>
    public static MessageAuthor ForAgent(AgentId agent) => new(AuthorKind.Agent, agent.Value);

    /// <summary>An author for a contact.</summary>
    /// <param name="contact">The contact.</param>
    /// <returns>The author.</returns>
    public static MessageAuthor ForContact(ContactId contact) => new(AuthorKind.Contact, contact.ToString());
}

/// <summary>What kind of party wrote a message.</summary>
public enum AuthorKind
{
    /// <summary>The customer.</summary>
    Contact = 0,

    /// <summary>A person on the care team.</summary>
    Agent = 1,

    /// <summary>An automated responder.</summary>
    Bot = 2,

    /// <summary>SocialCare or the host application itself.</summary>
    System = 3,
}

/// <summary>What an attachment is.</summary>
public enum AttachmentKind
{
    /// <summary>A picture.</summary>
    Image = 0,

    /// <summary>A video.</summary>
    Video = 1,

    /// <summary>An audio file or voice note.</summary>
    Audio = 2,

    /// <summary>Any other file.</summary>
    File = 3,

    /// <summary>A sticker.</summary>
    Sticker = 4,

    /// <summary>A place on a map; <see cref="Attachment.Location"/> holds it.</summary>
    Location = 5,
}

/// <summary>Media, a file or a location attached to a message.</summary>
public sealed record Attachment
{
    /// <summary>What the attachment is.</summary>
    public required AttachmentKind Kind { get; init; }

    /// <summary>
    /// Where to fetch it: an absolute URL, or the platform's media reference as a URI (for example
    /// <c>whatsapp-media:1234</c>). Required for everything but <see cref="AttachmentKind.Location"/>.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>The MIME type, when known.</summary>
    public string? MimeType { get; init; }

    /// <summary>The size in bytes, when known.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>A file name or caption, when known.</summary>
    public string? Name { get; init; }

    /// <summary>For <see cref="AttachmentKind.Location"/>: the place.</summary>
    public GeoLocation? Location { get; init; }
}

/// <summary>A place on a map.</summary>
/// <param name="Latitude">Degrees north, -90 to 90.</param>
/// <param name="Longitude">Degrees east, -180 to 180.</param>
/// <param name="Name">The place's name, if given.</param>
/// <param name="Address">The place's address, if given.</param>
public sealed record GeoLocation(double Latitude, double Longitude, string? Name = null, string? Address = null);

/// <summary>A reaction (an emoji) to a message.</summary>
/// <param name="Author">Who reacted.</param>
/// <param name="Emoji">The emoji.</param>
/// <param name="ReactedAt">When.</param>
public sealed record Reaction(MessageAuthor Author, string Emoji, DateTimeOffset ReactedAt);

/// <summary>How far an outbound message got.</summary>
public enum DeliveryStatus
{
    /// <summary>Stored; waiting to be sent.</summary>
    Queued = 0,

    /// <summary>Accepted by the platform.</summary>
    Sent = 1,

    /// <summary>Delivered to the customer's device.</summary>
    Delivered = 2,

    /// <summary>Read by the customer.</summary>
    Read = 3,

    /// <summary>Could not be delivered; see <see cref="DeliveryState.FailureReason"/>.</summary>
    Failed = 4,
}

/// <summary>The delivery state of an outbound message.</summary>
/// <param name="Status">How far it got.</param>
/// <param name="UpdatedAt">When the state last changed.</param>
/// <param name="FailureCode">For <see cref="DeliveryStatus.Failed"/>: the platform's error code, when given.</param>
/// <param name="FailureReason">For <see cref="DeliveryStatus.Failed"/>: a readable reason.</param>
public sealed record DeliveryState(
    DeliveryStatus Status,
    DateTimeOffset UpdatedAt,
    string? FailureCode = null,
    string? FailureReason = null);
