using System.Text.Json.Serialization;

namespace SocialCare.Channels.Twilio.Sending;

// The Messages API response shapes SocialCare reads (snake_case on the wire). Twilio webhooks are form-encoded, so
// JSON only appears in API responses.
#pragma warning disable CA1812 // Instantiated by the source-generated serializer.

/// <summary>The Message resource returned by a successful create (HTTP 201).</summary>
internal sealed class MessageResource
{
    public string? Sid { get; set; }
    public string? Status { get; set; }
}

/// <summary>The REST API's error JSON: <c>{"code":21211,"message":"…","more_info":"https://…","status":400}</c>.</summary>
internal sealed class TwilioError
{
    public long? Code { get; set; }
    public string? Message { get; set; }
    public string? MoreInfo { get; set; }
    public int? Status { get; set; }
}

#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(MessageResource))]
[JsonSerializable(typeof(TwilioError))]
internal sealed partial class TwilioJsonContext : JsonSerializerContext;
