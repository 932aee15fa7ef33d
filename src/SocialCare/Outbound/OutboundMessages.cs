using SocialCare.Channels;

namespace SocialCare.Outbound;

internal static class OutboundMessages
{
    /// <summary>
    /// What an adapter is given to send a stored outbound message of <paramref name="conversation"/>: the dispatcher
    /// sends it, and a reply's preflight asks the adapter about the same message before it is stored.
    /// </summary>
    public static OutboundMessage For(Message message, Conversation conversation) => new()
    {
        WorkspaceId = message.WorkspaceId,
        Channel = message.Channel,
        Recipient = conversation.Handle,
        MessageId = message.Id,
        Text = message.Text,
        Attachments = message.Attachments,
        ReplyToPlatformMessageId = message.ReplyToPlatformMessageId,
        Template = message.Template,
        Visibility = conversation.Visibility,
        LastCustomerMessageAt = conversation.LastCustomerMessageAt,
    };
}
