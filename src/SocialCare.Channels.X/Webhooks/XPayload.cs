using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialCare.Channels.X.Webhooks;

// The Account Activity API shapes SocialCare reads (snake_case on the wire, v1.1 objects). Everything is optional here;
// the parser decides what is required and says what was missing.
#pragma warning disable CA1812 // Instantiated by the source-generated serializer.
#pragma warning disable CA2227 // Collection setters are how the source-generated serializer fills them.

internal sealed class XWebhookPayload
{
    public string? ForUserId { get; set; }

    /// <summary>Documented as the string "true"/"false"; accepted as a string or a boolean, not interpreted.</summary>
    public JsonElement? UserHasBlocked { get; set; }

    public List<XDirectMessageEvent>? DirectMessageEvents { get; set; }
    public List<XMarkReadEvent>? DirectMessageMarkReadEvents { get; set; }
    public List<JsonElement>? DirectMessageIndicateTypingEvents { get; set; }
    public List<XTweet>? TweetCreateEvents { get; set; }
    public List<XTweetDelete>? TweetDeleteEvents { get; set; }
    public XUserEvent? UserEvent { get; set; }
    public Dictionary<string, XUser>? Users { get; set; }

    /// <summary>Apps by id; X's documentation example also nests user objects here (see the parser).</summary>
    public Dictionary<string, JsonElement>? Apps { get; set; }

    /// <summary>Top-level keys the adapter does not know; any makes the payload unparseable.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

internal sealed class XDirectMessageEvent
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? CreatedTimestamp { get; set; }
    public XMessageCreate? MessageCreate { get; set; }
}

internal sealed class XMessageCreate
{
    public XTarget? Target { get; set; }
    public string? SenderId { get; set; }
    public string? SourceAppId { get; set; }
    public XMessageData? MessageData { get; set; }
}

internal sealed class XTarget
{
    public string? RecipientId { get; set; }
}

internal sealed class XMessageData
{
    public string? Text { get; set; }
    public XEntities? Entities { get; set; }
    public XAttachment? Attachment { get; set; }
    public XQuickReplyResponse? QuickReplyResponse { get; set; }
}

internal sealed class XAttachment
{
    public string? Type { get; set; }
    public XMedia? Media { get; set; }
}

internal sealed class XQuickReplyResponse
{
    public string? Type { get; set; }
    public string? Metadata { get; set; }
}

internal sealed class XEntities
{
    public List<XUrlEntity>? Urls { get; set; }
    public List<XMedia>? Media { get; set; }
}

internal sealed class XUrlEntity
{
    public string? Url { get; set; }
    public string? ExpandedUrl { get; set; }
}

internal sealed class XMedia
{
    public string? IdStr { get; set; }
    public string? Type { get; set; }
    public string? MediaUrlHttps { get; set; }

    /// <summary>The t.co link X appends to the text for this media.</summary>
    public string? Url { get; set; }

    public XVideoInfo? VideoInfo { get; set; }
}

internal sealed class XVideoInfo
{
    public List<XVideoVariant>? Variants { get; set; }
}

internal sealed class XVideoVariant
{
    public long? Bitrate { get; set; }
    public string? ContentType { get; set; }
    public string? Url { get; set; }
}

internal sealed class XMarkReadEvent
{
    public string? CreatedTimestamp { get; set; }
    public string? SenderId { get; set; }
    public XTarget? Target { get; set; }
    public string? LastReadEventId { get; set; }
}

internal sealed class XTweet
{
    public string? CreatedAt { get; set; }
    public string? TimestampMs { get; set; }
    public string? IdStr { get; set; }
    public string? Text { get; set; }
    public string? FullText { get; set; }
    public XExtendedTweet? ExtendedTweet { get; set; }
    public XUser? User { get; set; }
    public string? InReplyToStatusIdStr { get; set; }
    public string? InReplyToUserIdStr { get; set; }
    public JsonElement? RetweetedStatus { get; set; }
    public XEntities? Entities { get; set; }
    public XEntities? ExtendedEntities { get; set; }
}

internal sealed class XExtendedTweet
{
    public string? FullText { get; set; }
    public XEntities? Entities { get; set; }
    public XEntities? ExtendedEntities { get; set; }
}

internal sealed class XUser
{
    /// <summary>A string in Account Activity user maps, a number in v1.1 Tweet objects.</summary>
    public JsonElement? Id { get; set; }

    public string? IdStr { get; set; }
    public string? Name { get; set; }
    public string? ScreenName { get; set; }
    public long? FollowersCount { get; set; }
    public bool? Verified { get; set; }
    public string? ProfileImageUrlHttps { get; set; }

    public string? IdText() =>
        !string.IsNullOrEmpty(IdStr) ? IdStr
        : Id is { ValueKind: JsonValueKind.String } s ? s.GetString()
        : Id is { ValueKind: JsonValueKind.Number } n ? n.GetRawText()
        : null;
}

internal sealed class XTweetDelete
{
    public XDeletedStatus? Status { get; set; }
    public string? TimestampMs { get; set; }
}

internal sealed class XDeletedStatus
{
    public string? Id { get; set; }
    public string? UserId { get; set; }
}

internal sealed class XUserEvent
{
    public XRevoke? Revoke { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

internal sealed class XRevoke
{
    public string? DateTime { get; set; }
    public XRevokeTarget? Target { get; set; }
    public XRevokeSource? Source { get; set; }
}

internal sealed class XRevokeTarget
{
    public string? AppId { get; set; }
}

internal sealed class XRevokeSource
{
    public string? UserId { get; set; }
}

// Sending (X API v2).

internal sealed class DirectMessageRequest
{
    public required string Text { get; set; }
}

internal sealed class TweetRequest
{
    public required string Text { get; set; }
    public TweetReply? Reply { get; set; }
}

internal sealed class TweetReply
{
    public required string InReplyToTweetId { get; set; }
}

internal sealed class SendResponse
{
    public SendResponseData? Data { get; set; }
}

internal sealed class SendResponseData
{
    /// <summary>The Post id (POST /2/tweets).</summary>
    public string? Id { get; set; }

    /// <summary>The direct message event id (POST /2/dm_conversations/with/{id}/messages).</summary>
    public string? DmEventId { get; set; }

    public string? DmConversationId { get; set; }
}

/// <summary>A v2 problem (<c>title</c>, <c>detail</c>, <c>type</c>, <c>status</c>) and/or v1.1-style <c>errors[]</c>.</summary>
internal sealed class XErrorResponse
{
    public string? Title { get; set; }
    public string? Detail { get; set; }
    public string? Type { get; set; }
    public int? Status { get; set; }
    public List<XError>? Errors { get; set; }
}

internal sealed class XError
{
    public long? Code { get; set; }
    public string? Message { get; set; }
    public string? Title { get; set; }
    public string? Detail { get; set; }
}

#pragma warning restore CA2227
#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(XWebhookPayload))]
[JsonSerializable(typeof(XUser))]
[JsonSerializable(typeof(DirectMessageRequest))]
[JsonSerializable(typeof(TweetRequest))]
[JsonSerializable(typeof(SendResponse))]
[JsonSerializable(typeof(XErrorResponse))]
internal sealed partial class XJsonContext : JsonSerializerContext;
