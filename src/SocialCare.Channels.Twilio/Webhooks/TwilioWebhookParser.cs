using System.Globalization;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>What a verified Twilio Messaging webhook is: an incoming message or a status callback for a sent one.</summary>
/// <param name="IsStatus">True for a status callback, false for an incoming message.</param>
/// <param name="AccountNumber">The brand's number: <c>To</c> of an incoming message, <c>From</c> of a status callback.</param>
/// <param name="MessagingServiceSid">The Messaging Service the message went through, if any.</param>
internal sealed record TwilioShape(bool IsStatus, string AccountNumber, string? MessagingServiceSid);

/// <summary>
/// Turns a verified Twilio Messaging webhook (form parameters) into normalized events, or says what it did not
/// understand. Twilio webhooks carry no timestamp: every event is stamped with the time it was received.
/// </summary>
internal static class TwilioWebhookParser
{
    private const int MaxMedia = 10;

    /// <summary>Tells an incoming message from a status callback; null with a reason for any other shape.</summary>
    public static TwilioShape? Classify(FormBody form, out string? reason)
    {
        var messageSid = form["MessageSid"];
        if (string.IsNullOrEmpty(messageSid))
        {
            reason = form["CallSid"] is not null
                ? "The webhook has a CallSid and no MessageSid: it is a Twilio Voice webhook, not Messaging."
                : "The webhook has no MessageSid: it is not a Twilio Messaging webhook.";
            return null;
        }

        var status = form["MessageStatus"] ?? form["SmsStatus"];
        var isStatus = status is not null && !string.Equals(status, "received", StringComparison.Ordinal);
        var from = form["From"];
        var to = form["To"];
        if (string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to))
        {
            reason = $"Message {messageSid} has no {(string.IsNullOrEmpty(from) ? "From" : "To")}.";
            return null;
        }

        if (!isStatus && form["Body"] is null && form["NumMedia"] is null)
        {
            reason = $"Message {messageSid} has neither Body nor NumMedia, nor a MessageStatus: not an incoming message or a status callback.";
            return null;
        }

        reason = null;
        return new TwilioShape(isStatus, isStatus ? from : to, NullIfEmpty(form["MessagingServiceSid"]));
    }

    /// <summary>Maps an incoming SMS/MMS; null with a reason when a field is malformed.</summary>
    public static InboundMessage? MapMessage(FormBody form, WorkspaceId workspace, ChannelAccount channel, DateTimeOffset receivedAt, out string? reason)
    {
        var sid = form["MessageSid"]!;
        var numMedia = form["NumMedia"] ?? "0";
        if (!int.TryParse(numMedia, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxMedia)
        {
            reason = $"Message {sid} has NumMedia '{numMedia}'; expected 0 to {MaxMedia}.";
            return null;
        }

        var attachments = new List<Attachment>(count);
        for (var i = 0; i < count; i++)
        {
            var url = form[$"MediaUrl{i}"];
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                reason = $"Message {sid} declares {count} media but MediaUrl{i} is {(url is null ? "missing" : $"not an absolute URL ('{url}')")}.";
                return null;
            }

            var mime = NullIfEmpty(form[$"MediaContentType{i}"]);
            attachments.Add(new Attachment { Kind = KindOf(mime), Url = uri, MimeType = mime });
        }

        reason = null;
        return new InboundMessage
        {
            WorkspaceId = workspace,
            Channel = channel,
            Customer = new ContactHandle(ChannelKind.Sms, form["From"]!),
            OccurredAt = receivedAt,
            PlatformMessageId = sid,
            Text = NullIfEmpty(form["Body"]),
            Attachments = attachments,
            Visibility = ConversationVisibility.Private,
        };
    }

    /// <summary>
    /// Maps a status callback. Null with a null reason for the steps before the carrier (accepted, scheduled, queued,
    /// sending), which SocialCare already knows as Queued; null with a reason for a status it does not understand.
    /// </summary>
    public static InboundStatus? MapStatus(FormBody form, WorkspaceId workspace, ChannelAccount channel, DateTimeOffset receivedAt, out string? reason)
    {
        var sid = form["MessageSid"]!;
        var status = (form["MessageStatus"] ?? form["SmsStatus"])!;
        reason = null;
        DeliveryStatus mapped;
        switch (status)
        {
            case "accepted" or "scheduled" or "queued" or "sending":
                return null;
            case "sent":
                mapped = DeliveryStatus.Sent;
                break;
            case "delivered":
                mapped = DeliveryStatus.Delivered;
                break;
            case "read":
                mapped = DeliveryStatus.Read;
                break;
            case "undelivered" or "failed" or "canceled":
                mapped = DeliveryStatus.Failed;
                break;
            default:
                reason = $"The status of {sid} is '{status}', which the Twilio adapter does not understand.";
                return null;
        }

        string? code = null;
        string? why = null;
        if (mapped == DeliveryStatus.Failed)
        {
            code = NullIfEmpty(form["ErrorCode"]);
            why = NullIfEmpty(form["ErrorMessage"])
                ?? (status == "canceled" ? "The scheduled message was canceled." : null)
                ?? (code is null
                    ? $"Twilio reports the message {status}."
                    : $"Twilio reports the message {status} with error {code} (https://www.twilio.com/docs/api/errors/{code}).");
        }

        return new InboundStatus
        {
            WorkspaceId = workspace,
            Channel = channel,
            Customer = new ContactHandle(ChannelKind.Sms, form["To"]!),
            OccurredAt = receivedAt,
            PlatformMessageId = sid,
            Status = mapped,
            FailureCode = code,
            FailureReason = why,
        };
    }

    private static AttachmentKind KindOf(string? mime) => mime switch
    {
        _ when mime is null => AttachmentKind.File,
        _ when mime.StartsWith("image/", StringComparison.OrdinalIgnoreCase) => AttachmentKind.Image,
        _ when mime.StartsWith("video/", StringComparison.OrdinalIgnoreCase) => AttachmentKind.Video,
        _ when mime.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) => AttachmentKind.Audio,
        _ => AttachmentKind.File,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
