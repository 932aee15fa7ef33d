namespace SocialCare.Conversations;

/// <summary>Merging contacts so history follows the customer across channels.</summary>
public sealed class ContactMergeTests : IAsyncDisposable
{
    private const string Psid = "psid-7700";
    private readonly CareHost _host = CareHost.Create();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task MergeContactsAsync_TwoContactsWithConversations_MovesHandlesAndConversationsAndLeavesTombstone()
    {
        var (whatsApp, messenger) = await TwoChannelsOfOneCustomerAsync();
        var survivorBefore = await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId);
        _host.Events.Clear();
        _host.Advance(TimeSpan.FromMinutes(1));

        var survivor = await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messenger.ContactId);

        Assert.Equal(whatsApp.ContactId, survivor.Id);
        Assert.Equal(survivorBefore.Version + 1, survivor.Version);
        Assert.Equal(
            [new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice), new ContactHandle(ChannelKind.Messenger, Psid)],
            survivor.Handles);
        Assert.Equal(survivor, await _host.Inbox.GetContactAsync(CareHost.Acme, survivor.Id));
        Assert.Equal(survivor.Id, (await _host.FindContactAsync(new ContactHandle(ChannelKind.Messenger, Psid)))!.Id);

        var tombstone = await _host.Inbox.GetContactAsync(CareHost.Acme, messenger.ContactId);
        Assert.Equal(survivor.Id, tombstone.MergedInto);
        Assert.Empty(tombstone.Handles);

        var moved = await _host.GetAsync(messenger.Id);
        Assert.Equal(survivor.Id, moved.ContactId);
        Assert.Equal(messenger.Version + 1, moved.Version);
        Assert.Equal(messenger.MessageCount, moved.MessageCount);
        Assert.Equal(whatsApp, await _host.GetAsync(whatsApp.Id));
        Assert.Equal(
            new[] { whatsApp.Id, messenger.Id }.Order(),
            (await _host.ListAllAsync(new ConversationQuery { ContactId = survivor.Id })).Select(c => c.Id).Order());
        Assert.Empty(await _host.ListAllAsync(new ConversationQuery { ContactId = messenger.ContactId }));

        var merged = Assert.Single(_host.Events.Of<ContactMerged>());
        Assert.Equal(survivor, merged.Survivor);
        Assert.Equal(messenger.ContactId, merged.MergedContactId);
    }

    [Fact]
    public async Task IngestAsync_AfterMerge_MessageFromMergedHandleJoinsExistingConversationOwnedBySurvivor()
    {
        var (whatsApp, messenger) = await TwoChannelsOfOneCustomerAsync();
        await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messenger.ContactId);

        var result = await _host.IngestAsync(_host.Message("mid.2", customer: Psid, channel: CareHost.Messenger, text: "Me again"));

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(messenger.Id, result.ConversationId);
        var conversation = await _host.GetAsync(messenger.Id);
        Assert.Equal(whatsApp.ContactId, conversation.ContactId);
        Assert.Equal(2, conversation.MessageCount);
        var message = (await _host.MessagesAsync(messenger.Id))[^1];
        Assert.Equal(whatsApp.ContactId.ToString(), message.Author.Id);
        Assert.Equal(2, (await _host.ListAllAsync()).Count);
    }

    [Fact]
    public async Task IngestAsync_AfterMergeAndWindow_NewConversationFromMergedHandleBelongsToSurvivor()
    {
        var (whatsApp, messenger) = await TwoChannelsOfOneCustomerAsync();
        await _host.Inbox.ResolveAsync(CareHost.Acme, messenger.Id);
        await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messenger.ContactId);
        _host.Advance(TimeSpan.FromDays(8));

        var result = await _host.IngestAsync(_host.Message("mid.3", customer: Psid, channel: CareHost.Messenger));

        Assert.NotEqual(messenger.Id, result.ConversationId);
        Assert.Equal(whatsApp.ContactId, (await _host.GetAsync(result.ConversationId!.Value)).ContactId);
    }

    [Fact]
    public async Task MergeContactsAsync_FillsSurvivorsMissingProfileFromMerged()
    {
        var whatsApp = await _host.ReceiveAsync("wamid.1");
        await _host.IngestAsync(_host.Message("mid.1", customer: Psid, channel: CareHost.Messenger) with
        {
            Profile = new ContactProfile { Name = "Alice Example", Locale = "de-DE" },
        });
        var messengerContact = await _host.FindContactAsync(new ContactHandle(ChannelKind.Messenger, Psid));

        var survivor = await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messengerContact!.Id);

        Assert.Equal("Alice Example", survivor.Profile.Name);
        Assert.Equal("de-DE", survivor.Profile.Locale);
    }

    [Fact]
    public async Task MergeContactsAsync_IntoItself_ThrowsValidationAndChangesNothing()
    {
        var whatsApp = await _host.ReceiveAsync("wamid.1");
        var before = await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId);

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, whatsApp.ContactId));

        Assert.Equal("mergedId", ex.Field);
        Assert.Equal(before, await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId));
    }

    [Fact]
    public async Task MergeContactsAsync_AlreadyMergedContact_ThrowsContactNotFoundSayingMerged()
    {
        var (whatsApp, messenger) = await TwoChannelsOfOneCustomerAsync();
        var third = await _host.ReceiveAsync("x.1", customer: "x-user-1", channel: new ChannelAccount(ChannelKind.X, "brand"));
        await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messenger.ContactId);
        var survivor = await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId);

        var again = await Assert.ThrowsAsync<ContactNotFoundException>(async () => await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, messenger.ContactId));
        var asSurvivor = await Assert.ThrowsAsync<ContactNotFoundException>(async () => await _host.Inbox.MergeContactsAsync(CareHost.Acme, messenger.ContactId, third.ContactId));

        Assert.Equal(messenger.ContactId, again.ContactId);
        Assert.Contains("merged", again.Message, StringComparison.Ordinal);
        Assert.Equal(messenger.ContactId, asSurvivor.ContactId);
        Assert.Equal(survivor, await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId));
        Assert.Null((await _host.Inbox.GetContactAsync(CareHost.Acme, third.ContactId)).MergedInto);
    }

    [Fact]
    public async Task MergeContactsAsync_UnknownContact_ThrowsContactNotFound()
    {
        var whatsApp = await _host.ReceiveAsync("wamid.1");
        var unknown = ContactId.New(_host.Now);

        var ex = await Assert.ThrowsAsync<ContactNotFoundException>(async () => await _host.Inbox.MergeContactsAsync(CareHost.Acme, whatsApp.ContactId, unknown));

        Assert.Equal(unknown, ex.ContactId);
        Assert.Single((await _host.Inbox.GetContactAsync(CareHost.Acme, whatsApp.ContactId)).Handles);
    }

    private async Task<(Conversation WhatsApp, Conversation Messenger)> TwoChannelsOfOneCustomerAsync()
    {
        var whatsApp = await _host.ReceiveAsync("wamid.1", text: "On WhatsApp");
        var messenger = await _host.ReceiveAsync("mid.1", customer: Psid, channel: CareHost.Messenger, text: "On Messenger");
        Assert.NotEqual(whatsApp.ContactId, messenger.ContactId);
        return (whatsApp, messenger);
    }
}
