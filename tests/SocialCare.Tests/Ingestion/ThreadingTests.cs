namespace SocialCare.Ingestion;

/// <summary>How inbound messages are threaded into conversations, and the reopen window.</summary>
public sealed class ThreadingTests : IAsyncDisposable
{
    private CareHost _host = CareHost.Create(care => care.Configure(o => o.ReopenWindow = TimeSpan.FromDays(2)));

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task IngestAsync_SameHandleSameAccount_JoinsOneConversationInOrder()
    {
        var first = await _host.IngestAsync(_host.Message("wamid.1", text: "one"));
        _host.Advance(TimeSpan.FromSeconds(30));
        var second = await _host.IngestAsync(_host.Message("wamid.2", text: "two"));
        _host.Advance(TimeSpan.FromSeconds(30));
        var third = await _host.IngestAsync(_host.Message("wamid.3", text: "three"));

        Assert.Equal(first.ConversationId, second.ConversationId);
        Assert.Equal(first.ConversationId, third.ConversationId);
        var conversation = await _host.GetAsync(first.ConversationId!.Value);
        Assert.Equal(3, conversation.MessageCount);
        Assert.Equal(CareHost.Start, conversation.WaitingSince);
        Assert.Equal(CareHost.Start, conversation.Cycle.FirstCustomerMessageAt);
        Assert.Equal(_host.Now, conversation.LastActivityAt);
        var messages = await _host.MessagesAsync(conversation.Id);
        Assert.Equal(["one", "two", "three"], messages.Select(m => m.Text));
        Assert.Equal([1L, 2L, 3L], messages.Select(m => m.Sequence));
        Assert.All(messages, m => Assert.Equal(MessageDirection.Inbound, m.Direction));
        Assert.Single(await _host.ListAllAsync());
    }

