using Microsoft.Extensions.DependencyInjection;
using SocialCare.Channels;

namespace SocialCare.Storage;

/// <summary>The reference store's unit-of-work, optimistic concurrency and unique-key semantics.</summary>
public sealed class InMemoryCareStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = CareHost.Start;
    private static readonly WorkspaceId Ws = CareHost.Acme;
    private readonly InMemoryCareStore _store = new();

    public InMemoryCareStoreTests()
    {
        _store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Acme" }, None).AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task CreateWorkspaceAsync_Twice_CreatesOnceAndKeepsTheFirst()
    {
        var again = await _store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Other" }, None);

        Assert.False(again);
        Assert.Equal("Acme", (await _store.GetWorkspaceAsync(Ws, None))!.Name);
    }

    [Fact]
    public async Task BeginAsync_UnknownOrEmptyWorkspace_Throws()
    {
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await _store.BeginAsync(new WorkspaceId("nope"), None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await _store.BeginAsync(default, None));
    }

    [Fact]
    public async Task Session_Writes_AreVisibleToItselfAndToOthersOnlyAfterCommit()
    {
        var contact = NewContact("a");
        await using var writer = await _store.BeginAsync(Ws, None);
        await using var reader = await _store.BeginAsync(Ws, None);

        await writer.InsertContactAsync(contact, None);

        Assert.Equal(contact, await writer.GetContactAsync(contact.Id, None));
        Assert.Equal(contact, await writer.FindContactAsync(contact.Handles[0], None));
        Assert.Null(await reader.GetContactAsync(contact.Id, None));
        await writer.CommitAsync(None);
        Assert.Equal(contact, await reader.GetContactAsync(contact.Id, None));
    }

    [Fact]
    public async Task Session_DisposedWithoutCommit_DiscardsEveryWrite()
    {
        var contact = NewContact("a");
        var conversation = NewConversation(contact, "a");
        await using (var session = await _store.BeginAsync(Ws, None))
        {
            await session.InsertContactAsync(contact, None);
            await session.InsertConversationAsync(conversation, None);
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, "m1", 1), None));
        }

        await using var check = await _store.BeginAsync(Ws, None);
        Assert.Null(await check.GetContactAsync(contact.Id, None));
        Assert.Null(await check.GetConversationAsync(conversation.Id, None));
        Assert.Null(await check.FindMessageAsync(CareHost.WhatsApp, "m1", None));
    }

    [Fact]
    public async Task UpdateConversationAsync_VersionNotStoredPlusOne_ThrowsConflict()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);

        var same = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.UpdateConversationAsync(conversation, None));
        var skip = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.UpdateConversationAsync(conversation with { Version = 3 }, None));

        Assert.Equal(1, same.ActualVersion);
        Assert.Equal(1, skip.ActualVersion);
        Assert.Equal(2, skip.ExpectedVersion);
    }

    [Fact]
    public async Task CommitAsync_LoserOfConcurrentUpdate_ThrowsConflictAndKeepsNoneOfItsWrites()
    {
        var conversation = await SeedConversationAsync("a");
        await using var first = await _store.BeginAsync(Ws, None);
        await using var second = await _store.BeginAsync(Ws, None);
        await first.UpdateConversationAsync(conversation with { Priority = ConversationPriority.High, Version = 2 }, None);
        await second.UpdateConversationAsync(conversation with { Priority = ConversationPriority.Low, Version = 2 }, None);
        await second.TryInsertMessageAsync(NewMessage(conversation, "loser-msg", 1), None);

        await first.CommitAsync(None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(None));

        await using var check = await _store.BeginAsync(Ws, None);
        Assert.Equal(ConversationPriority.High, (await check.GetConversationAsync(conversation.Id, None))!.Priority);
        Assert.Null(await check.FindMessageAsync(CareHost.WhatsApp, "loser-msg", None));
    }

    [Fact]
    public async Task InsertContactAsync_HandleOfAnotherContact_ThrowsConflictNowOrAtCommit()
    {
        await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.InsertContactAsync(NewContact("a"), None));

        await using var one = await _store.BeginAsync(Ws, None);
        await using var two = await _store.BeginAsync(Ws, None);
        await one.InsertContactAsync(NewContact("b"), None);
        await two.InsertContactAsync(NewContact("b"), None);
        await one.CommitAsync(None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await two.CommitAsync(None));
    }

    [Fact]
    public async Task InsertConversationAsync_SecondActiveOnSameThread_ThrowsConflictUntilTheFirstIsResolved()
    {
        var first = await SeedConversationAsync("a");
        var contactId = first.ContactId;
        var second = first with { Id = ConversationId.New(Now.AddMinutes(1)), CreatedAt = Now.AddMinutes(1) };

        await using (var session = await _store.BeginAsync(Ws, None))
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.InsertConversationAsync(second, None));
        }

        await using (var session = await _store.BeginAsync(Ws, None))
        {
            await session.UpdateConversationAsync(first with { Status = ConversationStatus.Resolved, Version = 2 }, None);
            await session.InsertConversationAsync(second, None);
            Assert.Equal(second.Id, (await session.FindLatestConversationAsync(first.Channel, first.Handle, first.Visibility, None))!.Id);
            await session.CommitAsync(None);
        }

        await using var check = await _store.BeginAsync(Ws, None);
        Assert.Equal(second.Id, (await check.FindLatestConversationAsync(first.Channel, first.Handle, first.Visibility, None))!.Id);
        Assert.Equal(contactId, (await check.GetConversationAsync(second.Id, None))!.ContactId);
    }

    [Fact]
    public async Task UpdateConversationAsync_ActiveConversationUpdatedManyTimes_KeepsItsActiveSlotUntilResolved()
    {
        var first = await SeedConversationAsync("a");
        var current = first;
        for (var version = 2; version <= 4; version++)
        {
            current = current with { MessageCount = version, LastActivityAt = Now.AddMinutes(version), Version = version };
            await using var session = await _store.BeginAsync(Ws, None);
            await session.UpdateConversationAsync(current, None);
            await session.CommitAsync(None);
        }

        var second = first with { Id = ConversationId.New(Now.AddMinutes(10)), CreatedAt = Now.AddMinutes(10), Version = 1 };
        await using (var session = await _store.BeginAsync(Ws, None))
        {
            Assert.Equal(current, await session.FindLatestConversationAsync(first.Channel, first.Handle, first.Visibility, None));
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.InsertConversationAsync(second, None));
        }

        await using (var session = await _store.BeginAsync(Ws, None))
        {
            await session.UpdateConversationAsync(current with { Status = ConversationStatus.Resolved, Version = 5 }, None);
            await session.CommitAsync(None);
        }

        await using (var session = await _store.BeginAsync(Ws, None))
        {
            await session.InsertConversationAsync(second, None);
            await session.CommitAsync(None);
        }

        await using var check = await _store.BeginAsync(Ws, None);
        Assert.Equal(second.Id, (await check.FindLatestConversationAsync(first.Channel, first.Handle, first.Visibility, None))!.Id);
    }

    [Fact]
    public async Task UpdateConversationAsync_ChangingThreadKey_ThrowsValidation()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () =>
            await session.UpdateConversationAsync(conversation with { Visibility = ConversationVisibility.Public, Version = 2 }, None));

        Assert.Equal("Conversation", ex.Field);
    }

    [Fact]
    public async Task TryInsertMessageAsync_SamePlatformIdTwice_InsertsOnceButMessagesWithoutPlatformIdAlways()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);

        Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, "m1", 1), None));
        Assert.False(await session.TryInsertMessageAsync(NewMessage(conversation, "m1", 2), None));
        Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, null, 2), None));
        Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, null, 3), None));
        await session.CommitAsync(None);

        await using var check = await _store.BeginAsync(Ws, None);
        var page = await check.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, None);
        Assert.Equal([1L, 2L, 3L], page.Items.Select(m => m.Sequence));
    }

    [Fact]
    public async Task TryInsertMessageAsync_UnknownConversation_ThrowsNotFound()
    {
        var conversation = NewConversation(NewContact("a"), "a");
        await using var session = await _store.BeginAsync(Ws, None);

        await Assert.ThrowsAsync<ConversationNotFoundException>(async () => await session.TryInsertMessageAsync(NewMessage(conversation, "m", 1), None));
    }

    [Fact]
    public async Task Inserts_EntityOfAnotherWorkspaceOrNotAtVersionOne_ThrowValidationNamingTheField()
    {
        await using var session = await _store.BeginAsync(Ws, None);

        var scope = await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertContactAsync(NewContact("a") with { WorkspaceId = CareHost.Globex }, None));
        var version = await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertConversationAsync(NewConversation(NewContact("b"), "b") with { Version = 2 }, None));

        Assert.Equal("Contact.WorkspaceId", scope.Field);
        Assert.Equal("Conversation.Version", version.Field);
    }

    [Fact]
    public async Task Session_AfterCommit_RefusesFurtherUse()
    {
        await using var session = await _store.BeginAsync(Ws, None);
        await session.CommitAsync(None);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await session.GetContactAsync(ContactId.New(Now), None));
    }

    [Fact]
    public async Task Session_CancelledToken_ThrowsOperationCanceled()
    {
        await using var session = await _store.BeginAsync(Ws, None);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.FindContactAsync(new ContactHandle(ChannelKind.Sms, "1"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _store.BeginAsync(Ws, cts.Token));
    }

    [Fact]
    public async Task MessageWithANullItsTypeForbids_ThrowsValidationNamingIt_AndTheStoreKeepsWhatItHad()
    {
        var conversation = await SeedConversationAsync("a");
        var stored = NewMessage(conversation, "m1", 1);
        await using (var session = await _store.BeginAsync(Ws, None))
        {
            Assert.True(await session.TryInsertMessageAsync(stored, None));
            await session.CommitAsync(None);
        }

        await using var bad = await _store.BeginAsync(Ws, None);
        var noAuthor = await Assert.ThrowsAsync<CareValidationException>(async () => await bad.TryInsertMessageAsync(NewMessage(conversation, "m2", 2) with { Author = null! }, None));
        var nullReaction = await Assert.ThrowsAsync<CareValidationException>(async () => await bad.UpdateMessageAsync(stored with { Reactions = [null!], Version = 2 }, None));
        var nullParameter = await Assert.ThrowsAsync<CareValidationException>(async () =>
            await bad.UpdateMessageAsync(stored with { Template = new MessageTemplate("t", "en", [null!]), Version = 2 }, None));
        await bad.CommitAsync(None);

        Assert.Equal("Message.Author", noAuthor.Field);
        Assert.Equal("Message.Reactions[0]", nullReaction.Field);
        Assert.Equal("Message.Template.Parameters[0]", nullParameter.Field);
        await using var check = await _store.BeginAsync(Ws, None);
        Assert.Equal(stored, await check.FindMessageAsync(CareHost.WhatsApp, "m1", None));
        Assert.Null(await check.FindMessageAsync(CareHost.WhatsApp, "m2", None));
    }

    [Fact]
    public async Task Dispose_FreesTheStore_AndEveryLaterUseThrowsObjectDisposed()
    {
        var conversation = await SeedConversationAsync("a");
        await using (var session = await _store.BeginAsync(Ws, None))
        {
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, "m1", 1), None));
            await session.CommitAsync(None);
        }

        await using var open = await _store.BeginAsync(Ws, None);
        await using var writer = await _store.BeginAsync(Ws, None);
        await writer.UpdateConversationAsync(conversation with { MessageCount = 1, Version = 2 }, None);
        _store.Dispose();
        _store.Dispose(); // a second call does nothing

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await _store.BeginAsync(Ws, None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await _store.CreateWorkspaceAsync(new Workspace { Id = new WorkspaceId("later"), Name = "Later" }, None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await open.FindMessageAsync(CareHost.WhatsApp, "m1", None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await open.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.CommitAsync(None)); // no commit, not even one without messages
    }

    [Fact]
    public async Task ServiceProvider_Disposed_DisposesTheStoreItCreated()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(_ => { });
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ICareStore>();
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = Ws, Name = "Acme" }, None));
        await using (var session = await store.BeginAsync(Ws, None))
        {
            Assert.NotNull(session);
        }

        await provider.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.BeginAsync(Ws, None));
    }

    // The in-memory session checks a message's keys against the committed state when the write is made and again at
    // commit: a commit by another session in between always counts, and never makes a false conflict.

    [Fact]
    public async Task TryInsertMessageAsync_PlatformIdReadFreeThenCommittedByAnother_ReturnsFalse()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);
        Assert.Null(await session.FindMessageAsync(CareHost.WhatsApp, "m1", None));

        await using (var other = await _store.BeginAsync(Ws, None))
        {
            Assert.True(await other.TryInsertMessageAsync(NewMessage(conversation, "m1", 1), None));
            await other.CommitAsync(None);
        }

        Assert.False(await session.TryInsertMessageAsync(NewMessage(conversation, "m1", 2), None));
    }

    [Fact]
    public async Task CommitAsync_AnotherMessageCommittedBetweenInsertAndCommit_KeepsBoth()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);
        Assert.Null(await session.FindMessageAsync(CareHost.WhatsApp, "m1", None));
        var mine = NewMessage(conversation, "m1", 1);
        Assert.True(await session.TryInsertMessageAsync(mine, None));

        await using (var other = await _store.BeginAsync(Ws, None))
        {
            Assert.True(await other.TryInsertMessageAsync(NewMessage(conversation, "m2", 2), None));
            await other.CommitAsync(None);
        }

        await session.CommitAsync(None);
        await using var reader = await _store.BeginAsync(Ws, None);
        Assert.Equal(mine.Id, (await reader.FindMessageAsync(CareHost.WhatsApp, "m1", None))?.Id);
        Assert.NotNull(await reader.FindMessageAsync(CareHost.WhatsApp, "m2", None));
    }

    [Fact]
    public async Task CommitAsync_PendingInsertGivenAnotherPlatformId_StoresItUnderTheNewOneOnly()
    {
        var conversation = await SeedConversationAsync("a");
        await using var session = await _store.BeginAsync(Ws, None);
        var message = NewMessage(conversation, "m1", 1);
        Assert.True(await session.TryInsertMessageAsync(message, None));
        await session.UpdateMessageAsync(message with { PlatformMessageId = "m1-renamed", Version = 2 }, None);
        await session.CommitAsync(None);

        await using var reader = await _store.BeginAsync(Ws, None);
        Assert.Null(await reader.FindMessageAsync(CareHost.WhatsApp, "m1", None));
        Assert.Equal(message.Id, (await reader.FindMessageAsync(CareHost.WhatsApp, "m1-renamed", None))?.Id);
    }

    private async Task<Conversation> SeedConversationAsync(string customer)
    {
        var contact = NewContact(customer);
        var conversation = NewConversation(contact, customer);
        await using var session = await _store.BeginAsync(Ws, None);
        await session.InsertContactAsync(contact, None);
        await session.InsertConversationAsync(conversation, None);
        await session.CommitAsync(None);
        return conversation;
    }

    private static Contact NewContact(string customer) => new()
    {
        Id = ContactId.New(Now),
        WorkspaceId = Ws,
        Handles = [new ContactHandle(ChannelKind.WhatsApp, customer)],
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private static Conversation NewConversation(Contact contact, string customer) => new()
    {
        Id = ConversationId.New(Now),
        WorkspaceId = Ws,
        ContactId = contact.Id,
        Channel = CareHost.WhatsApp,
        Handle = new ContactHandle(ChannelKind.WhatsApp, customer),
        Cycle = new ConversationCycle(1, Now),
        CreatedAt = Now,
        LastActivityAt = Now,
    };

    private static Message NewMessage(Conversation conversation, string? platformId, long sequence) => new()
    {
        Id = MessageId.New(Now),
        WorkspaceId = Ws,
        ConversationId = conversation.Id,
        Sequence = sequence,
        Channel = conversation.Channel,
        Direction = MessageDirection.Inbound,
        Author = MessageAuthor.ForContact(conversation.ContactId),
        PlatformMessageId = platformId,
        Text = "text",
        SentAt = Now,
        ReceivedAt = Now,
    };
}
