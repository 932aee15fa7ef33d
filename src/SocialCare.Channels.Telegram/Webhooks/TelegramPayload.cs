using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialCare.Channels.Telegram.Webhooks;

// The Bot API shapes SocialCare reads (snake_case on the wire). Everything is optional here; the parser decides what
// is required and says what was missing. Fields not listed land in Other, so the parser can name what it did not
// understand.
#pragma warning disable CA1812 // Instantiated by the source-generated serializer.
#pragma warning disable CA2227 // Extension data needs a settable dictionary.

internal sealed class TgUpdate
{
    public long? UpdateId { get; set; }
    public TgMessage? Message { get; set; }
    public TgMessage? EditedMessage { get; set; }
    public TgCallbackQuery? CallbackQuery { get; set; }
    public TgMessageReaction? MessageReaction { get; set; }
    public TgChatMemberUpdated? MyChatMember { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

internal sealed class TgUser
{
    public long? Id { get; set; }
    public bool? IsBot { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Username { get; set; }
    public string? LanguageCode { get; set; }
}

internal sealed class TgChat
{
    public long? Id { get; set; }
    public string? Type { get; set; }
    public string? Title { get; set; }
    public string? Username { get; set; }
}

internal sealed class TgMessage
{
    public long? MessageId { get; set; }
    public TgUser? From { get; set; }
    public TgChat? SenderChat { get; set; }
    public TgChat? Chat { get; set; }
    public long? Date { get; set; }
    public long? EditDate { get; set; }
    public string? Text { get; set; }
    public List<TgEntity>? Entities { get; set; }
    public string? Caption { get; set; }
    public List<TgEntity>? CaptionEntities { get; set; }
    public List<TgPhotoSize>? Photo { get; set; }
    public TgFile? Audio { get; set; }
    public TgFile? Voice { get; set; }
    public TgFile? Document { get; set; }
    public TgFile? Video { get; set; }
    public TgFile? VideoNote { get; set; }
    public TgFile? Animation { get; set; }
    public TgFile? Sticker { get; set; }
    public TgLocation? Location { get; set; }
    public TgVenue? Venue { get; set; }
    public TgDice? Dice { get; set; }
    public TgMessage? ReplyToMessage { get; set; }
    public long? MessageThreadId { get; set; }
    public TgReplyMarkup? ReplyMarkup { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

internal sealed class TgEntity
{
    public string? Type { get; set; }
    public int? Offset { get; set; }
    public int? Length { get; set; }
}

internal sealed class TgPhotoSize
{
    public string? FileId { get; set; }
    public string? FileUniqueId { get; set; }
    public long? FileSize { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
}

/// <summary>Audio, Voice, Document, Video, VideoNote, Animation and Sticker share these fields.</summary>
internal sealed class TgFile
{
    public string? FileId { get; set; }
    public string? FileUniqueId { get; set; }
    public string? FileName { get; set; }
    public string? MimeType { get; set; }
    public long? FileSize { get; set; }
    public string? Title { get; set; }
    public string? Emoji { get; set; }
}

internal sealed class TgLocation
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
}

internal sealed class TgVenue
{
    public TgLocation? Location { get; set; }
    public string? Title { get; set; }
    public string? Address { get; set; }
}

internal sealed class TgDice
{
    public string? Emoji { get; set; }
    public int? Value { get; set; }
}

internal sealed class TgReplyMarkup
{
    public List<List<TgInlineButton>>? InlineKeyboard { get; set; }
}

internal sealed class TgInlineButton
{
    public string? Text { get; set; }
    public string? CallbackData { get; set; }
}

internal sealed class TgCallbackQuery
{
    public string? Id { get; set; }
    public TgUser? From { get; set; }
    public TgMessage? Message { get; set; }
    public string? InlineMessageId { get; set; }
    public string? ChatInstance { get; set; }
    public string? Data { get; set; }
    public string? GameShortName { get; set; }
}

internal sealed class TgMessageReaction
{
    public TgChat? Chat { get; set; }
    public long? MessageId { get; set; }
    public TgUser? User { get; set; }
    public TgChat? ActorChat { get; set; }
    public long? Date { get; set; }
    public List<TgReactionType>? OldReaction { get; set; }
    public List<TgReactionType>? NewReaction { get; set; }
}

internal sealed class TgReactionType
{
    public string? Type { get; set; }
    public string? Emoji { get; set; }
    public string? CustomEmojiId { get; set; }
}

internal sealed class TgChatMemberUpdated
{
    public TgChat? Chat { get; set; }
    public TgUser? From { get; set; }
    public long? Date { get; set; }
    public TgChatMember? OldChatMember { get; set; }
    public TgChatMember? NewChatMember { get; set; }
}

internal sealed class TgChatMember
{
    public TgUser? User { get; set; }
    public string? Status { get; set; }
}

// Sending.

internal sealed class SendRequest
{
    public long ChatId { get; set; }
    public string? Text { get; set; }
    public string? Photo { get; set; }
    public string? Video { get; set; }
    public string? Audio { get; set; }
    public string? Document { get; set; }
    public string? Sticker { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Caption { get; set; }
    public SendReplyParameters? ReplyParameters { get; set; }
}

internal sealed class SendReplyParameters
{
    public long MessageId { get; set; }
    public bool AllowSendingWithoutReply { get; set; }
}

internal sealed class BotApiResponse
{
    public bool Ok { get; set; }
    public TgMessage? Result { get; set; }
    public int? ErrorCode { get; set; }
    public string? Description { get; set; }
    public BotApiResponseParameters? Parameters { get; set; }
}

internal sealed class BotApiResponseParameters
{
    public int? RetryAfter { get; set; }
    public long? MigrateToChatId { get; set; }
}

// Answering a webhook: the one Bot API call Telegram runs from the webhook's HTTP response.

internal sealed class AnswerCallbackQueryRequest
{
    public string Method { get; set; } = "answerCallbackQuery";
    public string CallbackQueryId { get; set; } = string.Empty;
}

#pragma warning restore CA2227
#pragma warning restore CA1812

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TgUpdate))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(BotApiResponse))]
[JsonSerializable(typeof(AnswerCallbackQueryRequest))]
internal sealed partial class TelegramJsonContext : JsonSerializerContext;
