using System.Globalization;
using System.Text.Json;

namespace SocialCare.Channels.Telegram.Webhooks;

/// <summary>
/// Turns one verified Bot API <c>Update</c> into normalized events, or says what it did not understand.
/// </summary>
/// <remarks>
/// Ids: Telegram numbers a message only within its chat, so a platform message id is <c>"{chat_id}:{message_id}"</c>
/// (chat ids are signed 64-bit, supergroups look like <c>-100…</c>, written exactly in invariant digits). A button press
/// (<c>callback_query</c>) is <c>"callback:{id}"</c>: its id is unique per bot. The customer is the Telegram user
/// (<c>from.id</c>), which for a private chat is also the chat id.
/// </remarks>
internal static class TelegramUpdateParser
{
    /// <summary>The attachment URI scheme for Telegram files: <c>telegram-file:{file_id}</c>.</summary>
    public const string FileScheme = "telegram-file";

    private const string KnownContent = "text, photo, video, animation, video_note, audio, voice, document, sticker, venue, location, dice";

    /// <summary>
    /// Parses the body; the first thing not understood makes it unparseable. With <paramref name="answerCallbackQueries"/>,
    /// a button press carries the webhook answer <c>{"method":"answerCallbackQuery","callback_query_id":…}</c>.
    /// </summary>
    public static WebhookResult Parse(ReadOnlySpan<byte> body, WorkspaceId workspace, ChannelAccount channel, DateTimeOffset receivedAt, bool answerCallbackQueries)
    {
        TgUpdate? update;
        try
        {
            update = JsonSerializer.Deserialize(body, TelegramJsonContext.Default.TgUpdate);
        }
        catch (JsonException ex)
        {
            return WebhookResult.Unparseable($"The body is not valid Telegram Update JSON: {ex.Message}");
        }

        if (update is null)
        {
            return WebhookResult.Unparseable("The body is JSON null, not a Telegram Update.");
        }

        if (update.UpdateId is null)
        {
            return WebhookResult.Unparseable($"The body has no update_id, so it is not a Telegram Update (it has {Fields(update.Other)}).");
        }

        var context = new Context(workspace, channel, receivedAt, update.UpdateId.Value);
        InboundEvent? mapped;
        string? reason;
        WebhookResponse? answer = null;
        if (update.Message is { } message)
        {
            mapped = MapMessage(message, context, out reason);
        }
        else if (update.EditedMessage is { } edited)
        {
            mapped = MapEdit(edited, context, out reason);
        }
        else if (update.CallbackQuery is { } callback)
        {
            // Answered whether the press is stored or dead-lettered (a game button, a button without data): either
            // way it is kept, and an unanswered press leaves the customer's button spinning.
            mapped = MapCallback(callback, context, out reason);
            if (answerCallbackQueries && !string.IsNullOrEmpty(callback.Id))
            {
                answer = AnswerCallbackQuery(callback.Id);
            }
        }
        else if (update.MessageReaction is { } reaction)
        {
            mapped = MapReaction(reaction, context, out reason);
        }
        else if (update.MyChatMember is { } member)
        {
            mapped = MapMyChatMember(member, context, out reason);
        }
        else
        {
            return WebhookResult.Unparseable(
                $"Update {update.UpdateId} carries {Fields(update.Other)}, which the Telegram adapter does not understand " +
                "(it reads message, edited_message, callback_query, message_reaction and my_chat_member).");
        }

        return mapped is null
            ? WebhookResult.Unparseable(reason!) with { Response = answer }
            : WebhookResult.Events([mapped]) with { Response = answer };
    }

    /// <summary>
    /// The webhook answer that stops the client's loading indicator on the pressed button: Telegram runs one Bot API
    /// call given as the webhook's response (and does not report its result).
    /// </summary>
    private static WebhookResponse AnswerCallbackQuery(string callbackQueryId) => new(
        "application/json",
        JsonSerializer.Serialize(new AnswerCallbackQueryRequest { CallbackQueryId = callbackQueryId }, TelegramJsonContext.Default.AnswerCallbackQueryRequest));

