using SocialCare.Channels;
using SocialCare.Outbound;

namespace SocialCare.Conversations;

/// <summary>
/// A reply is checked against what its channel's adapter declares it can send when the agent makes it (not only when
/// the dispatcher sends it), and a template reply travels through the outbox to the adapter as a template.
/// </summary>
public sealed class ReplyCapabilityTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");

    private readonly ScriptedAdapter _whatsApp = new(ChannelKind.WhatsApp)
    {
        Capabilities = new()
        {
            MaxTextLength = 20,
            SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video],
            SupportsPublic = false,
            SupportsTemplates = true,
            CustomerServiceWindow = TimeSpan.FromHours(24),
        },
    };

    private readonly ScriptedAdapter _messenger = new(ChannelKind.Messenger) { Capabilities = new() { MaxTextLength = 2000, SupportsPublic = true } };
    private readonly CareHost _host;

    public ReplyCapabilityTests()
    {
        _host = CareHost.Create(services: services => services
            .AddSingleton<IChannelAdapter>(_whatsApp)
            .AddSingleton<IChannelAdapter>(_messenger));
    }

    private IOutboxDispatcher Dispatcher => _host.Services.GetRequiredService<IOutboxDispatcher>();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<string, string, string> Refused => new()
    {
        { "text over the channel's limit", "reply.Text", "the text is 21 characters; the whatsapp adapter sends at most 20" },
        { "attachment kind the channel cannot send", "reply.Attachments[1].Kind", "cannot send a File attachment; it sends Image, Video" },
        { "public reply on a private-only channel", "reply", "does not send public replies" },
        { "template on a channel without templates", "reply.Template", "the messenger adapter does not send templates" },
        { "attachment on a channel without attachments", "reply.Attachments[0].Kind", "it sends no attachments" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ReplyAsync_SomethingTheChannelCannotSend_ThrowsNamingFieldAndStoresNothing(string name, string field, string message)
    {
        var (channel, visibility) = name switch
        {
            "public reply on a private-only channel" => (CareHost.WhatsApp, ConversationVisibility.Public),
            "template on a channel without templates" or "attachment on a channel without attachments" => (CareHost.Messenger, ConversationVisibility.Private),
            _ => (CareHost.WhatsApp, ConversationVisibility.Private),
        };
        var conversation = await _host.ReceiveAsync("in-1", channel: channel, visibility: visibility);
        var snapshot = await _host.SnapshotAsync();
        var image = new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.png") };
        var reply = name switch
        {
            "text over the channel's limit" => new AgentReply { Agent = Ana, Text = new string('x', 21) },
            "attachment kind the channel cannot send" => new AgentReply { Agent = Ana, Attachments = [image, new Attachment { Kind = AttachmentKind.File, Url = new Uri("https://cdn.example/a.pdf") }] },
            "public reply on a private-only channel" => new AgentReply { Agent = Ana, Text = "hi" },
            "template on a channel without templates" => new AgentReply { Agent = Ana, Template = new MessageTemplate("order_update", "en_US", []) },
            "attachment on a channel without attachments" => new AgentReply { Agent = Ana, Attachments = [image] },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, reply));

        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        Assert.Equal(0, await _host.Services.GetRequiredService<IOutboxStore>().CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReplyAsync_AdapterWouldRefuseItNow_ThrowsReplyRefusedWithItsCodeAndReason_AndStoresNothing()
    {
        var conversation = await _host.ReceiveAsync("in-1");
        _host.Advance(TimeSpan.FromDays(2));
        _whatsApp.OnCheck = m => m.LastCustomerMessageAt < _host.Now - TimeSpan.FromHours(24)
            ? SendResult.Failed("service-window-closed", "The 24-hour customer service window closed.", isRetryable: false)
            : null;
        var snapshot = await _host.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<ReplyRefusedException>(async () =>
            await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Still there?", ReplyToPlatformMessageId = "in-1" }));

        Assert.Equal("reply", ex.Field);
        Assert.Equal(ChannelKind.WhatsApp, ex.Channel);
        Assert.Equal("service-window-closed", ex.Code);
        Assert.Equal("reply: the whatsapp adapter would not send it: The 24-hour customer service window closed.", ex.Message);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        var draft = Assert.Single(_whatsApp.Checked);
        Assert.Equal((conversation.WorkspaceId, conversation.Channel, conversation.Handle, conversation.Visibility), (draft.WorkspaceId, draft.Channel, draft.Recipient, draft.Visibility));
        Assert.Equal(conversation.LastCustomerMessageAt, draft.LastCustomerMessageAt);
        Assert.Equal(("Still there?", "in-1"), (draft.Text, draft.ReplyToPlatformMessageId));
        Assert.Empty(_whatsApp.Sent);
    }

    [Fact]
    public async Task ReplyAsync_WithinTheChannelsLimits_IsQueued()
    {
        var conversation = await _host.ReceiveAsync("in-1");

        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply
        {
            Agent = Ana,
            Text = new string('x', 20),
            Attachments = [new Attachment { Kind = AttachmentKind.Video, Url = new Uri("https://cdn.example/v.mp4") }],
        });

        Assert.Equal(DeliveryStatus.Queued, reply.Delivery!.Status);
    }

    [Fact]
    public async Task TemplateReply_OutsideTheWindow_IsStoredWithItsTemplate_AndSentAsATemplate()
    {
        var conversation = await _host.ReceiveAsync("in-1");
        _host.Advance(TimeSpan.FromDays(3));
        var template = new MessageTemplate("order_update", "en_US", ["A-1042", "ünï 📦"]);

        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Template = template });
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());

        Assert.Equal(template, reply.Template);
        Assert.Null(reply.Text);
        var stored = Assert.Single(await _host.MessagesAsync(conversation.Id), m => m.Id == reply.Id);
        Assert.Equal(template.Name, stored.Template!.Name);
        Assert.Equal(template.Parameters, stored.Template.Parameters);
        var sent = Assert.Single(_whatsApp.Sent);
        Assert.Equal((template.Name, template.Language), (sent.Template!.Name, sent.Template.Language));
        Assert.Equal(template.Parameters, sent.Template.Parameters);
        Assert.Null(sent.Text);
        Assert.Empty(sent.Attachments);
        Assert.Equal(conversation.LastCustomerMessageAt, sent.LastCustomerMessageAt);
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await _host.MessagesAsync(conversation.Id), m => m.Id == reply.Id).Delivery!.Status);
    }
}
