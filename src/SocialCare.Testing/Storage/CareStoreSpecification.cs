using SocialCare.Storage;
using SocialCare.Storage.Json;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>
/// The base of every storage specification suite: the fixture, fresh stores and workspaces, entity builders and
/// structural assertions. Derive from a suite (not from this class) in a provider's test project.
/// </summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
public abstract class CareStoreSpecification<TFixture> : IClassFixture<TFixture>
    where TFixture : CareStoreFixture
{
    /// <summary>A fixed instant all test data is built around (no clock reads).</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A WhatsApp account.</summary>
    protected static readonly ChannelAccount WhatsApp = new(ChannelKind.WhatsApp, "15550001111");

    /// <summary>A Messenger page.</summary>
    protected static readonly ChannelAccount Messenger = new(ChannelKind.Messenger, "page-42");

    private int _sequence;

    /// <summary>Creates the suite.</summary>
    /// <param name="fixture">The provider's fixture.</param>
    protected CareStoreSpecification(TFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Fixture = fixture;
    }

    /// <summary>The provider's fixture.</summary>
    protected TFixture Fixture { get; }

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh store with one workspace, "ws-a".</summary>
    /// <returns>The store and the workspace id.</returns>
    protected async Task<(ICareStore Store, WorkspaceId Workspace)> NewStoreAsync()
    {
        var store = await Fixture.CreateStoreAsync(Ct);
        var workspace = new WorkspaceId("ws-a");
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = workspace, Name = "Workspace A", CreatedAt = T0 }, Ct));
        return (store, workspace);
    }

    /// <summary>Skips the test, visibly, when the store lacks a capability.</summary>
    /// <param name="has">Whether the store has it.</param>
    /// <param name="capability">The capability's name, for the skip reason.</param>
    protected static void Require(bool has, string capability) =>
        Assert.SkipUnless(has, $"The store under test does not support {capability} (CareStoreCapabilities.{capability} is false).");

    /// <summary>A distinct instant, one second after the previous one of this test.</summary>
    /// <returns>The instant.</returns>
    protected DateTimeOffset NextTime() => T0.AddSeconds(Interlocked.Increment(ref _sequence));

    /// <summary>A new contact at version 1.</summary>
    /// <param name="workspace">Its workspace.</param>
    /// <param name="handles">Its handles as external ids on WhatsApp.</param>
    /// <returns>The contact.</returns>
    protected Contact NewContact(WorkspaceId workspace, params string[] handles)
    {
        var at = NextTime();
        return new Contact
        {
            Id = ContactId.New(at),
            WorkspaceId = workspace,
            Handles = [.. handles.Select(h => new ContactHandle(ChannelKind.WhatsApp, h))],
            Profile = new ContactProfile { Name = "Customer " + string.Join(",", handles) },
            CreatedAt = at,
            UpdatedAt = at,
        };
    }

    /// <summary>A new open conversation at version 1.</summary>
    /// <param name="workspace">Its workspace.</param>
    /// <param name="contact">The customer.</param>
    /// <param name="channel">The channel account; WhatsApp when null.</param>
    /// <param name="visibility">Public or private.</param>
    /// <param name="at">The creation time; the next instant when null.</param>
    /// <returns>The conversation.</returns>
    protected Conversation NewConversation(WorkspaceId workspace, Contact contact, ChannelAccount? channel = null, ConversationVisibility visibility = ConversationVisibility.Private, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var created = at ?? NextTime();
        var account = channel ?? WhatsApp;
        return new Conversation
        {
            Id = ConversationId.New(created),
            WorkspaceId = workspace,
            ContactId = contact.Id,
            Channel = account,
            Handle = new ContactHandle(account.Kind, contact.Handles.Count > 0 ? contact.Handles[0].ExternalId : "anonymous"),
            Visibility = visibility,
            Cycle = new ConversationCycle(1, created),
            CreatedAt = created,
            LastActivityAt = created,
        };
    }

    /// <summary>A new inbound message at version 1.</summary>
    /// <param name="conversation">Its conversation.</param>
    /// <param name="sequence">Its sequence number.</param>
    /// <param name="platformMessageId">The platform's id, or null.</param>
    /// <param name="text">The text.</param>
    /// <returns>The message.</returns>
    protected Message NewMessage(Conversation conversation, long sequence, string? platformMessageId, string? text = "hello")
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var at = NextTime();
        return new Message
        {
            Id = MessageId.New(at),
            WorkspaceId = conversation.WorkspaceId,
            ConversationId = conversation.Id,
            Sequence = sequence,
            Channel = conversation.Channel,
            Direction = MessageDirection.Inbound,
            Author = MessageAuthor.ForContact(conversation.ContactId),
            PlatformMessageId = platformMessageId,
            Text = text,
            SentAt = at,
            ReceivedAt = at,
        };
    }

    /// <summary>Commits a unit of work holding the given writes.</summary>
    /// <param name="store">The store.</param>
    /// <param name="workspace">The workspace.</param>
    /// <param name="write">The writes.</param>
    /// <returns>A task.</returns>
    protected static async Task CommitAsync(ICareStore store, WorkspaceId workspace, Func<ICareSession, ValueTask> write)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(write);
        await using var session = await store.BeginAsync(workspace, Ct);
        await write(session);
        await session.CommitAsync(Ct);
    }

    /// <summary>Reads inside a fresh unit of work that is never committed.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="store">The store.</param>
    /// <param name="workspace">The workspace.</param>
    /// <param name="read">The read.</param>
    /// <returns>The result.</returns>
    protected static async Task<T> ReadAsync<T>(ICareStore store, WorkspaceId workspace, Func<ICareSession, ValueTask<T>> read)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(read);
        await using var session = await store.BeginAsync(workspace, Ct);
        return await read(session);
    }

    /// <summary>Stores a contact, an open conversation and nothing else; returns both.</summary>
    /// <param name="store">The store.</param>
    /// <param name="workspace">The workspace.</param>
    /// <param name="handle">The customer's WhatsApp handle.</param>
    /// <returns>The committed contact and conversation.</returns>
    protected async Task<(Contact Contact, Conversation Conversation)> SeedThreadAsync(ICareStore store, WorkspaceId workspace, string handle)
    {
        var contact = NewContact(workspace, handle);
        var conversation = NewConversation(workspace, contact);
        await CommitAsync(store, workspace, async s =>
        {
            await s.InsertContactAsync(contact, Ct);
            await s.InsertConversationAsync(conversation, Ct);
        });
        return (contact, conversation);
    }

    /// <summary>
    /// Asserts that an action throws <see cref="ConcurrencyConflictException"/> either when the write is made or at
    /// commit (the contract allows both), and that nothing of the session was kept.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="write">The conflicting write.</param>
    /// <returns>The exception.</returns>
    protected static async Task<ConcurrencyConflictException> AssertConflictNowOrAtCommitAsync(ICareSession session, Func<ValueTask> write)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            await write();
        }
        catch (ConcurrencyConflictException now)
        {
            return now;
        }

        return await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await session.CommitAsync(Ct));
    }

    /// <summary>Asserts two entities are equal in every stored property, timestamps with their offsets.</summary>
    /// <param name="expected">The entity written.</param>
    /// <param name="actual">The entity read.</param>
    protected static void AssertSameContact(Contact expected, Contact? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(CareJsonContext.Serialize(expected), CareJsonContext.Serialize(actual));
    }

    /// <inheritdoc cref="AssertSameContact"/>
    protected static void AssertSameConversation(Conversation expected, Conversation? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(CareJsonContext.Serialize(expected), CareJsonContext.Serialize(actual));
    }

    /// <inheritdoc cref="AssertSameContact"/>
    protected static void AssertSameMessage(Message expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(CareJsonContext.Serialize(expected), CareJsonContext.Serialize(actual));
    }

    /// <summary>Reads every page of a query.</summary>
    /// <param name="session">The session.</param>
    /// <param name="query">The first page's query.</param>
    /// <returns>All items in order.</returns>
    protected static async Task<List<Conversation>> AllPagesAsync(ICareSession session, ConversationQuery query)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(query);
        var all = new List<Conversation>();
        var q = query;
        for (var guard = 0; guard < 10_000; guard++)
        {
            var page = await session.QueryConversationsAsync(q, Ct);
            Assert.True(page.Items.Count <= q.Limit, $"A page held {page.Items.Count} items; the limit is {q.Limit}.");
            all.AddRange(page.Items);
            if (page.NextCursor is null)
            {
                return all;
            }

            q = q with { After = page.NextCursor };
        }

        Assert.Fail("Paging did not end.");
        return all;
    }
}
