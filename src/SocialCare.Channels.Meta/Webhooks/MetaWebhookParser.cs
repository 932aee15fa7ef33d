using System.Globalization;
using System.Text.Json;

namespace SocialCare.Channels.Meta.Webhooks;

/// <summary>
/// Turns a verified Messenger (<c>object=page</c>) or Instagram (<c>object=instagram</c>) webhook body into normalized
/// events, or says what it did not understand. Both platforms share the <c>entry[].messaging[]</c> / <c>standby[]</c>
/// shape; timestamps are Unix milliseconds.
/// </summary>
internal sealed class MetaWebhookParser(ChannelKind kind, string platform, string expectedObject)
{
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>Reads the body; null with a reason when it is not a webhook of this platform's object.</summary>
    public WebhookPayload? Read(ReadOnlySpan<byte> body, out string? reason)
    {
        WebhookPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, MetaJsonContext.Default.WebhookPayload);
        }
        catch (JsonException ex)
        {
            reason = $"The body is not valid {platform} webhook JSON: {ex.Message}";
            return null;
        }

        if (payload is null)
        {
            reason = "The body is JSON null.";
            return null;
        }

        if (!string.Equals(payload.Object, expectedObject, StringComparison.Ordinal))
        {
            reason = payload.Object is null
                ? $"The body has no 'object' field; a {platform} webhook has \"object\":\"{expectedObject}\" and entry[]."
                : $"The webhook object is '{payload.Object}', not '{expectedObject}'.";
            return null;
        }

        if (payload.Entry is not { Count: > 0 })
        {
            reason = "The webhook has no entry.";
            return null;
        }

        foreach (var entry in payload.Entry)
        {
            if (string.IsNullOrEmpty(entry?.Id))
            {
                reason = "An entry has no 'id' (the account the events are for).";
                return null;
            }

            if (entry.Unknown is { Count: > 0 } unknown)
            {
                reason = $"Entry '{entry.Id}' has field(s) {Names(unknown)}, which the {platform} adapter does not understand (it reads 'messaging' and 'standby').";
                return null;
            }

            if (entry.Messaging is null && entry.Standby is null)
            {
                reason = $"Entry '{entry.Id}' has neither 'messaging' nor 'standby'.";
                return null;
            }
        }

        reason = null;
        return payload;
    }

    /// <summary>The distinct account ids (<c>entry[].id</c>) the payload is for.</summary>
    public static IEnumerable<string> AccountIds(WebhookPayload payload) =>
        payload.Entry!.Select(e => e!.Id!).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Maps every messaging and standby event, in order. Standby events (sent while another app holds thread control
    /// under the handover protocol) are the same conversation, so they are ingested like any other. The first thing not
    /// understood makes the whole payload unparseable.
    /// </summary>
    public WebhookResult Map(WebhookPayload payload, Func<string, WorkspaceId> workspaceOf)
    {
        var events = new List<InboundEvent>();
        foreach (var entry in payload.Entry!)
        {
            var account = new ChannelAccount(kind, entry!.Id!);
            var workspace = workspaceOf(entry.Id!);
            foreach (var (field, batch) in new[] { ("messaging", entry.Messaging), ("standby", entry.Standby) })
            {
                for (var i = 0; i < (batch?.Count ?? 0); i++)
                {
                    if (!TryMapEvent(batch![i], workspace, account, events, out var reason))
                    {
                        return WebhookResult.Unparseable($"Entry '{entry.Id}' {field}[{i}]: {reason}");
                    }
                }
            }
        }

        return WebhookResult.Events(events);
    }

    /// <summary>Maps one <c>messaging[]</c> event into zero or more normalized events, appended to <paramref name="events"/>.</summary>
    public bool TryMapEvent(MessagingEvent? e, WorkspaceId workspace, ChannelAccount account, List<InboundEvent> events, out string? reason)
    {
        if (e is null)
        {
            reason = "the event is JSON null.";
            return false;
        }

        // Deliveries may carry timestamp 0 (the watermark is the time then); everything else needs a real time.
        var ms = e.Timestamp ?? 0;
        var timestamp = default(DateTimeOffset);
        if (e.Delivery is null && !TryTime(ms, out timestamp))
        {
            reason = $"'timestamp' is '{e.Timestamp}', not Unix milliseconds.";
            return false;
        }

        var isEcho = e.Message?.IsEcho == true;

        // The customer is the sender, except for an echo of the account's own message, whose recipient is the customer.
        var customerId = isEcho ? e.Recipient?.Id : e.Sender?.Id;
        if (string.IsNullOrEmpty(customerId))
        {
            var userRef = e.Sender?.UserRef ?? e.Optin?.UserRef;
            reason = userRef is not null
                ? $"the event identifies the customer only by user_ref (checkbox plugin), not by a {platform}-scoped id; SocialCare cannot key a contact by it."
                : $"the event has no {(isEcho ? "recipient" : "sender")}.id (the customer).";
            return false;
        }

        var customer = new ContactHandle(kind, customerId);
        InboundEvent? single = null;
        reason = null;
        if (e.Message is { } message)
        {
            single = MapMessage(message, workspace, account, customer, timestamp, out reason);
        }
        else if (e.Delivery is { } delivery)
        {
            return TryMapDelivery(delivery, ms, workspace, account, customer, events, out reason);
        }
        else if (e.Read is { } read)
        {
            single = MapRead(read, timestamp, workspace, account, customer, out reason);
        }
        else if (e.Postback is { } postback)
        {
            single = MapPostback(postback, ms, workspace, account, customer, timestamp, out reason);
        }
        else if (e.Optin is { } optin)
        {
            single = new InboundConsent
            {
                WorkspaceId = workspace,
                Channel = account,
                Customer = customer,
                OccurredAt = timestamp,
                Consent = optin.Type == "notification_messages" && optin.NotificationMessagesStatus == "STOP NOTIFICATIONS"
                    ? ContactConsent.Revoked
                    : ContactConsent.Granted,
            };
        }
        else if (e.Referral is { } referral)
        {
            single = MapReferral(referral, ms, workspace, account, customer, timestamp, out reason);
        }
        else if (e.Reaction is { } reaction)
        {
            single = MapReaction(reaction, workspace, account, customer, timestamp, out reason);
        }
        else if (e.MessageEdit is { } edit)
        {
            if (string.IsNullOrEmpty(edit.Mid))
            {
                reason = "message_edit has no mid.";
                return false;
            }

            single = new InboundEdit { WorkspaceId = workspace, Channel = account, Customer = customer, OccurredAt = timestamp, PlatformMessageId = edit.Mid, Text = edit.Text };
        }
        else
        {
            reason = e.Unknown is { Count: > 0 } unknown
                ? $"the event has {Names(unknown)}, which the {platform} adapter does not understand."
                : "the event has none of message, delivery, read, postback, optin, referral, reaction or message_edit.";
            return false;
        }

        if (single is null)
        {
            return false;
        }

        events.Add(single);
        return true;
    }

    private InboundEvent? MapMessage(MetaMessage m, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, DateTimeOffset timestamp, out string? reason)
    {
        if (string.IsNullOrEmpty(m.Mid))
        {
            reason = "message has no mid.";
            return null;
        }

        if (m.IsDeleted == true)
        {
            reason = null;
            return new InboundDeletion { WorkspaceId = workspace, Channel = account, Customer = customer, OccurredAt = timestamp, PlatformMessageId = m.Mid };
        }

        var attachments = new List<Attachment>(m.Attachments?.Count ?? 0);
        for (var i = 0; i < (m.Attachments?.Count ?? 0); i++)
        {
            var attachment = MapAttachment(m.Attachments![i], out var problem);
            if (attachment is null)
            {
                reason = $"message {m.Mid} attachments[{i}]: {problem}";
                return null;
            }

            attachments.Add(attachment);
        }

        var text = string.IsNullOrEmpty(m.Text) ? null : m.Text;
        var payload = string.IsNullOrEmpty(m.QuickReply?.Payload) ? null : m.QuickReply.Payload;
        if (text is null && attachments.Count == 0 && payload is null)
        {
            reason = m.IsUnsupported == true
                ? $"message {m.Mid} is marked is_unsupported (a kind {platform} does not deliver to apps)."
                : $"message {m.Mid} has no text, attachments or quick_reply.";
            return null;
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = workspace,
            Channel = account,
            Customer = customer,
            OccurredAt = timestamp,
            PlatformMessageId = m.Mid,
            Text = text,
            Attachments = attachments,
            Payload = payload,
            ReplyToPlatformMessageId = string.IsNullOrEmpty(m.ReplyTo?.Mid) ? null : m.ReplyTo.Mid,
            Visibility = ConversationVisibility.Private,
            IsEcho = m.IsEcho == true,
        };
    }

    private static Attachment? MapAttachment(MetaAttachment? a, out string? problem)
    {
        problem = null;
        if (a is null)
        {
            problem = "the attachment is JSON null.";
            return null;
        }

        // Kept as given: Meta sends absolute CDN URLs (which expire); its 2016 docs example has the placeholder "IMAGE_URL".
        var url = !string.IsNullOrWhiteSpace(a.Payload?.Url) && Uri.TryCreate(a.Payload.Url, UriKind.RelativeOrAbsolute, out var parsed) ? parsed : null;
        if (a.Type == "location")
        {
            if (a.Payload?.Coordinates is not { Lat: { } lat, Long: { } lon })
            {
                problem = "a location attachment has no payload.coordinates.lat/long.";
                return null;
            }

            var name = a.Title ?? a.Payload.Title;
            return new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(lat, lon, name), Url = url, Name = name };
        }

        AttachmentKind? kind = a.Type switch
        {
            "image" => a.Payload?.StickerId is not null ? AttachmentKind.Sticker : AttachmentKind.Image,
            "video" => AttachmentKind.Video,
            "audio" => AttachmentKind.Audio,
            "file" => AttachmentKind.File,
            _ => null,
        };
        if (kind is null)
        {
            problem = $"type '{a.Type}' is not one the adapter understands (image, video, audio, file, location).";
            return null;
        }

        if (url is null)
        {
            problem = $"the {a.Type} attachment has no payload.url.";
            return null;
        }

        return new Attachment { Kind = kind.Value, Url = url, Name = a.Title };
    }

    private static bool TryMapDelivery(MetaDelivery d, long ms, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, List<InboundEvent> events, out string? reason)
    {
        if (d.Watermark is not { } watermarkMs || !TryTime(watermarkMs, out var watermark))
        {
            reason = $"delivery.watermark is '{d.Watermark}', not Unix milliseconds.";
            return false;
        }

        // Messenger may send timestamp 0 on deliveries; the watermark is then the best time there is.
        var occurredAt = ms > 0 && TryTime(ms, out var stamped) ? stamped : watermark;

        // Named messages first (exact match by id), then the watermark, which covers every earlier message too —
        // mids is optional and, when present, does not list everything the watermark covers.
        foreach (var mid in d.Mids ?? [])
        {
            if (string.IsNullOrEmpty(mid))
            {
                reason = "delivery.mids has an empty id.";
                return false;
            }

            events.Add(new InboundStatus { WorkspaceId = workspace, Channel = account, Customer = customer, OccurredAt = occurredAt, PlatformMessageId = mid, Status = DeliveryStatus.Delivered });
        }

        events.Add(new InboundStatus { WorkspaceId = workspace, Channel = account, Customer = customer, OccurredAt = occurredAt, Watermark = watermark, Status = DeliveryStatus.Delivered });
        reason = null;
        return true;
    }

    private static InboundStatus? MapRead(MetaRead r, DateTimeOffset timestamp, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, out string? reason)
    {
        DateTimeOffset? watermark = null;
        if (r.Watermark is { } watermarkMs)
        {
            if (!TryTime(watermarkMs, out var parsed))
            {
                reason = $"read.watermark is '{watermarkMs}', not Unix milliseconds.";
                return null;
            }

            watermark = parsed;
        }

        var mid = string.IsNullOrEmpty(r.Mid) ? null : r.Mid;
        if (watermark is null && mid is null)
        {
            reason = "read has neither watermark nor mid.";
            return null;
        }

        reason = null;
        return new InboundStatus
        {
            WorkspaceId = workspace,
            Channel = account,
            Customer = customer,
            OccurredAt = timestamp,
            Status = DeliveryStatus.Read,

            // A watermark says "everything sent up to here was read"; Instagram names the read message instead.
            PlatformMessageId = watermark is null ? mid : null,
            Watermark = watermark,
        };
    }

    private static InboundMessage? MapPostback(MetaPostback p, long ms, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, DateTimeOffset timestamp, out string? reason)
    {
        if (string.IsNullOrEmpty(p.Payload) && string.IsNullOrEmpty(p.Title))
        {
            reason = "postback has neither payload nor title.";
            return null;
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = workspace,
            Channel = account,
            Customer = customer,
            OccurredAt = timestamp,

            // Older postbacks carry no mid: the customer and the millisecond are unique enough and stable across redeliveries.
            PlatformMessageId = string.IsNullOrEmpty(p.Mid) ? SyntheticId("postback", customer, ms) : p.Mid,
            Text = string.IsNullOrEmpty(p.Title) ? null : p.Title,
            Payload = string.IsNullOrEmpty(p.Payload) ? null : p.Payload,
            Visibility = ConversationVisibility.Private,
        };
    }

    private static InboundMessage? MapReferral(MetaReferral r, long ms, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, DateTimeOffset timestamp, out string? reason)
    {
        var payload = FirstText(r.Ref, r.AdId is null ? null : "ad:" + r.AdId, r.Source);
        if (payload is null)
        {
            reason = "referral has no ref, ad_id or source.";
            return null;
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = workspace,
            Channel = account,
            Customer = customer,
            OccurredAt = timestamp,
            PlatformMessageId = SyntheticId("referral", customer, ms),
            Payload = payload,
            Visibility = ConversationVisibility.Private,
        };
    }

    private static InboundReaction? MapReaction(MetaReaction r, WorkspaceId workspace, ChannelAccount account, ContactHandle customer, DateTimeOffset timestamp, out string? reason)
    {
        if (string.IsNullOrEmpty(r.Mid) || r.Action is not ("react" or "unreact"))
        {
            reason = $"reaction needs a mid and action 'react' or 'unreact'; it has mid '{r.Mid}' and action '{r.Action}'.";
            return null;
        }

        reason = null;
        return new InboundReaction
        {
            WorkspaceId = workspace,
            Channel = account,
            Customer = customer,
            OccurredAt = timestamp,
            TargetPlatformMessageId = r.Mid,
            Emoji = r.Action == "unreact" ? null : FirstText(r.Emoji, r.Reaction),
        };
    }

    private static string SyntheticId(string prefix, ContactHandle customer, long ms) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}:{customer.ExternalId}:{ms}");

    private static bool TryTime(long ms, out DateTimeOffset time)
    {
        if (ms is > 0 and <= MaxUnixMilliseconds)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        time = default;
        return false;
    }

    private static string Names(Dictionary<string, JsonElement> unknown) =>
        string.Join(", ", unknown.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"));

    private static string? FirstText(params ReadOnlySpan<string?> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
