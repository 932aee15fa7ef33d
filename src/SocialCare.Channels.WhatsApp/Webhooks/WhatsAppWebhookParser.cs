using System.Globalization;
using System.Text.Json;

namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>Turns a verified Cloud API webhook body into normalized events, or says what it did not understand.</summary>
internal static class WhatsAppWebhookParser
{
    private const string ExpectedObject = "whatsapp_business_account";

    /// <summary>Reads the body; null with a reason when it is not a WhatsApp Business Account webhook.</summary>
    public static WebhookPayload? Read(ReadOnlySpan<byte> body, out string? reason)
    {
        WebhookPayload? payload;
        try
        {
            payload = WhatsAppPayloadReader.Read(body);
        }
        catch (JsonException ex)
        {
            reason = $"The body is not valid WhatsApp webhook JSON: {ex.Message}";
            return null;
        }

        if (payload is null)
        {
            reason = "The body is JSON null.";
            return null;
        }

        if (!string.Equals(payload.Object, ExpectedObject, StringComparison.Ordinal))
        {
            reason = $"The webhook object is '{payload.Object}', not '{ExpectedObject}'.";
            return null;
        }

        if (payload.Entry is not { Count: > 0 })
        {
            reason = "The webhook has no entry.";
            return null;
        }

        foreach (var entry in payload.Entry)
        {
            if (entry?.Changes is not { Count: > 0 })
            {
                reason = $"Entry '{entry?.Id}' has no changes.";
                return null;
            }

            foreach (var change in entry.Changes)
            {
                if (!string.Equals(change?.Field, "messages", StringComparison.Ordinal))
                {
                    reason = $"Change field '{change?.Field}' is not supported; only 'messages' is.";
                    return null;
                }

                if (string.IsNullOrEmpty(change?.Value?.Metadata?.PhoneNumberId))
                {
                    reason = "A 'messages' change has no metadata.phone_number_id.";
                    return null;
                }
            }
        }

        reason = null;
        return payload;
    }

    /// <summary>Maps every message and status; the first thing not understood makes the whole payload unparseable.</summary>
    /// <param name="payload">A payload <see cref="Read"/> accepted.</param>
    /// <param name="accounts">The workspace of every phone-number id in the payload.</param>
    public static WebhookResult Map(WebhookPayload payload, in WhatsAppAccounts accounts)
    {
        var events = new InboundEvent[CountEvents(payload)];
        var count = 0;
        foreach (var entry in payload.Entry!)
        {
            foreach (var change in entry.Changes!)
            {
                var value = change.Value!;
                var phoneNumberId = value.Metadata!.PhoneNumberId!;
                var channel = new ChannelAccount(ChannelKind.WhatsApp, phoneNumberId);
                var workspace = accounts[phoneNumberId];

                if (value.Errors is { Count: > 0 } errors)
                {
                    return WebhookResult.Unparseable($"The change for {phoneNumberId} reports errors instead of messages: {Describe(errors[0])}.");
                }

                if (value.Messages is null && value.Statuses is null)
                {
                    return WebhookResult.Unparseable($"The change for {phoneNumberId} has neither messages nor statuses.");
                }

                if (value.Messages is { } messages)
                {
                    foreach (var message in messages)
                    {
                        var mapped = MapMessage(message, value.Contacts, workspace, channel, out var reason);
                        if (mapped is null)
                        {
                            return WebhookResult.Unparseable(reason!);
                        }

                        events[count++] = mapped;
                    }
                }

                if (value.Statuses is { } statuses)
                {
                    foreach (var status in statuses)
                    {
                        var mapped = MapStatus(status, workspace, channel, out var reason);
                        if (mapped is null)
                        {
                            return WebhookResult.Unparseable(reason!);
                        }

                        events[count++] = mapped;
                    }
                }
            }
        }

        return WebhookResult.Events(events);
    }

    private static int CountEvents(WebhookPayload payload)
    {
        var count = 0;
        foreach (var entry in payload.Entry!)
        {
            foreach (var change in entry.Changes!)
            {
                count += (change.Value!.Messages?.Count ?? 0) + (change.Value.Statuses?.Count ?? 0);
            }
        }

        return count;
    }

