using System.Net;
using System.Text.Json;
using SocialCare.Channels.Testing;
using SocialCare.Testing.Channels;

namespace SocialCare.EndToEnd;

/// <summary>
/// An agent's reply, queued through <see cref="ICareInbox.ReplyAsync"/> and sent by the outbox dispatcher, reaches the
/// platform as the exact API request, and the message becomes Sent with the platform's id.
/// </summary>
public sealed class AgentReplyTests
{
    internal static readonly AgentId Agent = new("agent-ana");

    [Fact]
    public async Task WhatsAppReply_ReachesGraphApiAsExactRequest_AndIsSentWithPlatformId()
    {
        await using var host = await EndToEndHost.StartAsync();
        var queued = await ReplyToWhatsAppCustomerAsync(host, "Thanks, Mauricio! How can we help?");
        Assert.Equal(DeliveryStatus.Queued, queued.Delivery?.Status);
        host.Platform.RespondWith(200, """{"messaging_product":"whatsapp","contacts":[{"input":"1111111111111","wa_id":"1111111111111"}],"messages":[{"id":"wamid.e2e-reply-1"}]}""");
        host.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());

        var request = Assert.Single(host.Platform.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/409552778964973/messages", request.PathAndQuery);
        Assert.Equal("Bearer " + EndToEndHost.WhatsAppAccessToken, request.GetHeader("Authorization"));
        Assert.StartsWith("application/json", request.GetHeader("Content-Type"), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(request.Body);
        var body = json.RootElement;
        Assert.Equal(
            ["biz_opaque_callback_data", "messaging_product", "recipient_type", "text", "to", "type"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("whatsapp", body.GetProperty("messaging_product").GetString());
        Assert.Equal("individual", body.GetProperty("recipient_type").GetString());
        Assert.Equal("1111111111111", body.GetProperty("to").GetString());
        Assert.Equal("text", body.GetProperty("type").GetString());
        Assert.Equal("Thanks, Mauricio! How can we help?", body.GetProperty("text").GetProperty("body").GetString());
        Assert.Equal(queued.Id.ToString(), body.GetProperty("biz_opaque_callback_data").GetString());

        var sent = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Sent, sent.Delivery?.Status);
        Assert.Equal(EndToEndHost.Start.AddMinutes(1), sent.Delivery?.UpdatedAt);
        Assert.Equal("wamid.e2e-reply-1", sent.PlatformMessageId);
        Assert.Equal(MessageDirection.Outbound, sent.Direction);
        Assert.Equal(new MessageAuthor(AuthorKind.Agent, Agent.Value), sent.Author);
        var published = Assert.Single(host.Events.Sent);
        Assert.Equal(queued.Id, published.Message.Id);
        Assert.Equal("wamid.e2e-reply-1", published.Message.PlatformMessageId);
        Assert.Equal(0, await host.Outbox.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WhatsAppAfterTheWindow_FreeFormReplyIsRefusedWithTheReason_TemplateReplyReachesGraphApiAsTemplate()
    {
        await using var host = await EndToEndHost.StartAsync();
        var conversation = await ReceiveAsync(host, ChannelKind.WhatsApp, "whatsapp/bwa-message-text.json", EndToEndHost.WhatsAppNumber);
        host.Time.Advance(TimeSpan.FromHours(25)); // the customer wrote at 2023-01-05 19:39:38Z: the window closed a day later

        var before = await host.Inbox.GetAsync(EndToEndHost.Workspace, conversation.Id);

        var refused = await Assert.ThrowsAsync<ReplyRefusedException>(async () =>
            await host.Inbox.ReplyAsync(EndToEndHost.Workspace, conversation.Id, new AgentReply { Agent = Agent, Text = "Still there?" }));

        Assert.Equal("reply", refused.Field);
        Assert.Equal(ChannelKind.WhatsApp, refused.Channel);
        Assert.Equal("service-window-closed", refused.Code);
        Assert.Contains("24-hour customer service window closed at 2023-01-06 19:39:38Z", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await host.Inbox.GetAsync(EndToEndHost.Workspace, conversation.Id)); // nothing stored
        Assert.Equal(0, await host.Outbox.CountAsync(CancellationToken.None));
        Assert.Equal(0, await host.Dispatcher.DispatchDueAsync());
        Assert.Empty(host.Platform.Requests);

        var template = new MessageTemplate("order_update", "en_US", ["A-1042"]);
        var queued = await host.Inbox.ReplyAsync(EndToEndHost.Workspace, conversation.Id, new AgentReply { Agent = Agent, Template = template });
        host.Platform.RespondWith(200, """{"messaging_product":"whatsapp","contacts":[{"input":"1111111111111","wa_id":"1111111111111"}],"messages":[{"id":"wamid.e2e-template-1"}]}""");
        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());

        var request = Assert.Single(host.Platform.Requests);
        Assert.Equal("/409552778964973/messages", request.PathAndQuery);
        using var json = JsonDocument.Parse(request.Body);
        var body = json.RootElement;
        Assert.Equal(
            ["biz_opaque_callback_data", "messaging_product", "recipient_type", "template", "to", "type"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("template", body.GetProperty("type").GetString());
        Assert.Equal("1111111111111", body.GetProperty("to").GetString());
        var sentTemplate = body.GetProperty("template");
        Assert.Equal("order_update", sentTemplate.GetProperty("name").GetString());
        Assert.Equal("en_US", sentTemplate.GetProperty("language").GetProperty("code").GetString());
        var component = Assert.Single(sentTemplate.GetProperty("components").EnumerateArray().ToArray());
        Assert.Equal("body", component.GetProperty("type").GetString());
        var parameter = Assert.Single(component.GetProperty("parameters").EnumerateArray().ToArray());
        Assert.Equal("text", parameter.GetProperty("type").GetString());
        Assert.Equal("A-1042", parameter.GetProperty("text").GetString());

        var sent = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Sent, sent.Delivery?.Status);
        Assert.Equal("wamid.e2e-template-1", sent.PlatformMessageId);
        Assert.Equal(template.Name, sent.Template?.Name);
    }

    [Fact]
    public async Task TelegramReply_ReachesBotApiAsSendMessage_AndIsSentWithPlatformId()
    {
        await using var host = await EndToEndHost.StartAsync();
        var conversation = await ReceiveAsync(host, ChannelKind.Telegram, "telegram/tlx-update-message-private-text.json", EndToEndHost.TelegramBot);
        var queued = await host.Inbox.ReplyAsync(EndToEndHost.Workspace, conversation.Id, new AgentReply { Agent = Agent, Text = "Hi Waffle, how can we help?" });
        host.Platform.RespondWith(200, """{"ok":true,"result":{"message_id":6558,"from":{"id":123456789,"is_bot":true,"first_name":"Support"},"chat":{"id":218485655,"type":"private"},"date":1672948800,"text":"Hi Waffle, how can we help?"}}""");

        Assert.Equal(1, await host.Dispatcher.DispatchDueAsync());

        var request = Assert.Single(host.Platform.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/bot" + EndToEndHost.TelegramBotToken + "/sendMessage", request.PathAndQuery);
        using var json = JsonDocument.Parse(request.Body);
        var body = json.RootElement;
        Assert.Equal(JsonValueKind.Number, body.GetProperty("chat_id").ValueKind);
        Assert.Equal(218485655, body.GetProperty("chat_id").GetInt64());
        Assert.Equal("Hi Waffle, how can we help?", body.GetProperty("text").GetString());

        var sent = await host.MessageAsync(queued);
        Assert.Equal(DeliveryStatus.Sent, sent.Delivery?.Status);
        Assert.Equal("218485655:6558", sent.PlatformMessageId);
        Assert.Equal(queued.Id, Assert.Single(host.Events.Sent).Message.Id);
    }

    /// <summary>Stores the bwa-message-text webhook and queues an agent reply in its conversation.</summary>
    internal static async Task<Message> ReplyToWhatsAppCustomerAsync(EndToEndHost host, string text)
    {
        var conversation = await ReceiveAsync(host, ChannelKind.WhatsApp, "whatsapp/bwa-message-text.json", EndToEndHost.WhatsAppNumber);
        return await host.Inbox.ReplyAsync(EndToEndHost.Workspace, conversation.Id, new AgentReply { Agent = Agent, Text = text });
    }

    /// <summary>Posts a fixture webhook (answered 200) and returns the one conversation it opened on <paramref name="account"/>.</summary>
    private static async Task<Conversation> ReceiveAsync(EndToEndHost host, ChannelKind kind, string fixture, ChannelAccount account)
    {
        using (var response = await host.PostWebhookAsync(kind, Fixtures.Bytes(fixture)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return await host.SingleConversationAsync(account);
    }

    /// <summary>A Graph API success answer for a WhatsApp send.</summary>
    internal static FakeResponse WhatsAppSent(string id) => FakeResponse.Json(
        200,
        $$"""{"messaging_product":"whatsapp","contacts":[{"input":"1111111111111","wa_id":"1111111111111"}],"messages":[{"id":"{{id}}"}]}""");
}
