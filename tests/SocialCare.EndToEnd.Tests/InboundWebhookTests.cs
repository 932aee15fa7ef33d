using System.Net;
using SocialCare.Channels.Testing;
using SocialCare.Storage;

namespace SocialCare.EndToEnd;

/// <summary>
/// A platform's real webhook, POSTed as its exact bytes and correctly signed to the running host, lands in the inbox:
/// one conversation on the adapter's channel account with the customer's handle, holding the customer's message with
/// its exact text and the platform's time (seconds or milliseconds, as the platform sends it).
/// </summary>
public sealed class InboundWebhookTests
{
    public static TheoryData<string> Platforms => ["whatsapp", "messenger", "telegram", "x", "sms"];

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task SignedFixture_IsStoredAsConversationWithExactMessage(string platform)
    {
        var expected = Expected(platform);
        await using var host = await EndToEndHost.StartAsync();

        using var response = await host.PostWebhookAsync(expected.Channel.Kind, Fixtures.Bytes(expected.Fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var conversation = await host.SingleConversationAsync(expected.Channel);
        Assert.Equal(EndToEndHost.Workspace, conversation.WorkspaceId);
        Assert.Equal(expected.Channel, conversation.Channel);
        Assert.Equal(new ContactHandle(expected.Channel.Kind, expected.Customer), conversation.Handle);
        Assert.Equal(ConversationVisibility.Private, conversation.Visibility);
        Assert.Equal(ConversationStatus.Open, conversation.Status);
        Assert.Equal(expected.SentAt, conversation.LastCustomerMessageAt);
        Assert.Equal(1, conversation.MessageCount);

        var message = Assert.Single(await host.MessagesAsync(conversation.Id));
        Assert.Equal(MessageDirection.Inbound, message.Direction);
        Assert.Equal(AuthorKind.Contact, message.Author.Kind);
        Assert.Equal(expected.Channel, message.Channel);
        Assert.Equal(expected.PlatformMessageId, message.PlatformMessageId);
        Assert.Equal(expected.Text, message.Text);
        Assert.Equal(expected.SentAt, message.SentAt);
        Assert.Equal(EndToEndHost.Start, message.ReceivedAt);
        Assert.Empty(message.Attachments);

        // Nothing was sent to the platform, and no other channel got a conversation.
        Assert.Empty(host.Platform.Requests);
        var all = await host.Inbox.ListAsync(EndToEndHost.Workspace, new ConversationQuery());
        Assert.Single(all.Items);
    }

    private static Expectation Expected(string platform) => platform switch
    {
        // bwa: "timestamp" is a string of Unix SECONDS.
        "whatsapp" => new(
            "whatsapp/bwa-message-text.json",
            EndToEndHost.WhatsAppNumber,
            "1111111111111",
            "wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==",
            "hi everyone!",
            DateTimeOffset.FromUnixTimeSeconds(1672947578)),

        // fbmq: "timestamp" is Unix MILLISECONDS.
        "messenger" => new(
            "messenger/fbmq-message-text.json",
            EndToEndHost.MessengerPage,
            "1134343043305865",
            "mid.1472026867074:cfb5e1d4bde07a2a55",
            "hello world",
            DateTimeOffset.FromUnixTimeMilliseconds(1472026867080)),

        // tlx: "date" is Unix SECONDS; Telegram numbers messages per chat, so the platform id is "{chat_id}:{message_id}".
        "telegram" => new(
            "telegram/tlx-update-message-private-text.json",
            EndToEndHost.TelegramBot,
            "218485655",
            "218485655:6557",
            "hello there",
            DateTimeOffset.FromUnixTimeSeconds(1569518342)),

        // X DM: "created_timestamp" is a string of Unix MILLISECONDS.
        "x" => new(
            "twitter/x-docs-direct-message-events.json",
            EndToEndHost.XUser,
            "3001969357",
            "954491830116155396",
            "Hello World!",
            DateTimeOffset.FromUnixTimeMilliseconds(1516403560557)),

        // Twilio sends no timestamp: the message's time is when the host received it (the fake clock).
        "sms" => new(
            "twilio/bb-inbound-sms-no-media.form",
            EndToEndHost.TwilioNumber,
            "+2222",
            "3333",
            "Hello",
            EndToEndHost.Start),

        _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "Unknown platform."),
    };

    private sealed record Expectation(string Fixture, ChannelAccount Channel, string Customer, string PlatformMessageId, string Text, DateTimeOffset SentAt);
}