    [Fact]
    public async Task IngestAsync_FirstMessage_CreatesContactAndConversationForTheHandle()
    {
        var result = await _host.IngestAsync(_host.Message("wamid.1"));

        var contact = await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice));
        Assert.NotNull(contact);
        var conversation = await _host.GetAsync(result.ConversationId!.Value);
        Assert.Equal(contact.Id, conversation.ContactId);
        Assert.Equal(CareHost.WhatsApp, conversation.Channel);
        Assert.Equal(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice), conversation.Handle);
        Assert.Equal(ConversationVisibility.Private, conversation.Visibility);
        Assert.Equal(ConversationStatus.Open, conversation.Status);
        Assert.Equal(1, conversation.Cycle.Number);
        var message = Assert.Single(await _host.MessagesAsync(conversation.Id));
        Assert.Equal(result.MessageId, message.Id);
        Assert.Equal(new MessageAuthor(AuthorKind.Contact, contact.Id.ToString()), message.Author);
    }

    [Fact]
    public async Task IngestAsync_PublicAndPrivateFromSameHandle_AreSeparateConversations()
    {
        var dm = await _host.IngestAsync(_host.Message("ig.dm.1", channel: CareHost.Instagram, visibility: ConversationVisibility.Private));
        var comment = await _host.IngestAsync(_host.Message("ig.comment.1", channel: CareHost.Instagram, visibility: ConversationVisibility.Public));
        var dm2 = await _host.IngestAsync(_host.Message("ig.dm.2", channel: CareHost.Instagram, visibility: ConversationVisibility.Private));
        var comment2 = await _host.IngestAsync(_host.Message("ig.comment.2", channel: CareHost.Instagram, visibility: ConversationVisibility.Public));

        Assert.NotEqual(dm.ConversationId, comment.ConversationId);
        Assert.Equal(dm.ConversationId, dm2.ConversationId);
        Assert.Equal(comment.ConversationId, comment2.ConversationId);
        var publicOne = await _host.GetAsync(comment.ConversationId!.Value);
        var privateOne = await _host.GetAsync(dm.ConversationId!.Value);
        Assert.Equal(ConversationVisibility.Public, publicOne.Visibility);
        Assert.Equal(ConversationVisibility.Private, privateOne.Visibility);
        Assert.Equal(privateOne.ContactId, publicOne.ContactId);
        Assert.Equal(2, publicOne.MessageCount);
        Assert.Equal(2, privateOne.MessageCount);
    }

    [Fact]
    public async Task IngestAsync_SameHandleOnDifferentChannelAccounts_AreSeparateConversationsOfOneContact()
    {
        var first = await _host.IngestAsync(_host.Message("wamid.a", channel: CareHost.WhatsApp));
        var second = await _host.IngestAsync(_host.Message("wamid.b", channel: CareHost.WhatsAppSecond));

        Assert.NotEqual(first.ConversationId, second.ConversationId);
        var a = await _host.GetAsync(first.ConversationId!.Value);
        var b = await _host.GetAsync(second.ConversationId!.Value);
        Assert.Equal(a.ContactId, b.ContactId);
        Assert.Equal(CareHost.WhatsApp, a.Channel);
        Assert.Equal(CareHost.WhatsAppSecond, b.Channel);
    }

    [Fact]
    public async Task IngestAsync_SamePlatformIdOnDifferentChannelAccounts_StoresBoth()
    {
        var first = await _host.IngestAsync(_host.Message("same-id", channel: CareHost.WhatsApp));
        var second = await _host.IngestAsync(_host.Message("same-id", channel: CareHost.WhatsAppSecond));

        Assert.Equal(IngestOutcome.Accepted, first.Outcome);
        Assert.Equal(IngestOutcome.Accepted, second.Outcome);
        Assert.NotEqual(first.MessageId, second.MessageId);
    }

    [Fact]
    public async Task IngestAsync_DifferentCustomers_GetTheirOwnContactsAndConversations()
    {
        var alice = await _host.IngestAsync(_host.Message("wamid.1", customer: CareHost.Alice));
        var bob = await _host.IngestAsync(_host.Message("wamid.2", customer: CareHost.Bob));

        Assert.NotEqual(alice.ConversationId, bob.ConversationId);
        Assert.NotEqual((await _host.GetAsync(alice.ConversationId!.Value)).ContactId, (await _host.GetAsync(bob.ConversationId!.Value)).ContactId);
    }

    [Fact]
    public async Task IngestAsync_ResolvedAndCustomerWritesWithinWindow_ReopensSameConversationInCycleTwo()
    {
        var original = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ReplyAsync(CareHost.Acme, original.Id, new AgentReply { Agent = new AgentId("agent-1"), Text = "Shipped today." });
        var resolved = await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);
        _host.Events.Clear();
        _host.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));

        var result = await _host.IngestAsync(_host.Message("wamid.2", text: "It still has not arrived."));

        Assert.Equal(original.Id, result.ConversationId);
        var reopened = await _host.GetAsync(original.Id);
        Assert.Equal(ConversationStatus.Open, reopened.Status);
        Assert.Equal(2, reopened.Cycle.Number);
        Assert.Equal(_host.Now, reopened.Cycle.StartedAt);
        Assert.Equal(_host.Now, reopened.Cycle.FirstCustomerMessageAt);
        Assert.Null(reopened.Cycle.FirstResponseAt);
        Assert.Equal(_host.Now, reopened.WaitingSince);
        Assert.Equal(resolved.MessageCount + 1, reopened.MessageCount);
        var reopenedEvent = Assert.Single(_host.Events.Of<ConversationReopened>());
        Assert.Equal(original.Id, reopenedEvent.Conversation.Id);
        Assert.Equal(2, reopenedEvent.Conversation.Cycle.Number);
        Assert.Empty(_host.Events.Of<ConversationCreated>());
        Assert.Single(await _host.ListAllAsync());
    }

    [Fact]
    public async Task IngestAsync_ResolvedAndCustomerWritesExactlyAtWindowEnd_Reopens()
    {
        var original = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);
        _host.Advance(TimeSpan.FromDays(2));

        var result = await _host.IngestAsync(_host.Message("wamid.2"));

        Assert.Equal(original.Id, result.ConversationId);
        Assert.Equal(2, (await _host.GetAsync(original.Id)).Cycle.Number);
    }

    [Fact]
    public async Task IngestAsync_ResolvedAndCustomerWritesAfterWindow_StartsNewConversation()
    {
        var original = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);
        _host.Events.Clear();
        _host.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMilliseconds(1));

        var result = await _host.IngestAsync(_host.Message("wamid.2", text: "New problem."));

        Assert.NotEqual(original.Id, result.ConversationId);
        var fresh = await _host.GetAsync(result.ConversationId!.Value);
        Assert.Equal(ConversationStatus.Open, fresh.Status);
        Assert.Equal(1, fresh.Cycle.Number);
        Assert.Equal(1, fresh.MessageCount);
        Assert.Equal(original.ContactId, fresh.ContactId);
        var old = await _host.GetAsync(original.Id);
        Assert.Equal(ConversationStatus.Resolved, old.Status);
        Assert.Equal(1, old.MessageCount);
        Assert.Empty(_host.Events.Of<ConversationReopened>());
        Assert.Equal(fresh.Id, Assert.Single(_host.Events.Of<ConversationCreated>()).Conversation.Id);

        // The new conversation is now the thread: the next message joins it, not the old one.
        var next = await _host.IngestAsync(_host.Message("wamid.3"));
        Assert.Equal(fresh.Id, next.ConversationId);
    }

    [Fact]
    public async Task IngestAsync_WindowZero_NeverReopens()
    {
        await _host.DisposeAsync();
        _host = CareHost.Create(care => care.Configure(o => o.ReopenWindow = TimeSpan.Zero));
        var original = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);

        var result = await _host.IngestAsync(_host.Message("wamid.2")); // same instant as the resolution

        Assert.NotEqual(original.Id, result.ConversationId);
        Assert.Equal(ConversationStatus.Resolved, (await _host.GetAsync(original.Id)).Status);
        Assert.Equal(1, (await _host.GetAsync(result.ConversationId!.Value)).Cycle.Number);
    }

    [Fact]
    public async Task IngestAsync_DefaultWindow_IsSevenDays()
    {
        await _host.DisposeAsync();
        _host = CareHost.Create();
        var original = await _host.ReceiveAsync("wamid.1");
        await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);

        _host.Advance(TimeSpan.FromDays(6));
        var within = await _host.IngestAsync(_host.Message("wamid.2"));
        await _host.Inbox.ResolveAsync(CareHost.Acme, original.Id);
        _host.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var after = await _host.IngestAsync(_host.Message("wamid.3"));

        Assert.Equal(original.Id, within.ConversationId);
        Assert.NotEqual(original.Id, after.ConversationId);
    }
}
