using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Messages: idempotent insert by platform id, reads, versions, paging by sequence.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class MessageSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A new message is inserted and reads back by id and by platform id.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_New_ReturnsTrueAndReadsBack()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "wamid.1");

        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameMessage(message, await session.GetMessageAsync(message.Id, Ct));
        AssertSameMessage(message, await session.FindMessageAsync(WhatsApp, "wamid.1", Ct));
        Assert.Null(await session.FindMessageAsync(Messenger, "wamid.1", Ct));
        Assert.Null(await session.GetMessageAsync(MessageId.New(T0), Ct));
    }

    /// <summary>A redelivered platform message id is absorbed: false, and the first message stays.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_DuplicatePlatformId_ReturnsFalseAndKeepsTheFirst()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var first = NewMessage(conversation, 1, "wamid.1", "first");
        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(first, Ct)));

        await CommitAsync(store, ws, async s => Assert.False(await s.TryInsertMessageAsync(NewMessage(conversation, 2, "wamid.1", "again"), Ct)));

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameMessage(first, await session.FindMessageAsync(WhatsApp, "wamid.1", Ct));
        var page = await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct);
        Assert.Single(page.Items);
    }

    /// <summary>A duplicate inside the same unit of work is absorbed too.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_DuplicateInSameUnitOfWork_ReturnsFalse()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");

        await CommitAsync(store, ws, async s =>
        {
            Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 1, "wamid.1"), Ct));
            Assert.False(await s.TryInsertMessageAsync(NewMessage(conversation, 2, "wamid.1"), Ct));
        });

        var page = await ReadAsync(store, ws, s => s.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct));
        Assert.Single(page.Items);
    }

    /// <summary>Platform ids are unique per channel account, not globally; messages without one are always inserted.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_SameIdOtherAccountOrNoId_IsInserted()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");
        var onMessenger = NewConversation(ws, contact, Messenger);
        await CommitAsync(store, ws, s => s.InsertConversationAsync(onMessenger, Ct));

        await CommitAsync(store, ws, async s =>
        {
            Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 1, "m-1"), Ct));
            Assert.True(await s.TryInsertMessageAsync(NewMessage(onMessenger, 1, "m-1"), Ct));
            Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 2, null) with { Direction = MessageDirection.Note }, Ct));
            Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, 3, null) with { Direction = MessageDirection.Note }, Ct));
        });

        var page = await ReadAsync(store, ws, s => s.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct));
        Assert.Equal([1L, 2L, 3L], page.Items.Select(m => m.Sequence));
    }

    /// <summary>A message needs its conversation.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_UnknownConversation_ThrowsConversationNotFound()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        var ghost = NewConversation(ws, contact);
        await using var session = await store.BeginAsync(ws, Ct);

        await Assert.ThrowsAsync<ConversationNotFoundException>(async () => await session.TryInsertMessageAsync(NewMessage(ghost, 1, "m-1"), Ct));
    }

    /// <summary>A message is inserted at version 1.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task TryInsertMessage_VersionNotOne_ThrowsValidation()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        await using var session = await store.BeginAsync(ws, Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () => await session.TryInsertMessageAsync(NewMessage(conversation, 1, "m") with { Version = 2 }, Ct));
    }

    /// <summary>An update carrying the next version replaces the message (delivery, reactions, edits).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateMessage_NextVersion_Replaces()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "wamid.1") with { Direction = MessageDirection.Outbound, Author = MessageAuthor.ForAgent(new AgentId("a-1")), Delivery = new DeliveryState(DeliveryStatus.Sent, T0) };
        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));
        var updated = message with
        {
            Delivery = new DeliveryState(DeliveryStatus.Failed, T0.AddMinutes(1), "131047", "Re-engagement window closed"),
            Reactions = [new Reaction(MessageAuthor.ForContact(conversation.ContactId), "👍🏽", T0.AddMinutes(2))],
            Text = "edited ✍️",
            EditedAt = T0.AddMinutes(3),
            Version = 2,
        };

        await CommitAsync(store, ws, s => s.UpdateMessageAsync(updated, Ct));

        AssertSameMessage(updated, await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)));
    }

    /// <summary>An update with a stale version conflicts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateMessage_StaleVersion_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "wamid.1");
        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));
        await CommitAsync(store, ws, s => s.UpdateMessageAsync(message with { Text = "v2", Version = 2 }, Ct));

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateMessageAsync(message with { Text = "stale", Version = 2 }, Ct));
        }

        Assert.Equal("v2", (await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)))!.Text);
    }

    /// <summary>Changing a message's platform id to one another message has conflicts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateMessage_TakingAnotherMessagesPlatformId_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var a = NewMessage(conversation, 1, "m-a");
        var b = NewMessage(conversation, 2, null) with { Direction = MessageDirection.Outbound };
        await CommitAsync(store, ws, async s =>
        {
            Assert.True(await s.TryInsertMessageAsync(a, Ct));
            Assert.True(await s.TryInsertMessageAsync(b, Ct));
        });

        await using var session = await store.BeginAsync(ws, Ct);
        await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateMessageAsync(b with { PlatformMessageId = "m-a", Version = 2 }, Ct));
    }

    /// <summary>Messages page by sequence, oldest first or newest first, with cursors that continue exactly.</summary>
    /// <param name="descending">Newest first.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public virtual async Task QueryMessages_Pages_InSequenceOrder(bool descending)
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        await CommitAsync(store, ws, async s =>
        {
            // inserted out of order on purpose: the order is the sequence, not the insertion
            foreach (var seq in new long[] { 3, 1, 7, 2, 5, 4, 6 })
            {
                Assert.True(await s.TryInsertMessageAsync(NewMessage(conversation, seq, $"m-{seq}"), Ct));
            }
        });

        var seen = new List<long>();
        await using var session = await store.BeginAsync(ws, Ct);
        var query = new MessageQuery { ConversationId = conversation.Id, Limit = 3, Descending = descending };
        for (var i = 0; i < 10; i++)
        {
            var page = await session.QueryMessagesAsync(query, Ct);
            seen.AddRange(page.Items.Select(m => m.Sequence));
            if (page.NextCursor is null)
            {
                break;
            }

            query = query with { After = page.NextCursor };
        }

        var expected = descending ? new long[] { 7, 6, 5, 4, 3, 2, 1 } : [1, 2, 3, 4, 5, 6, 7];
        Assert.Equal(expected, seen);
    }

    /// <summary>Direction and sent-at filters; other conversations' messages never appear.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryMessages_Filters_ReturnOnlyMatches()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var (_, other) = await SeedThreadAsync(store, ws, "222");
        var inbound = NewMessage(conversation, 1, "in-1") with { SentAt = T0.AddMinutes(1) };
        var outbound = NewMessage(conversation, 2, "out-1") with { Direction = MessageDirection.Outbound, SentAt = T0.AddMinutes(2) };
        var late = NewMessage(conversation, 3, "in-2") with { SentAt = T0.AddMinutes(3) };
        await CommitAsync(store, ws, async s =>
        {
            await s.TryInsertMessageAsync(inbound, Ct);
            await s.TryInsertMessageAsync(outbound, Ct);
            await s.TryInsertMessageAsync(late, Ct);
            await s.TryInsertMessageAsync(NewMessage(other, 1, "x-1"), Ct);
        });

        await using var session = await store.BeginAsync(ws, Ct);
        var inboundOnly = await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id, Direction = MessageDirection.Inbound }, Ct);
        Assert.Equal([inbound.Id, late.Id], inboundOnly.Items.Select(m => m.Id));
        var early = await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id, SentAtOrBefore = T0.AddMinutes(2).ToOffset(TimeSpan.FromHours(3)) }, Ct);
        Assert.Equal([inbound.Id, outbound.Id], early.Items.Select(m => m.Id));
        Assert.Null(early.NextCursor);
    }

    /// <summary>A malformed query is refused, naming the property.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryMessages_BadCursorOrLimit_ThrowsValidation()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        await using var session = await store.BeginAsync(ws, Ct);

        var cursor = await Assert.ThrowsAsync<CareValidationException>(async () => await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id, After = "abc" }, Ct));
        Assert.Equal("After", cursor.Field);
        var limit = await Assert.ThrowsAsync<CareValidationException>(async () => await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id, Limit = 0 }, Ct));
        Assert.Equal("Limit", limit.Field);
    }
}
