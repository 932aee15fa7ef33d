using System.Text.Json.Serialization;

namespace SocialCare.Channels.WhatsApp.Webhooks;

// The Cloud API webhook shapes SocialCare reads (snake_case on the wire). Everything is optional here; the parser
// decides what is required and says what was missing.
#pragma warning disable CA1812 // Instantiated by the source-generated serializer.

internal sealed class WebhookPayload
{
    public string? Object { get; set; }
    public List<WebhookEntry>? Entry { get; set; }
}

internal sealed class WebhookEntry
{
    public string? Id { get; set; }
    public List<WebhookChange>? Changes { get; set; }
}

internal sealed class WebhookChange
{
    public string? Field { get; set; }
    public ChangeValue? Value { get; set; }
}

internal sealed class ChangeValue
{
    public string? MessagingProduct { get; set; }
    public ChangeMetadata? Metadata { get; set; }
    public List<WaContact>? Contacts { get; set; }
    public List<WaMessage>? Messages { get; set; }
    public List<WaStatus>? Statuses { get; set; }
    public List<WaError>? Errors { get; set; }
}

internal sealed class ChangeMetadata
{
    public string? DisplayPhoneNumber { get; set; }
    public string? PhoneNumberId { get; set; }
}

internal sealed class WaContact
{
    public WaProfile? Profile { get; set; }
    public string? WaId { get; set; }
}

internal sealed class WaProfile
{
    public string? Name { get; set; }
}

internal sealed class WaMessage
{
    public string? From { get; set; }
    public string? Id { get; set; }
    public string? Timestamp { get; set; }
    public string? Type { get; set; }
    public WaContext? Context { get; set; }
    public WaText? Text { get; set; }
    public WaMedia? Image { get; set; }
    public WaMedia? Video { get; set; }
    public WaMedia? Audio { get; set; }
    public WaMedia? Document { get; set; }
    public WaMedia? Sticker { get; set; }
    public WaLocation? Location { get; set; }
    public WaInteractive? Interactive { get; set; }
    public WaButton? Button { get; set; }
    public WaReaction? Reaction { get; set; }
    public List<WaError>? Errors { get; set; }
}

internal sealed class WaContext
{
    public string? From { get; set; }
    public string? Id { get; set; }
    public bool? Forwarded { get; set; }
}

internal sealed class WaText
{
    public string? Body { get; set; }
}

internal sealed class WaMedia
{
    public string? Id { get; set; }
    public string? MimeType { get; set; }
    public string? Sha256 { get; set; }
    public string? Caption { get; set; }
    public string? Filename { get; set; }
}

internal sealed class WaLocation
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Name { get; set; }
    public string? Address { get; set; }
    public string? Url { get; set; }
}

internal sealed class WaInteractive
{
    public string? Type { get; set; }
    public WaReply? ButtonReply { get; set; }
    public WaReply? ListReply { get; set; }
}

internal sealed class WaReply
{
    public string? Id { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
}

internal sealed class WaButton
{
    public string? Payload { get; set; }
    public string? Text { get; set; }
}

internal sealed class WaReaction
{
    public string? MessageId { get; set; }
    public string? Emoji { get; set; }
}

internal sealed class WaStatus
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    public string? Timestamp { get; set; }
    public string? RecipientId { get; set; }
    public string? BizOpaqueCallbackData { get; set; }
    public List<WaError>? Errors { get; set; }
}

internal sealed class WaError
{
    public long? Code { get; set; }
    public string? Title { get; set; }
    public string? Message { get; set; }
    public WaErrorData? ErrorData { get; set; }
}

internal sealed class WaErrorData
{
    public string? Details { get; set; }
}

// Graph API send request and response.

internal sealed class SendRequest
{
    public string MessagingProduct { get; set; } = "whatsapp";
    public string RecipientType { get; set; } = "individual";
    public required string To { get; set; }
    public required string Type { get; set; }
    public SendContext? Context { get; set; }
    public SendText? Text { get; set; }
    public SendMedia? Image { get; set; }
    public SendMedia? Video { get; set; }
    public SendMedia? Audio { get; set; }
    public SendMedia? Document { get; set; }
    public SendMedia? Sticker { get; set; }
    public SendLocation? Location { get; set; }
    public SendTemplate? Template { get; set; }
    public string? BizOpaqueCallbackData { get; set; }
}

internal sealed class SendContext
{
    public required string MessageId { get; set; }
}

internal sealed class SendText
{
    public required string Body { get; set; }
    public bool PreviewUrl { get; set; }
}

internal sealed class SendMedia
{
    public string? Id { get; set; }
    public string? Link { get; set; }
    public string? Caption { get; set; }
    public string? Filename { get; set; }
}

internal sealed class SendLocation
{
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public string? Name { get; set; }
    public string? Address { get; set; }
}

internal sealed class SendTemplate
{
    public required string Name { get; set; }
    public required SendLanguage Language { get; set; }
    public List<SendComponent>? Components { get; set; }
}

internal sealed class SendLanguage
{
    public required string Code { get; set; }
}

internal sealed class SendComponent
{
    public required string Type { get; set; }
    public required List<SendParameter> Parameters { get; set; }
}

internal sealed class SendParameter
{
    public string Type { get; set; } = "text";
    public required string Text { get; set; }
}

internal sealed class SendResponse
{
    public List<SendResponseMessage>? Messages { get; set; }
}

internal sealed class SendResponseMessage
{
    public string? Id { get; set; }
}

#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookPayload))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(SendResponse))]
internal sealed partial class WhatsAppJsonContext : JsonSerializerContext;