    private static InboundEvent? MapMessage(WaMessage? m, List<WaContact>? contacts, WorkspaceId workspace, ChannelAccount channel, out string? reason)
    {
        if (m is null || string.IsNullOrEmpty(m.Id) || string.IsNullOrEmpty(m.From))
        {
            reason = "A message has no id or no sender ('from').";
            return null;
        }

        if (!TryTime(m.Timestamp, out var occurredAt))
        {
            reason = $"Message {m.Id} has timestamp '{m.Timestamp}', not Unix seconds.";
            return null;
        }

        var customer = new ContactHandle(ChannelKind.WhatsApp, m.From);

        if (m.Type == "reaction")
        {
            if (string.IsNullOrEmpty(m.Reaction?.MessageId))
            {
                reason = $"Reaction {m.Id} names no message_id.";
                return null;
            }

            reason = null;
            return new InboundReaction
            {
                WorkspaceId = workspace,
                Channel = channel,
                Customer = customer,
                OccurredAt = occurredAt,
                TargetPlatformMessageId = m.Reaction.MessageId,
                Emoji = string.IsNullOrEmpty(m.Reaction.Emoji) ? null : m.Reaction.Emoji,
            };
        }

        string? text = null;
        string? payload = null;
        Attachment? attachment = null;
        switch (m.Type)
        {
            case "text" when m.Text?.Body is not null:
                text = m.Text.Body;
                break;
            case "image" when m.Image is not null:
                attachment = Media(AttachmentKind.Image, m.Image, out text);
                break;
            case "video" when m.Video is not null:
                attachment = Media(AttachmentKind.Video, m.Video, out text);
                break;
            case "audio" when m.Audio is not null:
                attachment = Media(AttachmentKind.Audio, m.Audio, out text);
                break;
            case "document" when m.Document is not null:
                attachment = Media(AttachmentKind.File, m.Document, out text);
                break;
            case "sticker" when m.Sticker is not null:
                attachment = Media(AttachmentKind.Sticker, m.Sticker, out text);
                break;
            case "location" when m.Location is { Latitude: { } lat, Longitude: { } lon }:
                attachment = new Attachment
                {
                    Kind = AttachmentKind.Location,
                    Location = new GeoLocation(lat, lon, m.Location.Name, m.Location.Address),
                    Url = Uri.TryCreate(m.Location.Url, UriKind.Absolute, out var url) ? url : null,
                    Name = m.Location.Name,
                };
                break;
            case "interactive" when (m.Interactive?.Type == "button_reply" ? m.Interactive.ButtonReply : m.Interactive?.Type == "list_reply" ? m.Interactive.ListReply : null) is { Id: not null } reply:
                payload = reply.Id;
                text = reply.Title;
                break;
            case "button" when m.Button is not null:
                payload = m.Button.Payload;
                text = m.Button.Text;
                break;
            default:
                var detail = m.Type == "interactive" ? $" (interactive type '{m.Interactive?.Type}')" : string.Empty;
                var errors = m.Errors is { Count: > 0 } e ? $"; the platform says: {Describe(e[0])}" : string.Empty;
                reason = $"Message {m.Id} has type '{m.Type}'{detail}, which the WhatsApp adapter does not understand or which lacks its '{m.Type}' object{errors}.";
                return null;
        }

        if (attachment is { Kind: not AttachmentKind.Location, Url: null })
        {
            reason = $"Message {m.Id} of type '{m.Type}' has no media id.";
            return null;
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = workspace,
            Channel = channel,
            Customer = customer,
            OccurredAt = occurredAt,
            PlatformMessageId = m.Id,
            Text = text,
            Attachments = attachment is null ? [] : [attachment],
            Payload = payload,
            ReplyToPlatformMessageId = string.IsNullOrEmpty(m.Context?.Id) ? null : m.Context.Id,
            Visibility = ConversationVisibility.Private,
            Profile = Profile(contacts, m.From),
        };
    }

    private static Attachment Media(AttachmentKind kind, WaMedia media, out string? caption)
    {
        caption = string.IsNullOrEmpty(media.Caption) ? null : media.Caption;
        return new Attachment
        {
            Kind = kind,
            Url = string.IsNullOrEmpty(media.Id) ? null : new Uri("whatsapp-media:" + media.Id),
            MimeType = media.MimeType,
            Name = media.Filename,
        };
    }

