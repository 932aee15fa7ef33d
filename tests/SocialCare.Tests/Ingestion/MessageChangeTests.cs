namespace SocialCare.Ingestion;

/// <summary>Reactions, edits, deletions and consent changes applied to what is stored.</summary>
public sealed class MessageChangeTests : IAsyncDisposable
{
    private readonly CareHost _host = CareHost.Create();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task IngestAsync_Reaction_AddsOneReactionPerAuthorAndReplacesIt()
    {
        var conversation = await _host.ReceiveAsync("wamid.in");
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Refund issued"));
        _host.Events.Clear();

        var like = await _host.IngestAsync(_host.Reaction("wamid.out", "👍"));
        var likedAt = _host.Now;
        var afterLike = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        _host.Advance(TimeSpan.FromSeconds(3));
        var love = await _host.IngestAsync(_host.Reaction("wamid.out", "❤️"));
        var sameAgain = await _host.IngestAsync(_host.Reaction("wamid.out", "❤️"));

        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Accepted, IngestOutcome.Duplicate], new[] { like.Outcome, love.Outcome, sameAgain.Outcome });
        Assert.Equal(conversation.Id, like.ConversationId);
        Assert.Equal(new Reaction(new MessageAuthor(AuthorKind.Contact, conversation.ContactId.ToString()), "👍", likedAt), Assert.Single(afterLike!.Reactions));
        var stored = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out");
        Assert.Equal("❤️", Assert.Single(stored!.Reactions).Emoji);
        Assert.Equal([MessageChange.Reaction, MessageChange.Reaction], _host.Events.Of<MessageUpdated>().Select(e => e.Change));
        Assert.Equal(2, (await _host.GetAsync(conversation.Id)).MessageCount); // a reaction is not a message
    }

    [Fact]
    public async Task IngestAsync_ReactionRemoved_ClearsItAndSecondRemovalIsDuplicate()
    {
        await _host.IngestAsync(_host.Message("wamid.out", echo: true, text: "Hi"));
        await _host.IngestAsync(_host.Reaction("wamid.out", "👍"));

        var removed = await _host.IngestAsync(_host.Reaction("wamid.out", null));
        var again = await _host.IngestAsync(_host.Reaction("wamid.out", null));

        Assert.Equal(IngestOutcome.Accepted, removed.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, again.Outcome);
        Assert.Empty((await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.out"))!.Reactions);
    }

    [Fact]
    public async Task IngestAsync_ReactionsOfTwoCustomersInAPublicThread_AreKeptSeparately()
    {
        var account = new ChannelAccount(ChannelKind.Instagram, "ig-brand");
        await _host.IngestAsync(_host.Message("ig.c1", customer: "alice", channel: account, visibility: ConversationVisibility.Public, text: "Love it"));
        await _host.IngestAsync(_host.Message("ig.c2", customer: "bob", channel: account, visibility: ConversationVisibility.Public, text: "Me too"));

        await _host.IngestAsync(_host.Reaction("ig.c1", "🔥", customer: "alice", channel: account));
        await _host.IngestAsync(_host.Reaction("ig.c1", "😂", customer: "bob", channel: account));

        var stored = await _host.FindMessageAsync(account, "ig.c1");
        Assert.Equal(["🔥", "😂"], stored!.Reactions.Select(r => r.Emoji));
    }

    [Fact]
    public async Task IngestAsync_ReactionToUnknownMessage_IsUnmatched()
    {
        var result = await _host.IngestAsync(_host.Reaction("wamid.unknown", "👍"));

        Assert.Equal(IngestOutcome.Unmatched, result.Outcome);
        Assert.Empty(await _host.ListAllAsync());
    }

    [Fact]
    public async Task IngestAsync_Edit_ReplacesTextAndRecordsWhen()
    {
        var conversation = await _host.ReceiveAsync("wamid.1", text: "My order 1234 is late");
        var original = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.1");
        _host.Advance(TimeSpan.FromMinutes(1));
        _host.Events.Clear();

        var edit = _host.Edit("wamid.1", "My order 1243 is late");
        var result = await _host.IngestAsync(edit);
        var again = await _host.IngestAsync(edit);

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, again.Outcome);
        var stored = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.1");
        Assert.Equal("My order 1243 is late", stored!.Text);
        Assert.Equal(edit.OccurredAt, stored.EditedAt);
        Assert.Equal(original!.Version + 1, stored.Version);
        Assert.Equal(original.Sequence, stored.Sequence);
        Assert.Equal(MessageChange.Edited, Assert.Single(_host.Events.Of<MessageUpdated>()).Change);
        Assert.Equal(conversation.MessageCount, (await _host.GetAsync(conversation.Id)).MessageCount);
    }

    [Fact]
    public async Task IngestAsync_Deletion_ClearsTextAndAttachmentsAndLaterEditsAreAbsorbed()
    {
        var message = _host.Message("wamid.1", text: "photo of my card") with
        {
            Attachments = [new Attachment { Kind = AttachmentKind.Image, Url = new Uri("whatsapp-media:99") }],
        };
        var conversation = (await _host.IngestAsync(message)).ConversationId!.Value;
        _host.Advance(TimeSpan.FromMinutes(1));

        var deleted = await _host.IngestAsync(_host.Deletion("wamid.1"));
        var deletedAgain = await _host.IngestAsync(_host.Deletion("wamid.1"));
        var editAfter = await _host.IngestAsync(_host.Edit("wamid.1", "resurrected"));

        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Duplicate], new[] { deleted.Outcome, deletedAgain.Outcome, editAfter.Outcome });
        var stored = await _host.FindMessageAsync(CareHost.WhatsApp, "wamid.1");
        Assert.Null(stored!.Text);
        Assert.Empty(stored.Attachments);
        Assert.Equal(_host.Now, stored.DeletedAt);
        Assert.Equal(1, (await _host.GetAsync(conversation)).MessageCount); // the message keeps its place
    }

    [Fact]
    public async Task IngestAsync_EditOrDeletionOfUnknownMessage_IsUnmatched()
    {
        Assert.Equal(IngestOutcome.Unmatched, (await _host.IngestAsync(_host.Edit("wamid.x", "text"))).Outcome);
        Assert.Equal(IngestOutcome.Unmatched, (await _host.IngestAsync(_host.Deletion("wamid.x"))).Outcome);
    }

    [Fact]
    public async Task IngestAsync_Consent_CreatesOrUpdatesContactWithoutConversation()
    {
        var handle = new ContactHandle(ChannelKind.WhatsApp, CareHost.Bob);
        InboundConsent Consent(ContactConsent consent) => new()
        {
            WorkspaceId = CareHost.Acme,
            Channel = CareHost.WhatsApp,
            Customer = handle,
            OccurredAt = _host.Now,
            Consent = consent,
        };

        var granted = await _host.IngestAsync(Consent(ContactConsent.Granted));
        var grantedAgain = await _host.IngestAsync(Consent(ContactConsent.Granted));
        var revoked = await _host.IngestAsync(Consent(ContactConsent.Revoked));

        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted], new[] { granted.Outcome, grantedAgain.Outcome, revoked.Outcome });
        var contact = await _host.FindContactAsync(handle);
        Assert.Equal(ContactConsent.Revoked, contact!.Consent);
        Assert.Equal(2, contact.Version);
        Assert.Empty(await _host.ListAllAsync());
    }

    [Fact]
    public async Task IngestAsync_ProfileOnLaterMessage_FillsContactAndKeepsWhatItDoesNotSay()
    {
        await _host.IngestAsync(_host.Message("wamid.1") with { Profile = new ContactProfile { Name = "Alice", Locale = "de" } });
        await _host.IngestAsync(_host.Message("wamid.2") with { Profile = new ContactProfile { Username = "alice_w" } });
        await _host.IngestAsync(_host.Message("wamid.3"));

        var contact = await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice));
        Assert.Equal(new ContactProfile { Name = "Alice", Locale = "de", Username = "alice_w" }, contact!.Profile);
        Assert.Equal(2, contact.Version); // the third message changed nothing about the contact
    }
}
