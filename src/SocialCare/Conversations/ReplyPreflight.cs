using SocialCare.Channels;
using SocialCare.Outbound;

namespace SocialCare.Conversations;

/// <summary>
/// Checks an agent's reply, when it is made, against the conversation's channel adapter: first what its
/// <see cref="ChannelCapabilities"/> declare (naming the offending field), then the adapter's own rules for sending now
/// (<see cref="IChannelAdapter.CheckOutbound"/>: a closed customer-service window, a length as the platform counts it).
/// The agent learns at once instead of seeing the queued reply fail when the dispatcher hands it to the adapter.
/// Channels without a registered adapter are not checked here (the dispatcher fails their replies with a clear
/// reason). The adapter checks again when it sends: a window can close while a reply waits in the outbox.
/// </summary>
internal sealed class ReplyPreflight
{
    private readonly Dictionary<ChannelKind, IChannelAdapter> _byKind = [];

    public ReplyPreflight(IEnumerable<IChannelAdapter> adapters)
    {
        foreach (var adapter in adapters)
        {
            // The dispatcher refuses two adapters for one kind; the same instance registered twice is one.
            _byKind.TryAdd(adapter.Kind, adapter);
        }
    }

    /// <summary>
    /// Throws <see cref="CareValidationException"/> naming the field, or <see cref="ReplyRefusedException"/>, when the
    /// channel would not send <paramref name="message"/> (the reply about to be stored).
    /// </summary>
    public void Check(Conversation conversation, AgentReply reply, Message message)
    {
        if (!_byKind.TryGetValue(conversation.Channel.Kind, out var adapter))
        {
            return;
        }

        CheckCapabilities(adapter.Capabilities, conversation, reply);
        if (adapter.CheckOutbound(OutboundMessages.For(message, conversation)) is { } refused)
        {
            throw new ReplyRefusedException(conversation.Channel.Kind, refused.ErrorCode, refused.Reason);
        }
    }

    private static void CheckCapabilities(ChannelCapabilities capabilities, Conversation conversation, AgentReply reply)
    {
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