    private static ContactProfile? Profile(List<WaContact>? contacts, string from)
    {
        if (contacts is null)
        {
            return null;
        }

        WaContact? contact = null;
        foreach (var candidate in contacts)
        {
            if (candidate?.WaId == from)
            {
                contact = candidate;
                break;
            }
        }

        contact ??= contacts.Count == 1 ? contacts[0] : null;
        return contact?.Profile?.Name is { Length: > 0 } name ? new ContactProfile { Name = name } : null;
    }

    private static InboundStatus? MapStatus(WaStatus? s, WorkspaceId workspace, ChannelAccount channel, out string? reason)
    {
        if (s is null || string.IsNullOrEmpty(s.Id) || string.IsNullOrEmpty(s.RecipientId))
        {
            reason = "A status has no message id or no recipient_id.";
            return null;
        }

        if (!TryTime(s.Timestamp, out var occurredAt))
        {
            reason = $"The status of {s.Id} has timestamp '{s.Timestamp}', not Unix seconds.";
            return null;
        }

        DeliveryStatus? status = s.Status switch
        {
            "sent" => DeliveryStatus.Sent,
            "delivered" => DeliveryStatus.Delivered,
            "read" => DeliveryStatus.Read,
            "failed" => DeliveryStatus.Failed,
            _ => null,
        };
        if (status is null)
        {
            reason = $"The status of {s.Id} is '{s.Status}', which the WhatsApp adapter does not understand.";
            return null;
        }

        var error = s.Errors is { Count: > 0 } errors ? errors[0] : null;
        reason = null;
        return new InboundStatus
        {
            WorkspaceId = workspace,
            Channel = channel,
            Customer = new ContactHandle(ChannelKind.WhatsApp, s.RecipientId),
            OccurredAt = occurredAt,
            PlatformMessageId = s.Id,
            Status = status.Value,
            FailureCode = error?.Code?.ToString(CultureInfo.InvariantCulture),
            FailureReason = error is null ? null : FirstText(error.ErrorData?.Details, error.Title, error.Message),
            OutboundMessageId = MessageId.TryParse(s.BizOpaqueCallbackData, out var ours) ? ours : null,
        };
    }

    private static bool TryTime(string? seconds, out DateTimeOffset time)
    {
        if (long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 253_402_300_800)
        {
            time = DateTimeOffset.FromUnixTimeSeconds(value);
            return true;
        }

        time = default;
        return false;
    }

    private static string Describe(WaError error) =>
        $"{error.Code?.ToString(CultureInfo.InvariantCulture) ?? "no code"} {FirstText(error.ErrorData?.Details, error.Title, error.Message) ?? string.Empty}".TrimEnd();

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

/// <summary>
/// The workspace of each phone-number id in one webhook: the usual single number without a dictionary, more in one.
/// </summary>
internal struct WhatsAppAccounts
{
    private string? _firstId;
    private WorkspaceId _first;
    private Dictionary<string, WorkspaceId>? _more;

    /// <summary>The workspace of a phone-number id that was added.</summary>
    public readonly WorkspaceId this[string phoneNumberId] =>
        string.Equals(phoneNumberId, _firstId, StringComparison.Ordinal) ? _first : _more![phoneNumberId];

    public readonly bool Contains(string phoneNumberId) =>
        string.Equals(phoneNumberId, _firstId, StringComparison.Ordinal) || (_more?.ContainsKey(phoneNumberId) ?? false);

    public void Add(string phoneNumberId, WorkspaceId workspace)
    {
        if (_firstId is null)
        {
            _firstId = phoneNumberId;
            _first = workspace;
        }
        else
        {
            (_more ??= new Dictionary<string, WorkspaceId>(StringComparer.Ordinal)).Add(phoneNumberId, workspace);
        }
    }

    /// <summary>The phone-number ids, comma-separated (for the debug log).</summary>
    public override readonly string ToString() =>
        _more is null ? _firstId ?? string.Empty : string.Join(',', _more.Keys.Prepend(_firstId!));
}
