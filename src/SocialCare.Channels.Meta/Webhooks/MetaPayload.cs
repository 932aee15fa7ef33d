using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialCare.Channels.Meta.Webhooks;

// The Messenger Platform / Instagram messaging webhook shapes SocialCare reads (snake_case on the wire). Everything is
// optional here; the parser decides what is required and says what was missing. Keys nobody declared are kept in
// Unknown, so an event of a kind the adapter does not know is reported by name instead of being dropped.
#pragma warning disable CA1812 // Instantiated by the source-generated serializer.
#pragma warning disable CA2227 // Settable collections: populated by the serializer.

internal sealed class WebhookPayload
{
    public string? Object { get; set; }
    public List<WebhookEntry?>? Entry { get; set; }
}

internal sealed class WebhookEntry
{
    public string? Id { get; set; }
    public long? Time { get; set; }
    public List<MessagingEvent?>? Messaging { get; set; }
    public List<MessagingEvent?>? Standby { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

internal sealed class MessagingEvent
{
    public Party? Sender { get; set; }
    public Party? Recipient { get; set; }
    public long? Timestamp { get; set; }
    public MetaMessage? Message { get; set; }
    public MetaDelivery? Delivery { get; set; }
    public MetaRead? Read { get; set; }
    public MetaPostback? Postback { get; set; }
    public MetaReferral? Referral { get; set; }
    public MetaOptin? Optin { get; set; }
    public MetaReaction? Reaction { get; set; }
    public MetaMessageEdit? MessageEdit { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

internal sealed class Party
{
    public string? Id { get; set; }
    public string? UserRef { get; set; }
}

internal sealed class MetaMessage
{
    public string? Mid { get; set; }
    public string? Text { get; set; }
    public bool? IsEcho { get; set; }
    public bool? IsDeleted { get; set; }
    public bool? IsUnsupported { get; set; }

    /// <summary>The app that sent an echo; a JSON number on the wire.</summary>
    public long? AppId { get; set; }

    public string? Metadata { get; set; }
    public MetaQuickReply? QuickReply { get; set; }
    public MetaReplyTo? ReplyTo { get; set; }
    public List<MetaAttachment?>? Attachments { get; set; }
}

internal sealed class MetaQuickReply
{
    public string? Payload { get; set; }
}

internal sealed class MetaReplyTo
{
    public string? Mid { get; set; }
}

internal sealed class MetaAttachment
{
    public string? Type { get; set; }
    public string? Title { get; set; }
    public MetaAttachmentPayload? Payload { get; set; }
}

internal sealed class MetaAttachmentPayload
{
    public string? Url { get; set; }
    public string? Title { get; set; }
    public long? StickerId { get; set; }
    public MetaCoordinates? Coordinates { get; set; }
}

internal sealed class MetaCoordinates
{
    public double? Lat { get; set; }
    public double? Long { get; set; }
}

internal sealed class MetaDelivery
{
    public List<string?>? Mids { get; set; }
    public long? Watermark { get; set; }
}

internal sealed class MetaRead
{
    public long? Watermark { get; set; }

    /// <summary>Instagram reports the read message's id instead of a watermark.</summary>
    public string? Mid { get; set; }
}

internal sealed class MetaPostback
{
    public string? Mid { get; set; }
    public string? Title { get; set; }
    public string? Payload { get; set; }
}

internal sealed class MetaReferral
{
    public string? Ref { get; set; }
    public string? Source { get; set; }
    public string? Type { get; set; }
    public string? AdId { get; set; }
}

internal sealed class MetaOptin
{
    public string? Ref { get; set; }
    public string? UserRef { get; set; }
    public string? Type { get; set; }
    public string? NotificationMessagesStatus { get; set; }
}

internal sealed class MetaReaction
{
    public string? Mid { get; set; }
    public string? Action { get; set; }
    public string? Emoji { get; set; }
    public string? Reaction { get; set; }
}

internal sealed class MetaMessageEdit
{
    public string? Mid { get; set; }
    public string? Text { get; set; }
}

// Graph API Send API request and response.

internal sealed class SendRequest
{
    public required SendRecipient Recipient { get; set; }
    public required string MessagingType { get; set; }
    public string? Tag { get; set; }
    public required SendMessage Message { get; set; }
}

internal sealed class SendRecipient
{
    public required string Id { get; set; }
}

internal sealed class SendMessage
{
    public string? Text { get; set; }
    public SendAttachment? Attachment { get; set; }
}

internal sealed class SendAttachment
{
    public required string Type { get; set; }
    public required SendAttachmentPayload Payload { get; set; }
}

internal sealed class SendAttachmentPayload
{
    public required string Url { get; set; }
    public bool IsReusable { get; set; }
}

internal sealed class SendResponse
{
    public string? RecipientId { get; set; }
    public string? MessageId { get; set; }
}

#pragma warning restore CA2227
#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookPayload))]
[JsonSerializable(typeof(MessagingEvent))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(SendResponse))]
internal sealed partial class MetaJsonContext : JsonSerializerContext;
