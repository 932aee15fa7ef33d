using SocialCare.Channels;

namespace SocialCare.Outbound;

/// <summary>A store failure while dispatching affects only its own reply, and never leads to a second send.</summary>
public sealed class OutboxFailureTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private readonly FaultyStore _store = new();
    private readonly ScriptedAdapter _whatsApp = new(ChannelKind.WhatsApp);
    private readonly CareHost _host;

    public OutboxFailureTests()
    {
        _host = CareHost.Create(
            care => care.UseStore(_ => _store).ConfigureOutbox(o => { o.Lease = TimeSpan.FromMinutes(1); o.RetryBaseDelay = TimeSpan.FromSeconds(10); }),
            services => services.AddSingleton<IChannelAdapter>(_whatsApp));
    }

    private IOutboxDispatcher Dispatcher => _host.Services.GetRequiredService<IOutboxDispatcher>();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<Message> ReplyAsync(WorkspaceId workspace, string inbound)
    {
        var conversation = await _host.ReceiveAsync(inbound, workspace: workspace);
        return await _host.Inbox.ReplyAsync(workspace, conversation.Id, new AgentReply { Agent = Ana, Text = "On it." });
    }

    [Fact]
    public async Task StoreFailureBeforeTheSend_OtherRepliesGoOut_AndTheFailedOneIsRetriedLater()
    {
        var acme = await ReplyAsync(CareHost.Acme, "wamid.a");
        var globex = await ReplyAsync(CareHost.Globex, "wamid.g");
        _store.FailingWorkspace = CareHost.Globex;

        Assert.Equal(2, await Dispatcher.DispatchDueAsync()); // does not throw

        Assert.Equal([acme.Id], _whatsApp.Sent.Select(s => s.MessageId));
        _store.FailingWorkspace = null;
        _host.Advance(TimeSpan.FromSeconds(13)); // the first retry delay: 10 s plus up to 20 % jitter
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());
        Assert.Equal([acme.Id, globex.Id], _whatsApp.Sent.Select(s => s.MessageId));
    }

    [Fact]
    public async Task StoreFailureAfterTheSend_IsNeverResent_AndEndsAsUnknownOutcome()
    {
        var reply = await ReplyAsync(CareHost.Acme, "wamid.a");
        _whatsApp.OnSend = () => _store.FailingWorkspace = CareHost.Acme; // the platform took it; recording fails

        Assert.Equal(1, await Dispatcher.DispatchDueAsync());
        _store.FailingWorkspace = null;
        _host.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Dispatcher.DispatchDueAsync());

        Assert.Single(_whatsApp.Sent);
        var stored = Assert.Single(await _host.MessagesAsync(reply.ConversationId), m => m.Id == reply.Id);
        Assert.Equal(DeliveryStatus.Failed, stored.Delivery!.Status);
        Assert.Equal("socialcare.outcome_unknown", stored.Delivery.FailureCode);
    }

    /// <summary>The in-memory store, whose sessions of one chosen workspace fail to open.</summary>
    private sealed class FaultyStore : ICareStore, IOutboxStore, IDeadLetterStore
    {
        private readonly InMemoryCareStore _inner = new();

        public WorkspaceId? FailingWorkspace { get; set; }

        public ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) => _inner.CreateWorkspaceAsync(workspace, cancellationToken);

        public ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) => _inner.GetWorkspaceAsync(workspaceId, cancellationToken);

        public ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
            workspaceId == FailingWorkspace ? throw new TimeoutException("the database did not answer") : _inner.BeginAsync(workspaceId, cancellationToken);

        public ValueTask<IReadOnlyList<OutboxEntry>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken) =>
            _inner.ClaimDueAsync(owner, now, lease, maxCount, cancellationToken);

        public ValueTask<bool> MarkSendStartedAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
            _inner.MarkSendStartedAsync(workspaceId, messageId, owner, now, cancellationToken);

        public ValueTask<bool> RescheduleAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError, CancellationToken cancellationToken) =>
            _inner.RescheduleAsync(workspaceId, messageId, owner, dueAt, lastError, cancellationToken);

        public ValueTask<bool> CompleteAsync(WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken cancellationToken) =>
            _inner.CompleteAsync(workspaceId, messageId, owner, cancellationToken);

        public ValueTask<long> CountAsync(CancellationToken cancellationToken) => _inner.CountAsync(cancellationToken);

        public ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken) => _inner.AddDeadLetterAsync(deadLetter, cancellationToken);

        public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken) => _inner.ListDeadLettersAsync(maxCount, cancellationToken);

        public ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken) => _inner.DeleteDeadLetterAsync(id, cancellationToken);
    }
}
