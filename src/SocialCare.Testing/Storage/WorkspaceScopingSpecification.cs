using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Workspace scoping: no operation returns or changes another workspace's rows; unique keys are per workspace.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class WorkspaceScopingSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>Reads in workspace B never return workspace A's entities.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Reads_OtherWorkspace_ReturnNothing()
    {
        var (store, a, b) = await TwoWorkspacesAsync();
        var (contact, conversation) = await SeedThreadAsync(store, a, "111");
        var message = NewMessage(conversation, 1, "m-1", "scoped text");
        await CommitAsync(store, a, async s => await s.TryInsertMessageAsync(message, Ct));

        await using var session = await store.BeginAsync(b, Ct);
        Assert.Equal(b, session.WorkspaceId);
        Assert.Null(await session.GetContactAsync(contact.Id, Ct));
        Assert.Null(await session.FindContactAsync(contact.Handles[0], Ct));
        Assert.Null(await session.GetConversationAsync(conversation.Id, Ct));
        Assert.Null(await session.FindLatestConversationAsync(WhatsApp, conversation.Handle, ConversationVisibility.Private, Ct));
        Assert.Null(await session.GetMessageAsync(message.Id, Ct));
        Assert.Null(await session.FindMessageAsync(WhatsApp, "m-1", Ct));
        Assert.Empty((await session.QueryConversationsAsync(new ConversationQuery(), Ct)).Items);
        Assert.Empty((await session.QueryConversationsAsync(new ConversationQuery { TextContains = "scoped", ContactId = contact.Id }, Ct)).Items);
        Assert.Empty((await session.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct)).Items);
    }

    /// <summary>Writes carrying another workspace's id are refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Writes_EntityOfOtherWorkspace_ThrowValidation()
    {
        var (store, a, b) = await TwoWorkspacesAsync();
        var (contact, conversation) = await SeedThreadAsync(store, a, "111");
        await using var session = await store.BeginAsync(b, Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertContactAsync(NewContact(a, "222"), Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await session.UpdateContactAsync(contact with { Version = 2 }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertConversationAsync(NewConversation(a, contact, Messenger), Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await session.UpdateConversationAsync(conversation with { Version = 2 }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await session.TryInsertMessageAsync(NewMessage(conversation, 1, "m"), Ct));
    }

    /// <summary>Updating workspace A's entity from workspace B (same id, B's workspace id) finds nothing to update.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Updates_IdOfOtherWorkspace_ConflictAndChangeNothing()
    {
        var (store, a, b) = await TwoWorkspacesAsync();
        var (contact, conversation) = await SeedThreadAsync(store, a, "111");

        await using (var session = await store.BeginAsync(b, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateConversationAsync(conversation with { WorkspaceId = b, Queue = "hijack", Version = 2 }, Ct));
        }

        await using (var session = await store.BeginAsync(b, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateContactAsync(contact with { WorkspaceId = b, Handles = [], Version = 2 }, Ct));
        }

        await using var check = await store.BeginAsync(a, Ct);
        AssertSameConversation(conversation, await check.GetConversationAsync(conversation.Id, Ct));
        AssertSameContact(contact, await check.GetContactAsync(contact.Id, Ct));
    }

    /// <summary>The same handle, thread and platform message id may exist once in each workspace.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UniqueKeys_ArePerWorkspace()
    {
        var (store, a, b) = await TwoWorkspacesAsync();
        var (_, inA) = await SeedThreadAsync(store, a, "111");
        var (_, inB) = await SeedThreadAsync(store, b, "111");

        await CommitAsync(store, a, async s => Assert.True(await s.TryInsertMessageAsync(NewMessage(inA, 1, "same"), Ct)));
        await CommitAsync(store, b, async s => Assert.True(await s.TryInsertMessageAsync(NewMessage(inB, 1, "same"), Ct)));

        Assert.Equal(inA.Id, (await ReadAsync(store, a, s => s.FindMessageAsync(WhatsApp, "same", Ct)))!.ConversationId);
        Assert.Equal(inB.Id, (await ReadAsync(store, b, s => s.FindMessageAsync(WhatsApp, "same", Ct)))!.ConversationId);
    }

    private async Task<(ICareStore Store, WorkspaceId A, WorkspaceId B)> TwoWorkspacesAsync()
    {
        var (store, a) = await NewStoreAsync();
        var b = new WorkspaceId("ws-b");
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = b, Name = "Workspace B", CreatedAt = T0 }, Ct));
        return (store, a, b);
    }
}
