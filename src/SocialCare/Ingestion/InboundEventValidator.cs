using SocialCare.Conversations;

namespace SocialCare.Ingestion;

/// <summary>Refuses malformed inbound events before anything is read or written.</summary>
internal static class InboundEventValidator
{
    public const int MaxPlatformIdLength = 512;

    public static void Validate(InboundEvent e, DateTimeOffset now, SocialCareOptions options)
    {
        var type = e.GetType().Name;
        if (e.WorkspaceId.IsEmpty)
        {
            throw new InvalidInboundEventException(type, nameof(e.WorkspaceId), "is empty; the adapter must map the channel account to a workspace.");
        }

        if (e.Channel.IsEmpty)
        {
            throw new InvalidInboundEventException(type, nameof(e.Channel), "needs both the channel kind and the account id.");
        }

        if (e.Customer.IsEmpty)
        {
            throw new InvalidInboundEventException(type, nameof(e.Customer), "needs both the channel kind and the customer's external id.");
        }

        if (e.Customer.Kind != e.Channel.Kind)
        {
            throw new InvalidInboundEventException(type, nameof(e.Customer), $"is a {e.Customer.Kind} handle on a {e.Channel.Kind} channel account.");
        }

        if (e.OccurredAt == default)
        {
            throw new InvalidInboundEventException(type, nameof(e.OccurredAt), "is missing (default value).");
        }

        if (e.OccurredAt > now + options.MaxClockSkew)
        {
            throw new InvalidInboundEventException(type, nameof(e.OccurredAt), $"{e.OccurredAt:O} is more than {options.MaxClockSkew} after now ({now:O}); check the adapter's timestamp units (seconds vs milliseconds).");
        }

        switch (e)
        {
            case InboundMessage m:
                PlatformId(type, nameof(m.PlatformMessageId), m.PlatformMessageId, required: true);
                PlatformId(type, nameof(m.ReplyToPlatformMessageId), m.ReplyToPlatformMessageId, required: false);
                Normalize.Text(m.Text, options.MaxTextLength, nameof(m.Text), type);
                Normalize.Attachments(m.Attachments, options.MaxAttachments, nameof(m.Attachments), type);
                if (string.IsNullOrEmpty(m.Text) && m.Attachments.Count == 0 && string.IsNullOrEmpty(m.Payload))
                {
                    throw new InvalidInboundEventException(type, nameof(m.Text), "a message needs text, an attachment or a payload.");
                }

                if (!Enum.IsDefined(m.Visibility))
                {
                    throw new InvalidInboundEventException(type, nameof(m.Visibility), $"'{m.Visibility}' is not a ConversationVisibility.");
                }

                break;
            case InboundStatus s:
                if (s.Status is DeliveryStatus.Queued || !Enum.IsDefined(s.Status))
                {
                    throw new InvalidInboundEventException(type, nameof(s.Status), $"'{s.Status}' is not a status a platform reports (Sent, Delivered, Read or Failed).");
                }

                if (s.PlatformMessageId is null && s.Watermark is null)
                {
                    throw new InvalidInboundEventException(type, nameof(s.PlatformMessageId), "a status needs the platform message id or a watermark.");
                }

                PlatformId(type, nameof(s.PlatformMessageId), s.PlatformMessageId, required: false);
                break;
            case InboundReaction r:
                PlatformId(type, nameof(r.TargetPlatformMessageId), r.TargetPlatformMessageId, required: true);
                if (r.Emoji is { Length: > 64 })
                {
                    throw new InvalidInboundEventException(type, nameof(r.Emoji), $"is {r.Emoji.Length} characters; a reaction is one emoji.");
                }

                break;
            case InboundEdit ed:
                PlatformId(type, nameof(ed.PlatformMessageId), ed.PlatformMessageId, required: true);
                Normalize.Text(ed.Text, options.MaxTextLength, nameof(ed.Text), type);
                break;
            case InboundDeletion d:
                PlatformId(type, nameof(d.PlatformMessageId), d.PlatformMessageId, required: true);
                break;
            case InboundConsent c:
                if (!Enum.IsDefined(c.Consent))
                {
                    throw new InvalidInboundEventException(type, nameof(c.Consent), $"'{c.Consent}' is not a ContactConsent.");
                }

                break;
            default:
                throw new InvalidInboundEventException(type, "Type", "the engine does not know this kind of inbound event.");
        }
    }

    private static void PlatformId(string type, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                throw new InvalidInboundEventException(type, field, "is required.");
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidInboundEventException(type, field, "must not be empty or white space.");
        }

        if (value.Length > MaxPlatformIdLength)
        {
            throw new InvalidInboundEventException(type, field, $"is {value.Length} characters; the limit is {MaxPlatformIdLength}.");
        }
    }
}
