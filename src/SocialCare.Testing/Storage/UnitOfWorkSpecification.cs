using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Units of work: own writes visible, others' not until commit; rollback; conflicts between concurrent sessions.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class UnitOfWorkSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A session reads its own writes; another session sees them only after commit.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Session_OwnWritesVisible_OthersOnlyAfterCommit()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        var conversation = NewConversation(ws, contact);
        var message = NewMessage(conversation, 1, "m-1");

        await using var writer = await store.BeginAsync(ws, Ct);
        await writer.InsertContactAsync(contact, Ct);
        await writer.InsertConversationAsync(conversation, Ct);
        Assert.True(await writer.TryInsertMessageAsync(message, Ct));

        AssertSameContact(contact, await writer.FindContactAsync(contact.Handles[0], Ct));
        AssertSameConversation(conversation, await writer.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Private, Ct));
        AssertSameMessage(message, await writer.FindMessageAsync(WhatsApp, "m-1", Ct));
        Assert.Single((await writer.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct)).Items);

        await using (var other = await store.BeginAsync(ws, Ct))
        {
            Assert.Null(await other.GetContactAsync(contact.Id, Ct));
            Assert.Null(await other.FindContactAsync(contact.Handles[0], Ct));
            Assert.Null(await other.GetConversationAsync(conversation.Id, Ct));
            Assert.Null(await other.FindMessageAsync(WhatsApp, "m-1", Ct));
            Assert.Empty((await other.QueryConversationsAsync(new ConversationQuery(), Ct)).Items);
        }

        await writer.CommitAsync(Ct);

        await using var after = await store.BeginAsync(ws, Ct);
        AssertSameContact(contact, await after.GetContactAsync(contact.Id, Ct));
        AssertSameConversation(conversation, await after.GetConversationAsync(conversation.Id, Ct));
        AssertSameMessage(message, await after.GetMessageAsync(message.Id, Ct));
    }

    /// <summary>
    /// <see cref="ICareSession.PrefetchAsync"/> is only a hint: the reads it names return what they return without it
    /// (found rows, misses, the session's own writes on top), and reads of other keys are unaffected.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Prefetch_ReadsAfterwardsReturnTheSameAsWithout()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "m-1");
        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));
        var (other, otherConversation) = await SeedThreadAsync(store, ws, "222");

        // Everything found.
        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await session.PrefetchAsync(new InboundLookup { Channel = WhatsApp, Customer = contact.Handles[0], PlatformMessageId = "m-1", Visibility = ConversationVisibility.Private }, Ct);
            AssertSameMessage(message, await session.FindMessageAsync(WhatsApp, "m-1", Ct));
            AssertSameContact(contact, await session.FindContactAsync(contact.Handles[0], Ct));
            AssertSameConversation(conversation, await session.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Private, Ct));

            // Other keys still read the store.
            AssertSameContact(other, await session.FindContactAsync(other.Handles[0], Ct));
            AssertSameConversation(otherConversation, await session.FindLatestConversationAsync(WhatsApp, otherConversation.Handle, ConversationVisibility.Private, Ct));
            Assert.Null(await session.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Public, Ct));
        }

        // Nothing found, then the session's own writes are seen on top of the prefetched misses.
        await using (var session = await store.BeginAsync(ws, Ct))
        {
            var handle = new ContactHandle(ChannelKind.WhatsApp, "333");
            await session.PrefetchAsync(new InboundLookup { Channel = WhatsApp, Customer = handle, PlatformMessageId = "m-new", Visibility = ConversationVisibility.Private }, Ct);
            var newcomer = NewContact(ws, "333");
            await session.InsertContactAsync(newcomer, Ct);
            var thread = NewConversation(ws, newcomer);
            await session.InsertConversationAsync(thread, Ct);
            var first = NewMessage(thread, 1, "m-new");
            Assert.True(await session.TryInsertMessageAsync(first, Ct));

            AssertSameContact(newcomer, await session.FindContactAsync(handle, Ct));
            AssertSameConversation(thread, await session.FindLatestConversationAsync(WhatsApp, handle, ConversationVisibility.Private, Ct));
            AssertSameMessage(first, await session.FindMessageAsync(WhatsApp, "m-new", Ct));
            await session.CommitAsync(Ct);
        }

        // Only a contact: the message and conversation reads are unaffected.
        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await session.PrefetchAsync(new InboundLookup { Channel = WhatsApp, Customer = contact.Handles[0] }, Ct);
            AssertSameContact(contact, await session.FindContactAsync(contact.Handles[0], Ct));
            AssertSameMessage(message, await session.FindMessageAsync(WhatsApp, "m-1", Ct));
            Assert.NotNull(await session.FindMessageAsync(WhatsApp, "m-new", Ct));
        }
    }

    /// <summary>Disposing without commit discards every write.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Dispose_WithoutCommit_DiscardsEverything()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");
        var newcomer = NewContact(ws, "222");

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await session.InsertContactAsync(newcomer, Ct);
            await session.UpdateContactAsync(contact with { Profile = new ContactProfile { Name = "changed" }, Version = 2 }, Ct);
            await session.UpdateConversationAsync(conversation with { Status = ConversationStatus.Resolved, Version = 2 }, Ct);
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, 1, "m-1"), Ct));
        }

        await using var check = await store.BeginAsync(ws, Ct);
        Assert.Null(await check.GetContactAsync(newcomer.Id, Ct));
        AssertSameContact(contact, await check.GetContactAsync(contact.Id, Ct));
        AssertSameConversation(conversation, await check.GetConversationAsync(conversation.Id, Ct));
        Assert.Null(await check.FindMessageAsync(WhatsApp, "m-1", Ct));
    }

    /// <summary>A commit that fails keeps nothing of the unit of work, not even the writes that did not conflict.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Commit_Failing_KeepsNothing()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");
        var newcomer = NewContact(ws, "222");

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await session.InsertContactAsync(newcomer, Ct);
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, 1, "m-1"), Ct));
            var loaded = await session.GetConversationAsync(conversation.Id, Ct);

            // someone else moves the conversation on
            await CommitAsync(store, ws, s => s.UpdateConversationAsync(conversation with { Queue = "theirs", Version = 2 }, Ct));

            await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateConversationAsync(loaded! with { Queue = "mine", Version = 2 }, Ct));
        }

        await using var check = await store.BeginAsync(ws, Ct);
        Assert.Null(await check.GetContactAsync(newcomer.Id, Ct));
        Assert.Null(await check.FindMessageAsync(WhatsApp, "m-1", Ct));
        Assert.Equal("theirs", (await check.GetConversationAsync(conversation.Id, Ct))!.Queue);
        Assert.Equal(contact.Id, conversation.ContactId);
    }

    /// <summary>Two sessions insert contacts with the same handle: the second commit throws and keeps nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ConcurrentSessions_SameHandle_SecondCommitConflictsAndKeepsNothing()
    {
        var (store, ws) = await NewStoreAsync();
        var a = NewContact(ws, "111");
        var b = NewContact(ws, "111");
        var bystander = NewContact(ws, "999");

        await using var first = await store.BeginAsync(ws, Ct);
        await using var second = await store.BeginAsync(ws, Ct);
        await first.InsertContactAsync(a, Ct);
        await second.InsertContactAsync(b, Ct);
        await second.InsertContactAsync(bystander, Ct);
        await first.CommitAsync(Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(Ct));

        await using var check = await store.BeginAsync(ws, Ct);
        Assert.Equal(a.Id, (await check.FindContactAsync(a.Handles[0], Ct))!.Id);
        Assert.Null(await check.GetContactAsync(b.Id, Ct));
        Assert.Null(await check.GetContactAsync(bystander.Id, Ct));
    }

    /// <summary>Two sessions store the same platform message id: the second commit throws; the message exists once.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ConcurrentSessions_SamePlatformMessageId_SecondCommitConflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");

        await using var first = await store.BeginAsync(ws, Ct);
        await using var second = await store.BeginAsync(ws, Ct);
        Assert.True(await first.TryInsertMessageAsync(NewMessage(conversation, 1, "dup"), Ct));
        Assert.True(await second.TryInsertMessageAsync(NewMessage(conversation, 1, "dup"), Ct));
        await first.CommitAsync(Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(Ct));

        var page = await ReadAsync(store, ws, s => s.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct));
        Assert.Single(page.Items);
    }

    /// <summary>
    /// A session reads a platform message id as free; another session stores it before the first inserts it. The first
    /// must not store it again: its insert returns false (a store that checks against committed data when the write is
    /// made), or its commit throws <see cref="ConcurrencyConflictException"/> (a store that checks at commit).
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ConcurrentSessions_PlatformIdReadFreeThenStoredByAnother_IsNotStoredTwice()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");

        await using var first = await store.BeginAsync(ws, Ct);
        Assert.Null(await first.FindMessageAsync(WhatsApp, "raced", Ct));
        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 1, "raced", "stored first"), Ct)));

        if (await first.TryInsertMessageAsync(NewMessage(conversation, 2, "raced", "second"), Ct))
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await first.CommitAsync(Ct));
        }
        else
        {
            await first.CommitAsync(Ct);
        }

        var page = await ReadAsync(store, ws, s => s.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct));
        Assert.Equal("stored first", Assert.Single(page.Items).Text);
    }

    /// <summary>Two sessions start a conversation on the same thread: the second commit throws.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ConcurrentSessions_SecondActiveConversation_SecondCommitConflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));
        var c1 = NewConversation(ws, contact);
        var c2 = NewConversation(ws, contact);

        await using var first = await store.BeginAsync(ws, Ct);
        await using var second = await store.BeginAsync(ws, Ct);
        await first.InsertConversationAsync(c1, Ct);
        await second.InsertConversationAsync(c2, Ct);
        await first.CommitAsync(Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(Ct));

        await using var check = await store.BeginAsync(ws, Ct);
        Assert.Equal(c1.Id, (await check.FindLatestConversationAsync(WhatsApp, c1.Handle, ConversationVisibility.Private, Ct))!.Id);
        Assert.Null(await check.GetConversationAsync(c2.Id, Ct));
    }

    /// <summary>Two sessions update the same version: the second commit throws and the first's state stays.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ConcurrentSessions_SameVersionUpdated_SecondCommitConflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");

        await using var first = await store.BeginAsync(ws, Ct);
        await using var second = await store.BeginAsync(ws, Ct);
        var seenByFirst = await first.GetConversationAsync(conversation.Id, Ct);
        var seenBySecond = await second.GetConversationAsync(conversation.Id, Ct);
        await first.UpdateConversationAsync(seenByFirst! with { Assignee = new AgentId("ana"), Version = 2 }, Ct);
        await second.UpdateConversationAsync(seenBySecond! with { Assignee = new AgentId("bo"), Version = 2 }, Ct);
        await first.CommitAsync(Ct);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(Ct));

        Assert.Equal("conversation", ex.Entity);
        Assert.Equal(new AgentId("ana"), (await ReadAsync(store, ws, s => s.GetConversationAsync(conversation.Id, Ct)))!.Assignee);
    }

    /// <summary>A committed or disposed session refuses further use.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Session_AfterCommit_RefusesFurtherUse()
    {
        var (store, ws) = await NewStoreAsync();
        var session = await store.BeginAsync(ws, Ct);
        await session.CommitAsync(Ct);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await session.GetContactAsync(ContactId.New(T0), Ct));
        await session.DisposeAsync();
        await session.DisposeAsync();
    }

    /// <summary>Many writers committing at once (group commit, pools) each keep exactly their own writes.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ParallelUnitsOfWork_DistinctWrites_AllCommitted()
    {
        var (store, ws) = await NewStoreAsync();
        const int Writers = 8;
        const int PerWriter = 25;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var contact = NewContact(ws, $"p-{w}-{i}");
                var conversation = NewConversation(ws, contact);
                await CommitAsync(store, ws, async s =>
                {
                    await s.InsertContactAsync(contact, Ct);
                    await s.InsertConversationAsync(conversation, Ct);
                    Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 1, $"pm-{w}-{i}"), Ct));
                });
            }
        })));

        await using var check = await store.BeginAsync(ws, Ct);
        var all = await AllPagesAsync(check, new ConversationQuery { Limit = 100 });
        Assert.Equal(Writers * PerWriter, all.Count);
        Assert.NotNull(await check.FindMessageAsync(WhatsApp, $"pm-{Writers - 1}-{PerWriter - 1}", Ct));
    }

    /// <summary>Racing writers on one conversation: every commit that returned is kept, every loser was told.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ParallelUnitsOfWork_SameConversation_WinnersKeptLosersTold()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var won = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await using var s = await store.BeginAsync(ws, Ct);
                var current = await s.GetConversationAsync(conversation.Id, Ct);
                try
                {
                    // the conflict may surface at the write or at commit; both are the contract
                    await s.UpdateConversationAsync(current! with { MessageCount = current.MessageCount + 1, Version = current.Version + 1 }, Ct);
                    await s.CommitAsync(Ct);
                    Interlocked.Increment(ref won);
                }
                catch (ConcurrencyConflictException)
                {
                    // lost the race; the store kept nothing of this session
                }
            }
        })));

        var final = await ReadAsync(store, ws, s => s.GetConversationAsync(conversation.Id, Ct));
        Assert.Equal(won, final!.MessageCount);
        Assert.Equal(won + 1, final.Version);
    }
}
