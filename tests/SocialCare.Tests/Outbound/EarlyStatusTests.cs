using SocialCare.Channels;

namespace SocialCare.Outbound;

/// <summary>
/// A platform's status webhook can arrive before the dispatcher has recorded the platform id of the reply (WhatsApp
/// sends "sent" within milliseconds). When the status carries our own id back, it still finds the reply.
/// </summary>
public sealed class EarlyStatusTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private readonly ScriptedAdapter _whatsApp = new(ChannelKind.WhatsApp);
    private readonly CareHost _host;

    public EarlyStatusTests()
    {
        _host = CareHost.Create(services: services => services.AddSingleton<IChannelAdapter>(_whatsApp));
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task StatusCarryingOurId_BeforeTheSendIsRecorded_FindsTheReply_AndTheSendIsStillRecordedOnce()
    {
        var conversation = await _host.ReceiveAsync("wamid.in");
        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "On it." });
        _whatsApp.Then(SendResult.Sent("wamid.out"));
        _whatsApp.OnSend = () =>
        {
            _whatsApp.OnSend = null;
            var result = _host.IngestAsync(_host.Status("wamid.out", DeliveryStatus.Delivered) with { OutboundMessageId = reply.Id }).AsTask().GetAwaiter().GetResult();
            Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        };

        await _host.Services.GetRequiredService<IOutboxDispatcher>().DispatchDueAsync();

        var stored = Assert.Single(await _host.MessagesAsync(conversation.Id), m => m.Id == reply.Id);
        Assert.Equal("wamid.out", stored.PlatformMessageId);
        Assert.Equal(DeliveryStatus.Delivered, stored.Delivery!.Status); // the later status is not undone by the record
        Assert.Single(_whatsApp.Sent);
        Assert.Equal("wamid.out", Assert.Single(_host.Events.Of<ReplySent>()).Message.PlatformMessageId);
        Assert.Equal(0, await _host.Services.GetRequiredService<IOutboxStore>().CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StatusCarryingAnIdOfAnotherChannelsMessage_IsUnmatched()
    {
        var conversation = await _host.ReceiveAsync("mid.in", channel: CareHost.Messenger);
        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Hi" });

        var result = await _host.IngestAsync(_host.Status("wamid.other", DeliveryStatus.Sent) with { OutboundMessageId = reply.Id });

        Assert.Equal(IngestOutcome.Unmatched, result.Outcome);
        Assert.Null(Assert.Single(await _host.MessagesAsync(conversation.Id), m => m.Id == reply.Id).PlatformMessageId);
    }
}
