using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Conversations: insert, read, find the latest of a thread, versions, one active conversation per thread.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class ConversationSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A committed conversation reads back by id and as the latest of its thread.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_Committed_ReadsBackByIdAndThread()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameConversation(conversation, await session.GetConversationAsync(conversation.Id, Ct));
        AssertSameConversation(conversation, await session.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Private, Ct));
        Assert.Null(await session.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Public, Ct));
        Assert.Null(await session.FindLatestConversationAsync(Messenger, conversation.Handle, ConversationVisibility.Private, Ct));
        Assert.Null(await session.GetConversationAsync(ConversationId.New(T0), Ct));
        Assert.Equal(contact.Id, conversation.ContactId);
    }

    /// <summary>A thread (channel account, handle, visibility) has at most one active conversation.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_SecondActiveOnThread_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, first) = await SeedThreadAsync(store, ws, "111");

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.InsertConversationAsync(NewConversation(ws, contact), Ct));
        }

        var latest = await ReadAsync(store, ws, s => s.FindLatestConversationAsync(WhatsApp, first.Handle, ConversationVisibility.Private, Ct));
        Assert.Equal(first.Id, latest!.Id);
    }

    /// <summary>Other visibilities and channel accounts are other threads.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_OtherVisibilityOrAccount_IsAnotherThread()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, _) = await SeedThreadAsync(store, ws, "111");
        var mention = NewConversation(ws, contact, visibility: ConversationVisibility.Public);
        var otherAccount = NewConversation(ws, contact, new ChannelAccount(ChannelKind.WhatsApp, "15550002222"));

        await CommitAsync(store, ws, async s =>
        {
            await s.InsertConversationAsync(mention, Ct);
            await s.InsertConversationAsync(otherAccount, Ct);
        });

        await using var session = await store.BeginAsync(ws, Ct);
        Assert.Equal(mention.Id, (await session.FindLatestConversationAsync(WhatsApp, mention.Handle, ConversationVisibility.Public, Ct))!.Id);
        Assert.Equal(otherAccount.Id, (await session.FindLatestConversationAsync(otherAccount.Channel, otherAccount.Handle, ConversationVisibility.Private, Ct))!.Id);
    }

    /// <summary>Once the active conversation is resolved a new one may start; the latest is the newest created.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_AfterResolvingInOneUnitOfWork_BecomesLatest()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, first) = await SeedThreadAsync(store, ws, "111");
        var resolved = first with { Status = ConversationStatus.Resolved, ResolvedAt = T0.AddHours(2), Version = 2 };
        var second = NewConversation(ws, contact, at: T0.AddHours(3));

        await CommitAsync(store, ws, async s =>
        {
            await s.UpdateConversationAsync(resolved, Ct);
            await s.InsertConversationAsync(second, Ct);
            Assert.Equal(second.Id, (await s.FindLatestConversationAsync(WhatsApp, first.Handle, ConversationVisibility.Private, Ct))!.Id);
        });

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameConversation(second, await session.FindLatestConversationAsync(WhatsApp, first.Handle, ConversationVisibility.Private, Ct));
        AssertSameConversation(resolved, await session.GetConversationAsync(first.Id, Ct));
    }

    /// <summary>Reopening a resolved conversation while another is active on the thread conflicts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateConversation_ReactivateWhileAnotherIsActive_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, first) = await SeedThreadAsync(store, ws, "111");
        var resolved = first with { Status = ConversationStatus.Resolved, Version = 2 };
        var second = NewConversation(ws, contact);
        await CommitAsync(store, ws, async s =>
        {
            await s.UpdateConversationAsync(resolved, Ct);
            await s.InsertConversationAsync(second, Ct);
        });

        await using var session = await store.BeginAsync(ws, Ct);
        await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateConversationAsync(resolved with { Status = ConversationStatus.Open, Version = 3 }, Ct));
    }

    /// <summary>An update carrying the next version replaces every property.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateConversation_NextVersion_ReplacesEveryProperty()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var updated = conversation with
        {
            Status = ConversationStatus.Snoozed,
            SnoozedUntil = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(-8)),
            Priority = ConversationPriority.Urgent,
            Tags = ["billing", "vip"],
            Queue = "tier-2",
            Assignee = new AgentId("agent-7"),
            Attributes = new Dictionary<string, string> { ["order"] = "A-17", ["lang"] = "日本語" },
            Cycle = new ConversationCycle(2, T0.AddHours(1), T0.AddHours(1), T0.AddHours(2)),
            WaitingSince = T0.AddMinutes(61),
            MessageCount = 7,
            LastActivityAt = T0.AddHours(2),
            ResolvedAt = T0.AddMinutes(30),
            Version = 2,
        };

        await CommitAsync(store, ws, s => s.UpdateConversationAsync(updated, Ct));

        AssertSameConversation(updated, await ReadAsync(store, ws, s => s.GetConversationAsync(conversation.Id, Ct)));
    }

    /// <summary>An update whose version is not the stored version plus one conflicts and changes nothing.</summary>
    /// <param name="version">The version the update carries (stored is 1).</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(1L)]
    [InlineData(5L)]
    public virtual async Task UpdateConversation_WrongVersion_Conflicts(long version)
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            var ex = await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateConversationAsync(conversation with { Queue = "q", Version = version }, Ct));
            Assert.Equal("conversation", ex.Entity);
        }

        AssertSameConversation(conversation, await ReadAsync(store, ws, s => s.GetConversationAsync(conversation.Id, Ct)));
    }

    /// <summary>The thread of a conversation never changes.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateConversation_ChangingItsThread_ThrowsValidation()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        await using var session = await store.BeginAsync(ws, Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () =>
            await session.UpdateConversationAsync(conversation with { Visibility = ConversationVisibility.Public, Version = 2 }, Ct));
    }

    /// <summary>A conversation is inserted at version 1 and with an id.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_BadVersionOrEmptyId_ThrowsValidation()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        await using var session = await store.BeginAsync(ws, Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertConversationAsync(NewConversation(ws, contact) with { Version = 0 }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertConversationAsync(NewConversation(ws, contact) with { Id = default }, Ct));
    }

    /// <summary>Inserting a conversation whose id exists conflicts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertConversation_ExistingId_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var (contact, conversation) = await SeedThreadAsync(store, ws, "111");
        await using var session = await store.BeginAsync(ws, Ct);

        await AssertConflictNowOrAtCommitAsync(session, () => session.InsertConversationAsync(conversation with { Visibility = ConversationVisibility.Public }, Ct));
        Assert.Equal(contact.Id, conversation.ContactId);
    }
}
