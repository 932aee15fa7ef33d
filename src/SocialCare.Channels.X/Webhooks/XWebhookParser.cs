using System.Globalization;
using System.Text.Json;

namespace SocialCare.Channels.X.Webhooks;

/// <summary>The brand account a payload is for: its workspace and numeric user id.</summary>
/// <param name="Workspace">The workspace.</param>
/// <param name="UserId">The brand account's user id (the channel account id).</param>
internal readonly record struct XAccount(WorkspaceId Workspace, string UserId)
{
    public ChannelAccount Channel => new(ChannelKind.X, UserId);
}

/// <summary>Turns a verified Account Activity API webhook body into normalized events, or says what it did not understand.</summary>
internal static class XWebhookParser
{
    private const long MinMilliseconds = 100_000_000_000; // 1973-03-03: anything smaller is seconds, not milliseconds
    private const long MaxMilliseconds = 253_402_300_799_999;

    /// <summary>Reads the body; null with a reason when it is not JSON the adapter understands at the top level.</summary>
    public static XWebhookPayload? Read(ReadOnlySpan<byte> body, out string? reason)
    {
        XWebhookPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, XJsonContext.Default.XWebhookPayload);
        }
        catch (JsonException ex)
        {
            reason = $"The body is not valid X Account Activity JSON: {ex.Message}";
            return null;
        }

        if (payload is null)
        {
            reason = "The body is JSON null.";
            return null;
        }

        if (payload.Unknown is { Count: > 0 } unknown)
        {
            reason = $"The payload has event keys the X adapter does not understand: {string.Join(", ", unknown.Keys.Order(StringComparer.Ordinal))}.";
            return null;
        }

        if (payload.DirectMessageEvents is null && payload.DirectMessageMarkReadEvents is null && payload.DirectMessageIndicateTypingEvents is null
            && payload.TweetCreateEvents is null && payload.TweetDeleteEvents is null && payload.UserEvent is null)
        {
            reason = "The payload carries no event key (direct_message_events, tweet_create_events, …).";
            return null;
        }

        if (payload.UserEvent?.Unknown is { Count: > 0 } userEvents)
        {
            reason = $"user_event has kinds the X adapter does not understand: {string.Join(", ", userEvents.Keys.Order(StringComparer.Ordinal))}.";
            return null;
        }

        if (payload.UserEvent is { Revoke: null })
        {
            reason = "user_event carries no revoke.";
            return null;
        }

        reason = null;
        return payload;
    }

    /// <summary>Maps every event for the account; the first thing not understood makes the whole payload unparseable.</summary>
    public static WebhookResult Map(XWebhookPayload payload, XAccount account)
    {
        var events = new List<InboundEvent>();
        string? reason = null;

        foreach (var dm in payload.DirectMessageEvents ?? [])
        {
            if (!TryAdd(events, MapDirectMessage(dm, payload, account, out reason)))
            {
                return WebhookResult.Unparseable(reason!);
            }
        }

        foreach (var read in payload.DirectMessageMarkReadEvents ?? [])
        {
            if (!TryAdd(events, MapMarkRead(read, account, out reason)))
            {
                return WebhookResult.Unparseable(reason!);
            }
        }

        // direct_message_indicate_typing_events: understood, and nobody needs them; they give no event.
        foreach (var tweet in payload.TweetCreateEvents ?? [])
        {
            if (!TryAdd(events, MapTweet(tweet, account, out reason)))
            {
                return WebhookResult.Unparseable(reason!);
            }
        }

        foreach (var deletion in payload.TweetDeleteEvents ?? [])
        {
            if (!TryAdd(events, MapTweetDelete(deletion, account, out reason)))
            {
                return WebhookResult.Unparseable(reason!);
            }
        }

        if (payload.UserEvent?.Revoke is { } revoke)
        {
            if (!TryAdd(events, MapRevoke(revoke, account, out reason)))
            {
                return WebhookResult.Unparseable(reason!);
            }
        }

        return WebhookResult.Events(events);

        bool TryAdd(List<InboundEvent> list, InboundEvent? mapped)
        {
            if (mapped is not null)
            {
                list.Add(mapped);
            }

            return reason is null;
        }
    }

    /// <summary>The user id that revoked the app, or null.</summary>
    public static string? RevokingUser(XWebhookPayload payload) => payload.UserEvent?.Revoke?.Source?.UserId;

    private static InboundMessage? MapDirectMessage(XDirectMessageEvent? dm, XWebhookPayload payload, XAccount account, out string? reason)
    {
        if (dm is null || string.IsNullOrEmpty(dm.Id))
        {
            reason = "A direct message event has no id.";
            return null;
        }

        if (dm.Type != "message_create" || dm.MessageCreate is not { } create)
        {
            reason = $"Direct message event {dm.Id} has type '{dm.Type}', which the X adapter does not understand or which lacks its message_create object.";
            return null;
        }

        if (!TryMilliseconds(dm.CreatedTimestamp, out var occurredAt))
        {
            reason = $"Direct message {dm.Id} has created_timestamp '{dm.CreatedTimestamp}', not Unix milliseconds.";
            return null;
        }

        var sender = create.SenderId;
        var recipient = create.Target?.RecipientId;
        if (string.IsNullOrEmpty(sender) || string.IsNullOrEmpty(recipient))
        {
            reason = $"Direct message {dm.Id} has no sender_id or no target.recipient_id.";
            return null;
        }

        // A message the brand account sent (from SocialCare or X's own app) comes back as an echo.
        var isEcho = sender == account.UserId;
        if (!isEcho && recipient != account.UserId)
        {
            reason = $"Direct message {dm.Id} is between {sender} and {recipient}; neither is the account {account.UserId}.";
            return null;
        }

        var customer = isEcho ? recipient : sender;
        var data = create.MessageData;
        var text = data?.Text;
        Attachment? attachment = null;
        if (data?.Attachment is { } attached)
        {
            if (attached.Type != "media" || attached.Media is null)
            {
                reason = $"Direct message {dm.Id} has an attachment of type '{attached.Type}', which the X adapter does not understand.";
                return null;
            }

            attachment = Media(attached.Media, $"Direct message {dm.Id}", out reason);
            if (attachment is null)
            {
                return null;
            }

            text = WithoutMediaLink(text, attached.Media.Url);
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = account.Workspace,
            Channel = account.Channel,
            Customer = new ContactHandle(ChannelKind.X, customer),
            OccurredAt = occurredAt,
            PlatformMessageId = dm.Id,
            Text = string.IsNullOrEmpty(text) ? null : text,
            Attachments = attachment is null ? [] : [attachment],
            Payload = data?.QuickReplyResponse?.Metadata,
            Visibility = ConversationVisibility.Private,
            IsEcho = isEcho,
            Profile = Profile(FindUser(payload, customer)),
        };
    }

    private static InboundStatus? MapMarkRead(XMarkReadEvent? read, XAccount account, out string? reason)
    {
        if (read is null || string.IsNullOrEmpty(read.SenderId))
        {
            reason = "A direct_message_mark_read_event has no sender_id.";
            return null;
        }

        if (!TryMilliseconds(read.CreatedTimestamp, out var occurredAt))
        {
            reason = $"The read event of {read.SenderId} has created_timestamp '{read.CreatedTimestamp}', not Unix milliseconds.";
            return null;
        }

        reason = null;
        if (read.SenderId == account.UserId)
        {
            return null; // The brand read the customer's messages (in X's app): not a status of anything the brand sent.
        }

        // The reader (sender_id) read the conversation up to last_read_event_id at created_timestamp: every message the
        // brand sent them before then is read.
        return new InboundStatus
        {
            WorkspaceId = account.Workspace,
            Channel = account.Channel,
            Customer = new ContactHandle(ChannelKind.X, read.SenderId),
            OccurredAt = occurredAt,
            Status = DeliveryStatus.Read,
            Watermark = occurredAt,
        };
    }

    private static InboundMessage? MapTweet(XTweet? tweet, XAccount account, out string? reason)
    {
        if (tweet is null || string.IsNullOrEmpty(tweet.IdStr))
        {
            reason = "A tweet_create_event has no id_str.";
            return null;
        }

        var author = tweet.User?.IdText();
        if (string.IsNullOrEmpty(author))
        {
            reason = $"Post {tweet.IdStr} has no user id.";
            return null;
        }

        if (!TryTweetTime(tweet, out var occurredAt))
        {
            reason = $"Post {tweet.IdStr} has neither timestamp_ms in Unix milliseconds nor a created_at like 'Wed Oct 10 20:19:24 +0000 2018' (it has '{tweet.TimestampMs}', '{tweet.CreatedAt}').";
            return null;
        }

        reason = null;
        if (tweet.RetweetedStatus is { ValueKind: JsonValueKind.Object })
        {
            return null; // A repost of a Post: nothing to answer.
        }

        var isEcho = author == account.UserId;
        var customer = isEcho ? tweet.InReplyToUserIdStr : author;
        if (string.IsNullOrEmpty(customer) || customer == account.UserId)
        {
            return null; // The brand's own Post that answers nobody (a standalone Post or a thread of its own).
        }

        var text = tweet.ExtendedTweet?.FullText ?? tweet.FullText ?? tweet.Text;
        var media = (tweet.ExtendedTweet?.ExtendedEntities ?? tweet.ExtendedEntities ?? tweet.ExtendedTweet?.Entities ?? tweet.Entities)?.Media ?? [];
        var attachments = new List<Attachment>(media.Count);
        foreach (var item in media)
        {
            var attachment = Media(item, $"Post {tweet.IdStr}", out reason);
            if (attachment is null)
            {
                return null;
            }

            attachments.Add(attachment);
            text = WithoutMediaLink(text, item.Url);
        }

        return new InboundMessage
        {
            WorkspaceId = account.Workspace,
            Channel = account.Channel,
            Customer = new ContactHandle(ChannelKind.X, customer),
            OccurredAt = occurredAt,
            PlatformMessageId = tweet.IdStr,
            Text = string.IsNullOrEmpty(text) ? null : text,
            Attachments = attachments,
            ReplyToPlatformMessageId = string.IsNullOrEmpty(tweet.InReplyToStatusIdStr) ? null : tweet.InReplyToStatusIdStr,
            Visibility = ConversationVisibility.Public,
            IsEcho = isEcho,
            Profile = isEcho ? null : Profile(tweet.User),
        };
    }

    private static InboundDeletion? MapTweetDelete(XTweetDelete? deletion, XAccount account, out string? reason)
    {
        if (deletion?.Status is not { Id: { Length: > 0 } id, UserId: { Length: > 0 } user })
        {
            reason = "A tweet_delete_event has no status.id or status.user_id.";
            return null;
        }

        if (!TryMilliseconds(deletion.TimestampMs, out var occurredAt))
        {
            reason = $"The deletion of Post {id} has timestamp_ms '{deletion.TimestampMs}', not Unix milliseconds.";
            return null;
        }

        reason = null;
        if (user == account.UserId)
        {
            return null; // The brand deleted its own Post; the contract has no outbound deletion event.
        }

        return new InboundDeletion
        {
            WorkspaceId = account.Workspace,
            Channel = account.Channel,
            Customer = new ContactHandle(ChannelKind.X, user),
            OccurredAt = occurredAt,
            PlatformMessageId = id,
        };
    }

    private static InboundConsent? MapRevoke(XRevoke revoke, XAccount account, out string? reason)
    {
        if (string.IsNullOrEmpty(revoke.Source?.UserId))
        {
            reason = "user_event.revoke has no source.user_id.";
            return null;
        }

        if (!DateTimeOffset.TryParse(revoke.DateTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
        {
            reason = $"user_event.revoke has date_time '{revoke.DateTime}', not an ISO 8601 time.";
            return null;
        }

        reason = null;
        return new InboundConsent
        {
            WorkspaceId = account.Workspace,
            Channel = account.Channel,
            Customer = new ContactHandle(ChannelKind.X, revoke.Source.UserId),
            OccurredAt = occurredAt,
            Consent = ContactConsent.Revoked,
        };
    }

    private static Attachment? Media(XMedia media, string owner, out string? reason)
    {
        AttachmentKind kind;
        Uri? url;
        string? mime;
        switch (media.Type)
        {
            case "photo":
                kind = AttachmentKind.Image;
                url = Absolute(media.MediaUrlHttps);
                mime = ImageMime(url);
                break;
            case "video" or "animated_gif":
                // The best MP4 rendition; the animated GIF is an MP4 too. Without variants, the poster image is all there is.
                var variant = media.VideoInfo?.Variants?
                    .Where(v => v.ContentType == "video/mp4" && Absolute(v.Url) is not null)
                    .MaxBy(v => v.Bitrate ?? 0);
                kind = AttachmentKind.Video;
                url = Absolute(variant?.Url);
                mime = variant?.ContentType;
                break;
            default:
                reason = $"{owner} has media of type '{media.Type}', which the X adapter does not understand.";
                return null;
        }

        if (url is null)
        {
            reason = $"{owner} has {media.Type} media {media.IdStr} without a usable URL.";
            return null;
        }

        reason = null;
        return new Attachment { Kind = kind, Url = url, MimeType = mime };
    }

    private static string? ImageMime(Uri? url) => Path.GetExtension(url?.AbsolutePath)?.ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => null,
    };

    private static Uri? Absolute(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri : null;

    /// <summary>X appends the media's t.co link to the text; the attachment already carries the media.</summary>
    private static string? WithoutMediaLink(string? text, string? link) =>
        text is not null && !string.IsNullOrEmpty(link) && text.EndsWith(link, StringComparison.Ordinal)
            ? text[..^link.Length].TrimEnd()
            : text;

    /// <summary>The user object for <paramref name="userId"/>: from <c>users</c>, or, as in X's documentation example, nested in <c>apps</c>.</summary>
    private static XUser? FindUser(XWebhookPayload payload, string userId)
    {
        if (payload.Users?.GetValueOrDefault(userId) is { } user)
        {
            return user;
        }

        if (payload.Apps?.GetValueOrDefault(userId) is { ValueKind: JsonValueKind.Object } element && element.TryGetProperty("screen_name", out _))
        {
            try
            {
                return element.Deserialize(XJsonContext.Default.XUser);
            }
            catch (JsonException)
            {
                return null; // Not a user object after all; the profile is optional.
            }
        }

        return null;
    }

    private static ContactProfile? Profile(XUser? user) => user is null ? null : new ContactProfile
    {
        Name = string.IsNullOrEmpty(user.Name) ? null : user.Name,
        Username = string.IsNullOrEmpty(user.ScreenName) ? null : user.ScreenName,
        Followers = user.FollowersCount,
        Verified = user.Verified ?? false,
        AvatarUrl = Absolute(user.ProfileImageUrlHttps),
    };

    private static bool TryTweetTime(XTweet tweet, out DateTimeOffset time)
    {
        if (tweet.TimestampMs is not null)
        {
            return TryMilliseconds(tweet.TimestampMs, out time);
        }

        return DateTimeOffset.TryParseExact(tweet.CreatedAt, "ddd MMM dd HH:mm:ss zzz yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    private static bool TryMilliseconds(string? milliseconds, out DateTimeOffset time)
    {
        if (long.TryParse(milliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= MinMilliseconds and <= MaxMilliseconds)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(value);
            return true;
        }

        time = default;
        return false;
    }
}