    private static InboundMessage? MapMessage(TgMessage m, Context c, out string? reason)
    {
        if (!TryIdentify(m, c, "message", out var id, out var customer, out var occurredAt, out reason))
        {
            return null;
        }

        var text = m.Text ?? m.Caption;
        Attachment? attachment;
        if (m.Photo is { Count: > 0 } sizes)
        {
            var largest = sizes.Where(s => s is not null).MaxBy(s => ((long)(s.Width ?? 0) * (s.Height ?? 0), s.FileSize ?? 0));
            attachment = File(AttachmentKind.Image, largest?.FileId, mimeType: null, largest?.FileSize, name: null);
        }
        else if (m.Video is { } video)
        {
            attachment = File(AttachmentKind.Video, video, video.FileName);
        }
        else if (m.Animation is { } animation)
        {
            // Checked before document: Telegram also fills 'document' for an animation, for old clients.
            attachment = File(AttachmentKind.Video, animation, animation.FileName);
        }
        else if (m.VideoNote is { } note)
        {
            attachment = File(AttachmentKind.Video, note, name: null);
        }
        else if (m.Audio is { } audio)
        {
            attachment = File(AttachmentKind.Audio, audio, audio.FileName ?? audio.Title);
        }
        else if (m.Voice is { } voice)
        {
            attachment = File(AttachmentKind.Audio, voice, name: null);
        }
        else if (m.Document is { } document)
        {
            attachment = File(AttachmentKind.File, document, document.FileName);
        }
        else if (m.Sticker is { } sticker)
        {
            attachment = File(AttachmentKind.Sticker, sticker, name: null);
        }
        else if (m.Venue is { Location: { Latitude: { } vLat, Longitude: { } vLon } } venue)
        {
            attachment = new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(vLat, vLon, venue.Title, venue.Address), Name = venue.Title };
        }
        else if (m.Location is { Latitude: { } lat, Longitude: { } lon })
        {
            attachment = new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(lat, lon) };
        }
        else if (m.Dice is { Emoji: { Length: > 0 } emoji })
        {
            // An animated emoji (🎲, 🎯, 🏀, …) that lands on a random value. The customer sent, and sees, that emoji:
            // it is their message, so it is kept as text rather than dead-lettered; the value is game state with no
            // meaning for care and is not invented into the text.
            attachment = null;
            text = emoji;
        }
        else
        {
            attachment = null;
        }

        if (attachment is { Kind: not AttachmentKind.Location, Url: null })
        {
            reason = $"Telegram message {id} has a media object without a file_id.";
            return null;
        }

        if (attachment is null && string.IsNullOrEmpty(text))
        {
            reason = $"Telegram message {id} has no content the Telegram adapter understands (it reads {KnownContent}); it has {Fields(m.Other)}.";
            return null;
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = c.Workspace,
            Channel = c.Channel,
            Customer = customer,
            OccurredAt = occurredAt,
            PlatformMessageId = id,
            Text = string.IsNullOrEmpty(text) ? null : text,
            Attachments = attachment is null ? [] : [attachment],
            ReplyToPlatformMessageId = m.ReplyToMessage is { MessageId: { } replyTo } reply ? MessageId(reply.Chat?.Id ?? m.Chat!.Id!.Value, replyTo) : null,
            Visibility = VisibilityOf(m.Chat!),
            Profile = Profile(m.From),
        };
    }

    private static InboundEdit? MapEdit(TgMessage m, Context c, out string? reason)
    {
        if (!TryIdentify(m, c, "edited_message", out var id, out var customer, out var sentAt, out reason))
        {
            return null;
        }

        DateTimeOffset editedAt = sentAt;
        if (m.EditDate is { } editDate && !TryTime(editDate, out editedAt))
        {
            reason = $"Telegram edited_message {id} has edit_date {editDate}, not Unix seconds.";
            return null;
        }

        reason = null;
        return new InboundEdit
        {
            WorkspaceId = c.Workspace,
            Channel = c.Channel,
            Customer = customer,
            OccurredAt = editedAt,
            PlatformMessageId = id,
            Text = m.Text ?? m.Caption,
        };
    }

    private static InboundMessage? MapCallback(TgCallbackQuery q, Context c, out string? reason)
    {
        if (string.IsNullOrEmpty(q.Id) || q.From?.Id is not { } userId)
        {
            reason = $"The callback_query of update {c.UpdateId} has no id or no from.id.";
            return null;
        }

        if (string.IsNullOrEmpty(q.Data))
        {
            var what = q.GameShortName is null ? "no data" : $"game_short_name '{q.GameShortName}' instead of data";
            reason = $"callback_query {q.Id} has {what}; the Telegram adapter reads callback buttons with data.";
            return null;
        }

        // The button's message (absent for a button under an inline-mode message) gives the chat, the reply-to and
        // the button's label; a callback_query has no date, so the event happened when it was received.
        var source = q.Message;
        var label = source?.ReplyMarkup?.InlineKeyboard?.SelectMany(row => row ?? []).FirstOrDefault(b => b?.CallbackData == q.Data)?.Text;
        reason = null;
        return new InboundMessage
        {
            WorkspaceId = c.Workspace,
            Channel = c.Channel,
            Customer = Handle(userId),
            OccurredAt = c.ReceivedAt,
            PlatformMessageId = "callback:" + q.Id,
            Text = label,
            Payload = q.Data,
            ReplyToPlatformMessageId = source is { MessageId: { } messageId, Chat.Id: { } chatId } ? MessageId(chatId, messageId) : null,
            Visibility = source?.Chat is { } chat ? VisibilityOf(chat) : ConversationVisibility.Private,
            Profile = Profile(q.From),
        };
    }

    private static InboundReaction? MapReaction(TgMessageReaction r, Context c, out string? reason)
    {
        if (r.Chat?.Id is not { } chatId || r.MessageId is not { } messageId)
        {
            reason = $"The message_reaction of update {c.UpdateId} has no chat.id or message_id.";
            return null;
        }

        var target = MessageId(chatId, messageId);
        if (r.User?.Id is not { } userId)
        {
            reason = $"The message_reaction to {target} has no user (an anonymous reaction by actor_chat {r.ActorChat?.Id}); the Telegram adapter needs the reacting user.";
            return null;
        }

        if (r.Date is not { } date || !TryTime(date, out var occurredAt))
        {
            reason = $"The message_reaction to {target} has date '{r.Date}', not Unix seconds.";
            return null;
        }

        string? emoji = null;
        if (r.NewReaction is { Count: > 0 } reactions)
        {
            emoji = reactions.FirstOrDefault(x => x?.Type == "emoji" && !string.IsNullOrEmpty(x.Emoji))?.Emoji;
            if (emoji is null)
            {
                reason = $"The message_reaction to {target} has only reactions of type {string.Join(", ", reactions.Select(x => $"'{x?.Type}'"))}; the Telegram adapter reads 'emoji' reactions.";
                return null;
            }
        }

        reason = null;
        return new InboundReaction
        {
            WorkspaceId = c.Workspace,
            Channel = c.Channel,
            Customer = Handle(userId),
            OccurredAt = occurredAt,
            TargetPlatformMessageId = target,
            Emoji = emoji,
        };
    }

    private static InboundConsent? MapMyChatMember(TgChatMemberUpdated u, Context c, out string? reason)
    {
        if (u.Chat?.Id is not { } chatId || u.From?.Id is not { } userId || u.Date is not { } date || !TryTime(date, out var occurredAt))
        {
            reason = $"The my_chat_member of update {c.UpdateId} has no chat.id, no from.id or no date in Unix seconds.";
            return null;
        }

        var oldStatus = u.OldChatMember?.Status;
        var newStatus = u.NewChatMember?.Status;
        if (u.Chat.Type != "private")
        {
            // The bot was added to or removed from a group: no customer's consent changed, and the model has no event
            // for it, so it is kept as a dead letter rather than dropped.
            reason = $"my_chat_member in {u.Chat.Type} chat {Id(chatId)} (bot status '{oldStatus}' -> '{newStatus}') is a group membership change, which has no normalized event.";
            return null;
        }

        ContactConsent? consent = (oldStatus, newStatus) switch
        {
            (_, "kicked") => ContactConsent.Revoked,
            ("kicked", "member") => ContactConsent.Granted,
            _ => null,
        };
        if (consent is null)
        {
            reason = $"my_chat_member in private chat {Id(chatId)} changes the bot's status '{oldStatus}' -> '{newStatus}', which is neither a block ('kicked') nor an unblock.";
            return null;
        }

        reason = null;
        return new InboundConsent
        {
            WorkspaceId = c.Workspace,
            Channel = c.Channel,
            Customer = Handle(userId),
            OccurredAt = occurredAt,
            Consent = consent.Value,
        };
    }

    /// <summary>The id, sender and time every message needs.</summary>
    private static bool TryIdentify(TgMessage m, Context c, string field, out string id, out ContactHandle customer, out DateTimeOffset occurredAt, out string? reason)
    {
        id = string.Empty;
        customer = default;
        occurredAt = default;
        if (m.Chat?.Id is not { } chatId || m.MessageId is not { } messageId)
        {
            reason = $"The {field} of update {c.UpdateId} has no chat.id or message_id.";
            return false;
        }

        id = MessageId(chatId, messageId);
        var sender = m.From?.Id ?? m.SenderChat?.Id;
        if (sender is null)
        {
            reason = $"Telegram {field} {id} has neither from nor sender_chat.";
            return false;
        }

        if (m.Date is not { } date || !TryTime(date, out occurredAt))
        {
            reason = $"Telegram {field} {id} has date '{m.Date}', not Unix seconds.";
            return false;
        }

        customer = Handle(sender.Value);
        reason = null;
        return true;
    }

    /// <summary>Private chats are private; groups, supergroups and channels are seen by their members, so public.</summary>
    private static ConversationVisibility VisibilityOf(TgChat chat) =>
        chat.Type == "private" ? ConversationVisibility.Private : ConversationVisibility.Public;

    /// <summary>The platform message id of message <paramref name="messageId"/> in chat <paramref name="chatId"/>.</summary>
    public static string MessageId(long chatId, long messageId) => Id(chatId) + ":" + Id(messageId);

    /// <summary>Reads a platform message id made by <see cref="MessageId"/>.</summary>
    public static bool TryReadMessageId(string? platformMessageId, out long chatId, out long messageId)
    {
        chatId = 0;
        messageId = 0;
        var colon = platformMessageId?.LastIndexOf(':') ?? -1;
        return colon > 0
            && long.TryParse(platformMessageId.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId)
            && long.TryParse(platformMessageId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out messageId);
    }

    private static string Id(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static ContactHandle Handle(long userId) => new(ChannelKind.Telegram, Id(userId));

    private static Attachment File(AttachmentKind kind, TgFile file, string? name) => File(kind, file.FileId, file.MimeType, file.FileSize, name);

    private static Attachment File(AttachmentKind kind, string? fileId, string? mimeType, long? size, string? name) => new()
    {
        Kind = kind,
        Url = string.IsNullOrEmpty(fileId) ? null : new Uri(FileScheme + ":" + fileId),
        MimeType = mimeType,
        SizeBytes = size,
        Name = name,
    };

    private static ContactProfile? Profile(TgUser? user)
    {
        if (user is null)
        {
            return null;
        }

        var name = string.Join(' ', new[] { user.FirstName, user.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return new ContactProfile
        {
            Name = name.Length == 0 ? null : name,
            Username = string.IsNullOrEmpty(user.Username) ? null : user.Username,
            Locale = string.IsNullOrEmpty(user.LanguageCode) ? null : user.LanguageCode,
        };
    }

    private static bool TryTime(long seconds, out DateTimeOffset time)
    {
        if (seconds is > 0 and < 253_402_300_800)
        {
            time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        time = default;
        return false;
    }

    private static string Fields(Dictionary<string, JsonElement>? other) =>
        other is { Count: > 0 } ? "field(s) " + string.Join(", ", other.Keys.Select(k => $"'{k}'")) : "no other fields";

    private readonly record struct Context(WorkspaceId Workspace, ChannelAccount Channel, DateTimeOffset ReceivedAt, long UpdateId);
}
