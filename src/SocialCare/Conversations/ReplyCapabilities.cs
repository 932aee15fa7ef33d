using SocialCare.Channels;

namespace SocialCare.Conversations;

/// <summary>
/// Checks an agent's reply against what the conversation's channel adapter declares it can send, when the reply is
/// made: an agent learns at once that a text is too long or a file kind cannot be sent, instead of seeing the queued
/// reply fail when the dispatcher hands it to the adapter. Channels without a registered adapter are not checked
/// here (the dispatcher fails their replies with a clear reason). Rules that depend on the time of sending — the
/// customer-service window — stay with the adapter, which applies them when it sends.
/// </summary>
internal sealed class ReplyCapabilities
{
    private readonly Dictionary<ChannelKind, ChannelCapabilities> _byKind = [];

    public ReplyCapabilities(IEnumerable<IChannelAdapter> adapters)
    {
        foreach (var adapter in adapters)
        {
            // The dispatcher sends with the first adapter registered for a kind; check against that one.
            _byKind.TryAdd(adapter.Kind, adapter.Capabilities);
        }
    }

    /// <summary>Throws <see cref="CareValidationException"/> naming the field when the channel cannot send the reply.</summary>
    public void Check(Conversation conversation, AgentReply reply)
    {
        if (!_byKind.TryGetValue(conversation.Channel.Kind, out var capabilities))
        {
            return;
        }

        var kind = conversation.Channel.Kind;
        if (conversation.Visibility == ConversationVisibility.Public && !capabilities.SupportsPublic)
        {
            throw new CareValidationException("reply", $"the {kind} adapter does not send public replies, and this conversation is public.");
        }

        if (conversation.Visibility == ConversationVisibility.Private && !capabilities.SupportsPrivate)
        {
            throw new CareValidationException("reply", $"the {kind} adapter does not send private messages, and this conversation is private.");
        }

        if (reply.Template is not null && !capabilities.SupportsTemplates)
        {
            throw new CareValidationException("reply.Template", $"the {kind} adapter does not send templates; reply with text or attachments.");
        }

        if (reply.Text is { } text && text.Length > capabilities.MaxTextLength)
        {
            throw new CareValidationException("reply.Text", $"the text is {text.Length} characters; the {kind} adapter sends at most {capabilities.MaxTextLength} (ChannelCapabilities.MaxTextLength).");
        }

        for (var i = 0; i < reply.Attachments.Count; i++)
        {
            var attachmentKind = reply.Attachments[i].Kind;
            if (!capabilities.Supports(attachmentKind))
            {
                var supported = capabilities.SupportedAttachments.Count == 0 ? "no attachments" : string.Join(", ", capabilities.SupportedAttachments);
                throw new CareValidationException($"reply.Attachments[{i}].Kind", $"the {kind} adapter cannot send a {attachmentKind} attachment; it sends {supported}.");
            }
        }
    }
}
