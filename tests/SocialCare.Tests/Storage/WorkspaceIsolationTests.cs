namespace SocialCare.Storage;

/// <summary>Nothing crosses workspaces: same handles and platform ids in two tenants stay apart.</summary>
public sealed class WorkspaceIsolationTests : IAsyncDisposable
{
    private static readonly AgentId Agent = new("agent-1");
    private readonly CareHost _host = CareHost.Create();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<string> Operations => new()
    {
        "get", "messages", "reply", "note", "assign", "unassign", "tag", "untag", "priority", "pending", "snooze", "resolve", "reopen",
    };

    [Fact]
    public async Task IngestAsync_SameHandleAndPlatformIdInTwoWorkspaces_KeepsSeparateContactsAndConversations()
    {
        var acme = await _host.IngestAsync(_host.Message("wamid.1", text: "acme order", workspace: CareHost.Acme));
        var globex = await _host.IngestAsync(_host.Message("wamid.1", text: "globex order", workspace: CareHost.Globex));

        Assert.Equal(IngestOutcome.Accepted, acme.Outcome);
        Assert.Equal(IngestOutcome.Accepted, globex.Outcome); // not a duplicate of the other tenant's message
        Assert.NotEqual(acme.ConversationId, globex.ConversationId);
        var handle = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice);
        var acmeContact = await _host.FindContactAsync(handle, CareHost.Acme);
        var globexContact = await _host.FindContactAsync(handle, CareHost.Globex);
        Assert.NotNull(acmeContact);
        Assert.NotNull(globexContact);
        Assert.NotEqual(acmeContact.Id, globexContact.Id);
        Assert.Equal(CareHost.Acme, acmeContact.WorkspaceId);
        Assert.Equal(CareHost.Globex, globexContact.WorkspaceId);
        Assert.Equal("acme order", Assert.Single(await _host.MessagesAsync(acme.ConversationId!.Value, CareHost.Acme)).Text);
        Assert.Equal("globex order", Assert.Single(await _host.MessagesAsync(globex.ConversationId!.Value, CareHost.Globex)).Text);
    }

    [Fact]
    public async Task ListAsync_InOneWorkspace_NeverReturnsTheOthersRows()
    {
        for (var i = 0; i < 5; i++)
        {
            await _host.IngestAsync(_host.Message($"wamid.{i}", customer: $"49151{i}", text: "acme text", workspace: CareHost.Acme));
            await _host.IngestAsync(_host.Message($"wamid.{i}", customer: $"49151{i}", text: "globex text", workspace: CareHost.Globex));
        }

        await _host.IngestAsync(_host.Message("wamid.extra", customer: "4915199", text: "globex only", workspace: CareHost.Globex));

        var acme = await _host.ListAllAsync(workspace: CareHost.Acme);
        var globex = await _host.ListAllAsync(workspace: CareHost.Globex);
        Assert.Equal(5, acme.Count);
        Assert.Equal(6, globex.Count);
        Assert.All(acme, c => Assert.Equal(CareHost.Acme, c.WorkspaceId));
        Assert.All(globex, c => Assert.Equal(CareHost.Globex, c.WorkspaceId));
        Assert.Empty(acme.Select(c => c.Id).Intersect(globex.Select(c => c.Id)));
        Assert.Empty(await _host.ListAllAsync(new ConversationQuery { TextContains = "globex" }, CareHost.Acme));
        Assert.Equal(6, (await _host.ListAllAsync(new ConversationQuery { TextContains = "globex" }, CareHost.Globex)).Count);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task InboxOperation_WithOtherWorkspacesConversationId_ThrowsNotFoundAndChangesNothing(string operation)
    {
        var acme = await _host.ReceiveAsync("wamid.1", workspace: CareHost.Acme);
        await _host.ReceiveAsync("wamid.1", workspace: CareHost.Globex);
        var acmeSnapshot = await _host.SnapshotAsync(CareHost.Acme);
        var globexSnapshot = await _host.SnapshotAsync(CareHost.Globex);
        var inbox = _host.Inbox;
        var ws = CareHost.Globex;
        var id = acme.Id;

        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(async () =>
        {
            switch (operation)
            {
                case "get": await inbox.GetAsync(ws, id); break;
                case "messages": await inbox.GetMessagesAsync(ws, new MessageQuery { ConversationId = id }); break;
                case "reply": await inbox.ReplyAsync(ws, id, new AgentReply { Agent = Agent, Text = "hi" }); break;
                case "note": await inbox.AddNoteAsync(ws, id, Agent, "note"); break;
                case "assign": await inbox.AssignAsync(ws, id, Agent); break;
                case "unassign": await inbox.UnassignAsync(ws, id); break;
                case "tag": await inbox.TagAsync(ws, id, ["vip"]); break;
                case "untag": await inbox.UntagAsync(ws, id, ["vip"]); break;
                case "priority": await inbox.SetPriorityAsync(ws, id, ConversationPriority.Urgent); break;
                case "pending": await inbox.MarkPendingAsync(ws, id); break;
                case "snooze": await inbox.SnoozeAsync(ws, id, _host.Now.AddHours(1)); break;
                case "resolve": await inbox.ResolveAsync(ws, id); break;
                case "reopen": await inbox.ReopenAsync(ws, id); break;
                default: throw new ArgumentOutOfRangeException(nameof(operation));
            }
        });

        Assert.Equal(CareHost.Globex, ex.WorkspaceId);
        Assert.Equal(acme.Id, ex.ConversationId);
        Assert.Equal(acmeSnapshot, await _host.SnapshotAsync(CareHost.Acme));
        Assert.Equal(globexSnapshot, await _host.SnapshotAsync(CareHost.Globex));
    }

    [Fact]
    public async Task GetContactAsync_WithOtherWorkspacesContactId_ThrowsContactNotFound()
    {
        var acme = await _host.ReceiveAsync("wamid.1", workspace: CareHost.Acme);

        var ex = await Assert.ThrowsAsync<ContactNotFoundException>(async () => await _host.Inbox.GetContactAsync(CareHost.Globex, acme.ContactId));

        Assert.Equal(CareHost.Globex, ex.WorkspaceId);
    }

    [Fact]
    public async Task MergeContactsAsync_AcrossWorkspaces_ThrowsContactNotFoundAndMergesNothing()
    {
        var acme = await _host.ReceiveAsync("wamid.1", workspace: CareHost.Acme);
        var globex = await _host.ReceiveAsync("wamid.1", customer: CareHost.Bob, workspace: CareHost.Globex);

        await Assert.ThrowsAsync<ContactNotFoundException>(async () => await _host.Inbox.MergeContactsAsync(CareHost.Acme, acme.ContactId, globex.ContactId));

        Assert.Null((await _host.Inbox.GetContactAsync(CareHost.Globex, globex.ContactId)).MergedInto);
        Assert.Single((await _host.Inbox.GetContactAsync(CareHost.Acme, acme.ContactId)).Handles);
    }

    [Fact]
    public async Task IngestAsync_StatusForOtherWorkspacesMessage_IsUnmatched()
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, workspace: CareHost.Acme));

        var status = _host.Status("wamid.out", DeliveryStatus.Read) with { WorkspaceId = CareHost.Globex };
        var result = await _host.IngestAsync(status);

        Assert.Equal(IngestOutcome.Unmatched, result.Outcome);
        var stored = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out", CareHost.Acme);
        Assert.Equal(DeliveryStatus.Sent, stored!.Delivery!.Status);
    }

    [Fact]
    public async Task IngestAsync_UnknownWorkspace_ThrowsWorkspaceNotFound()
    {
        var unknown = new WorkspaceId("initech");

        var ex = await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _host.IngestAsync(_host.Message("wamid.1", workspace: unknown)));

        Assert.Equal(unknown, ex.WorkspaceId);
        Assert.Contains("initech", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _host.Store.GetWorkspaceAsync(unknown, CancellationToken.None));
    }

    [Fact]
    public async Task InboxOperations_UnknownWorkspace_ThrowWorkspaceNotFound()
    {
        var unknown = new WorkspaceId("initech");

        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _host.Inbox.ListAsync(unknown, new ConversationQuery()));
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _host.Inbox.GetAsync(unknown, ConversationId.New(_host.Now)));
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _host.Inbox.ResolveAsync(unknown, ConversationId.New(_host.Now)));
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _host.Inbox.GetContactAsync(unknown, ContactId.New(_host.Now)));
    }

    [Fact]
    public async Task InboxOperations_EmptyWorkspaceId_ThrowValidationNamingWorkspace()
    {
        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ListAsync(default, new ConversationQuery()));

        Assert.Equal("workspaceId", ex.Field);
    }
}
