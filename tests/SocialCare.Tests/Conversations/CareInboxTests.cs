using SocialCare.Channels;

namespace SocialCare.Conversations;

/// <summary>The agent operations of <see cref="ICareInbox"/>: replies, notes, assignment, tags, priority, versions.</summary>
public sealed class CareInboxTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private static readonly AgentId Ben = new("agent-ben");
    private readonly CareHost _host = CareHost.Create(care => care.Configure(o => o.MaxTextLength = 50));

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<string> VersionedOperations => new()
    {
        "reply", "note", "assign", "unassign", "tag", "untag", "priority", "pending", "snooze", "resolve",
    };

    [Fact]
    public async Task ReplyAsync_ToWaitingCustomer_StoresQueuedOutboundAndClearsWaitingAndRecordsFirstResponse()
    {
        var conversation = await _host.ReceiveAsync("wamid.1", text: "Help");
        Assert.Equal(CareHost.Start, conversation.WaitingSince);
        _host.Advance(TimeSpan.FromMinutes(12));

        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Hello! Checking.", ReplyToPlatformMessageId = "wamid.1" });

        Assert.Equal(MessageDirection.Outbound, reply.Direction);
        Assert.Equal(MessageAuthor.ForAgent(Ana), reply.Author);
        Assert.Equal(new DeliveryState(DeliveryStatus.Queued, _host.Now), reply.Delivery);
        Assert.Equal(conversation.MessageCount + 1, reply.Sequence);
        Assert.Null(reply.PlatformMessageId);
        Assert.Equal("wamid.1", reply.ReplyToPlatformMessageId);
        Assert.Equal(CareHost.WhatsApp, reply.Channel);
        var after = await _host.GetAsync(conversation.Id);
        Assert.Null(after.WaitingSince);
        Assert.Equal(_host.Now, after.Cycle.FirstResponseAt);
        Assert.Equal(_host.Now, after.LastActivityAt);
        Assert.Equal(conversation.MessageCount + 1, after.MessageCount);
        Assert.Equal(conversation.Version + 1, after.Version);
        Assert.Equal(reply, (await _host.MessagesAsync(conversation.Id))[^1]);
        var queued = Assert.Single(_host.Events.Of<ReplyQueued>());
        Assert.Equal(reply, queued.Message);
        Assert.Equal(after, queued.Conversation);
    }

    [Fact]
    public async Task ReplyAsync_SecondReply_KeepsFirstResponseTime()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Advance(TimeSpan.FromMinutes(3));
        await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "First" });
        var firstResponse = _host.Now;
        _host.Advance(TimeSpan.FromMinutes(3));
        await _host.IngestAsync(_host.Message("wamid.2", text: "And?"));
        var customerAgain = _host.Now;
        var waiting = await _host.GetAsync(conversation.Id);
        _host.Advance(TimeSpan.FromMinutes(3));

        await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ben, Text = "Second" });

        var after = await _host.GetAsync(conversation.Id);
        Assert.Equal(customerAgain, waiting.WaitingSince);
        Assert.Equal(firstResponse, after.Cycle.FirstResponseAt);
        Assert.Null(after.WaitingSince);
    }

    [Fact]
    public async Task IngestAsync_TwoCustomerMessagesBeforeReply_WaitingSinceIsTheEarliest()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Advance(TimeSpan.FromMinutes(7));
        await _host.IngestAsync(_host.Message("wamid.2"));

        Assert.Equal(CareHost.Start, (await _host.GetAsync(conversation.Id)).WaitingSince);
    }

    [Fact]
    public async Task AddNoteAsync_OnWaitingConversation_StoresNoteButDoesNotAnswer()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Advance(TimeSpan.FromMinutes(5));

        var note = await _host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, Ana, "Customer is a VIP.");

        Assert.Equal(MessageDirection.Note, note.Direction);
        Assert.Null(note.Delivery);
        Assert.Equal(MessageAuthor.ForAgent(Ana), note.Author);
        var after = await _host.GetAsync(conversation.Id);
        Assert.Equal(CareHost.Start, after.WaitingSince);
        Assert.Null(after.Cycle.FirstResponseAt);
        Assert.Equal(conversation.MessageCount + 1, after.MessageCount);
        Assert.Equal(_host.Now, after.LastActivityAt);
        Assert.Empty(_host.Events.Of<ReplyQueued>());
    }

    [Fact]
    public async Task AddNoteAsync_OnResolvedConversation_IsAllowedAndKeepsItResolved()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);

        await _host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, Ana, "Closed after phone call.");

        Assert.Equal(ConversationStatus.Resolved, (await _host.GetAsync(conversation.Id)).Status);
    }

    [Fact]
    public async Task AssignAsync_ThenReassignThenUnassign_TracksAssigneeAndPublishesAssignedEvents()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Events.Clear();

        var assigned = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana);
        var reassigned = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ben);
        var unassigned = await _host.Inbox.UnassignAsync(CareHost.Acme, conversation.Id);

        Assert.Equal(Ana, assigned.Assignee);
        Assert.Equal(Ben, reassigned.Assignee);
        Assert.Null(unassigned.Assignee);
        Assert.Equal(conversation.Version + 3, unassigned.Version);
        var events = _host.Events.Of<ConversationAssigned>();
        Assert.Equal([null, Ana, Ben], events.Select(e => e.PreviousAssignee));
        Assert.Equal([Ana, Ben, null], events.Select(e => e.Conversation.Assignee));
    }

    [Fact]
    public async Task AssignAsync_SameAgentAgain_ChangesNothing()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        var assigned = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana);
        _host.Events.Clear();

        var again = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana);
        var unassignTwice = await _host.Inbox.UnassignAsync(CareHost.Acme, (await _host.Inbox.UnassignAsync(CareHost.Acme, conversation.Id)).Id);

        Assert.Equal(assigned.Version, again.Version);
        Assert.Equal(assigned.Version + 1, unassignTwice.Version);
        Assert.Single(_host.Events.Of<ConversationAssigned>());
    }

    [Fact]
    public async Task TagAsync_MixedCaseDuplicatesAndSpaces_StoresLowerCaseDistinctSorted()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var tagged = await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["Refund", " vip ", "refund", "Angry"]);
        var again = await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["VIP"]);

        Assert.Equal(["angry", "refund", "vip"], tagged.Tags);
        Assert.Equal(tagged.Version, again.Version); // nothing new: no write
    }

    [Fact]
    public async Task UntagAsync_RemovesPresentTagsAndIgnoresAbsentOnes()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        var tagged = await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["refund", "vip"]);

        var untagged = await _host.Inbox.UntagAsync(CareHost.Acme, conversation.Id, ["VIP", "missing"]);
        var noop = await _host.Inbox.UntagAsync(CareHost.Acme, conversation.Id, ["missing"]);

        Assert.Equal(["refund"], untagged.Tags);
        Assert.Equal(tagged.Version + 1, untagged.Version);
        Assert.Equal(untagged.Version, noop.Version);
    }

    [Theory]
    [InlineData("", "tags[0]")]
    [InlineData("   ", "tags[0]")]
    [InlineData("this-tag-is-far-too-long-to-be-a-tag-because-it-has-more-than-64-chars", "tags[0]")]
    public async Task TagAsync_BadTag_ThrowsValidationNamingTag(string tag, string field)
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, [tag]));

        Assert.Equal(field, ex.Field);
        Assert.Empty((await _host.GetAsync(conversation.Id)).Tags);
    }

    [Fact]
    public async Task TagAsync_NoTags_ThrowsValidationNamingTags()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, []));

        Assert.Equal("tags", ex.Field);
    }

    [Fact]
    public async Task SetPriorityAsync_ChangesPriorityAndPublishesUpdate()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Events.Clear();

        var urgent = await _host.Inbox.SetPriorityAsync(CareHost.Acme, conversation.Id, ConversationPriority.Urgent);

        Assert.Equal(ConversationPriority.Urgent, urgent.Priority);
        var update = Assert.Single(_host.Events.Of<ConversationUpdated>());
        Assert.Equal(ConversationPriority.Normal, update.Previous.Priority);
        Assert.Equal(ConversationPriority.Urgent, update.Conversation.Priority);
    }

    [Fact]
    public async Task SetPriorityAsync_UndefinedPriority_ThrowsValidation()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.SetPriorityAsync(CareHost.Acme, conversation.Id, (ConversationPriority)9));

        Assert.Equal("priority", ex.Field);
    }

    [Theory]
    [MemberData(nameof(VersionedOperations))]
    public async Task Operation_WithStaleExpectedVersion_ThrowsConflictAndChangesNothing(string operation)
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["vip"]);
        var current = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana); // someone else moved on
        var snapshot = await _host.SnapshotAsync();
        _host.Events.Clear();

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await ApplyAsync(operation, conversation.Id, conversation.Version));

        Assert.Equal("conversation", ex.Entity);
        Assert.Equal(conversation.Id.ToString(), ex.EntityId);
        Assert.Equal(conversation.Version, ex.ExpectedVersion);
        Assert.Equal(current.Version, ex.ActualVersion);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        Assert.Empty(_host.Events.All);
    }

    [Theory]
    [MemberData(nameof(VersionedOperations))]
    public async Task Operation_WithCurrentExpectedVersion_Applies(string operation)
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        conversation = await _host.Inbox.TagAsync(CareHost.Acme, conversation.Id, ["vip"]);
        conversation = await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, Ana);

        await ApplyAsync(operation, conversation.Id, conversation.Version);

        Assert.Equal(conversation.Version + 1, (await _host.GetAsync(conversation.Id)).Version);
    }

    [Fact]
    public async Task ReplyAsync_TwoAgentsOnSameVersion_SecondGetsConflictAndOnlyOneReplyIsStored()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Ana here" }, conversation.Version);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ben, Text = "Ben here" }, conversation.Version));

        Assert.Equal(["Hi, my order has not arrived.", "Ana here"], (await _host.MessagesAsync(conversation.Id)).Select(m => m.Text));
    }

    public static TheoryData<string, string> BadReplies => new()
    {
        { "empty agent", "reply.Agent" },
        { "no text or attachment", "reply.Text" },
        { "white-space text", "reply.Text" },
        { "text over MaxTextLength", "reply.Text" },
        { "attachment without url", "reply.Attachments[0].Url" },
        { "template without name", "reply.Template.Name" },
        { "template without language", "reply.Template.Language" },
        { "template with null parameters", "reply.Template.Parameters" },
        { "template with a null parameter", "reply.Template.Parameters[1]" },
        { "template with text", "reply.Template" },
        { "template with an attachment", "reply.Template" },
    };

    [Theory]
    [MemberData(nameof(BadReplies))]
    public async Task ReplyAsync_BadReply_ThrowsValidationNamingFieldAndStoresNothing(string name, string field)
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        var snapshot = await _host.SnapshotAsync();
        var reply = name switch
        {
            "empty agent" => new AgentReply { Agent = default, Text = "hi" },
            "no text or attachment" => new AgentReply { Agent = Ana },
            "white-space text" => new AgentReply { Agent = Ana, Text = "  " },
            "text over MaxTextLength" => new AgentReply { Agent = Ana, Text = new string('x', 51) },
            "attachment without url" => new AgentReply { Agent = Ana, Text = "see file", Attachments = [new Attachment { Kind = AttachmentKind.File }] },
            "template without name" => new AgentReply { Agent = Ana, Template = new MessageTemplate(" ", "en_US", []) },
            "template without language" => new AgentReply { Agent = Ana, Template = new MessageTemplate("order_update", "", []) },
            "template with null parameters" => new AgentReply { Agent = Ana, Template = new MessageTemplate("order_update", "en_US", null!) },
            "template with a null parameter" => new AgentReply { Agent = Ana, Template = new MessageTemplate("order_update", "en_US", ["a", null!]) },
            "template with text" => new AgentReply { Agent = Ana, Text = "also this", Template = new MessageTemplate("order_update", "en_US", []) },
            "template with an attachment" => new AgentReply { Agent = Ana, Template = new MessageTemplate("order_update", "en_US", []), Attachments = [new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example/a.png") }] },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, reply));

        Assert.Equal(field, ex.Field);
        Assert.IsNotType<InvalidInboundEventException>(ex);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task AddNoteAsync_EmptyText_ThrowsValidationNamingText(string text)
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, Ana, text));

        Assert.Equal("text", ex.Field);
    }

    [Fact]
    public async Task AddNoteAsync_EmptyAuthor_ThrowsValidationNamingAuthor()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, default, "note"));

        Assert.Equal("author", ex.Field);
    }

    [Fact]
    public async Task AssignAsync_EmptyAgent_ThrowsValidationNamingAgent()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.AssignAsync(CareHost.Acme, conversation.Id, new AgentId("")));

        Assert.Equal("agent", ex.Field);
        Assert.Null((await _host.GetAsync(conversation.Id)).Assignee);
    }

    [Fact]
    public async Task Operations_EmptyConversationId_ThrowValidationNamingConversationId()
    {
        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ResolveAsync(CareHost.Acme, default));

        Assert.Equal("conversationId", ex.Field);
    }

    [Fact]
    public async Task Operations_UnknownConversation_ThrowNotFound()
    {
        await _host.ReceiveAsync("wamid.1");
        var unknown = ConversationId.New(_host.Now);

        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(async () => await _host.Inbox.AssignAsync(CareHost.Acme, unknown, Ana));
        await Assert.ThrowsAsync<ConversationNotFoundException>(async () => await _host.Inbox.GetAsync(CareHost.Acme, unknown));
        await Assert.ThrowsAsync<ConversationNotFoundException>(async () => await _host.Inbox.GetMessagesAsync(CareHost.Acme, new MessageQuery { ConversationId = unknown }));

        Assert.Equal(unknown, ex.ConversationId);
        Assert.Equal(CareHost.Acme, ex.WorkspaceId);
    }

    [Fact]
    public async Task GetMessagesAsync_PagesForwardAndBackwardWithoutGapsOrRepeats()
    {
        var conversation = await _host.ReceiveAsync("wamid.0", text: "0");
        for (var i = 1; i < 12; i++)
        {
            _host.Advance(TimeSpan.FromSeconds(1));
            await _host.IngestAsync(_host.Message($"wamid.{i}", text: i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var forward = await PageAsync(conversation.Id, descending: false);
        var backward = await PageAsync(conversation.Id, descending: true);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), forward);
        Assert.Equal(Enumerable.Range(1, 12).Reverse().Select(i => (long)i), backward);
    }

    [Fact]
    public async Task GetMessagesAsync_FilterByDirectionAndSentAt_ReturnsOnlyMatching()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "r1" });
        var cut = _host.Now;
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "r2" });
        await _host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, Ana, "n1");

        var outbound = await _host.Inbox.GetMessagesAsync(CareHost.Acme, new MessageQuery { ConversationId = conversation.Id, Direction = MessageDirection.Outbound });
        var early = await _host.Inbox.GetMessagesAsync(CareHost.Acme, new MessageQuery { ConversationId = conversation.Id, SentAtOrBefore = cut });

        Assert.Equal(["r1", "r2"], outbound.Items.Select(m => m.Text));
        Assert.Equal(2, early.Items.Count);
    }

    private async Task<List<long>> PageAsync(ConversationId id, bool descending)
    {
        var sequences = new List<long>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await _host.Inbox.GetMessagesAsync(CareHost.Acme, new MessageQuery { ConversationId = id, Limit = 5, After = after, Descending = descending });
            sequences.AddRange(page.Items.Select(m => m.Sequence));
            after = page.NextCursor;
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        return sequences;
    }

    private async Task ApplyAsync(string operation, ConversationId id, long expectedVersion)
    {
        var inbox = _host.Inbox;
        var ws = CareHost.Acme;
        switch (operation)
        {
            case "reply": await inbox.ReplyAsync(ws, id, new AgentReply { Agent = Ben, Text = "hi" }, expectedVersion); break;
            case "note": await inbox.AddNoteAsync(ws, id, Ben, "note", expectedVersion); break;
            case "assign": await inbox.AssignAsync(ws, id, Ben, expectedVersion); break;
            case "unassign": await inbox.UnassignAsync(ws, id, expectedVersion); break;
            case "tag": await inbox.TagAsync(ws, id, ["refund"], expectedVersion); break;
            case "untag": await inbox.UntagAsync(ws, id, ["vip"], expectedVersion); break;
            case "priority": await inbox.SetPriorityAsync(ws, id, ConversationPriority.High, expectedVersion); break;
            case "pending": await inbox.MarkPendingAsync(ws, id, expectedVersion); break;
            case "snooze": await inbox.SnoozeAsync(ws, id, _host.Now.AddHours(1), expectedVersion); break;
            case "resolve": await inbox.ResolveAsync(ws, id, expectedVersion); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation));
        }
    }
}
