using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Contacts: insert, read by id and handle, update with versions, unique handles.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class ContactSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A committed contact reads back by id and by each handle.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertContact_Committed_ReadsBackByIdAndHandle()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111", "222");

        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameContact(contact, await session.GetContactAsync(contact.Id, Ct));
        AssertSameContact(contact, await session.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, "222"), Ct));
        Assert.Null(await session.FindContactAsync(new ContactHandle(ChannelKind.Telegram, "111"), Ct));
        Assert.Null(await session.GetContactAsync(ContactId.New(T0), Ct));
    }

    /// <summary>A handle belongs to one contact of a workspace.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertContact_HandleOfAnotherContact_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        var first = NewContact(ws, "111");
        await CommitAsync(store, ws, s => s.InsertContactAsync(first, Ct));

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.InsertContactAsync(NewContact(ws, "111"), Ct));
        }

        await using var check = await store.BeginAsync(ws, Ct);
        Assert.Equal(first.Id, (await check.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, "111"), Ct))!.Id);
    }

    /// <summary>An update carrying the next version replaces the contact; handles it dropped no longer find it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateContact_NextVersion_ReplacesItAndItsHandles()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));
        var updated = contact with
        {
            Handles = [new ContactHandle(ChannelKind.Telegram, "tg-9")],
            Profile = new ContactProfile { Name = "Renamed", Locale = "pt-BR", Followers = 12, Verified = true, AvatarUrl = new Uri("https://cdn.example/a.png") },
            Attributes = new Dictionary<string, string> { ["crm"] = "C-1" },
            Notes = [new ContactNote(new AgentId("agent-1"), "VIP", T0)],
            Consent = ContactConsent.Granted,
            UpdatedAt = T0.AddHours(1),
            Version = 2,
        };

        await CommitAsync(store, ws, s => s.UpdateContactAsync(updated, Ct));

        await using var session = await store.BeginAsync(ws, Ct);
        AssertSameContact(updated, await session.GetContactAsync(contact.Id, Ct));
        Assert.Null(await session.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, "111"), Ct));
        Assert.Equal(contact.Id, (await session.FindContactAsync(new ContactHandle(ChannelKind.Telegram, "tg-9"), Ct))!.Id);
    }

    /// <summary>An update whose version is not the stored version plus one conflicts.</summary>
    /// <param name="version">The version the update carries (stored is 1).</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(1L)]
    [InlineData(3L)]
    public virtual async Task UpdateContact_WrongVersion_Conflicts(long version)
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateContactAsync(contact with { Profile = new ContactProfile { Name = "X" }, Version = version }, Ct));
        }

        AssertSameContact(contact, await ReadAsync(store, ws, s => s.GetContactAsync(contact.Id, Ct)));
    }

    /// <summary>Updating a contact that does not exist conflicts (there is no stored version).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateContact_Missing_Conflicts()
    {
        var (store, ws) = await NewStoreAsync();
        await using var session = await store.BeginAsync(ws, Ct);

        await AssertConflictNowOrAtCommitAsync(session, () => session.UpdateContactAsync(NewContact(ws, "111") with { Version = 2 }, Ct));
    }

    /// <summary>A contact is inserted at version 1.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task InsertContact_VersionNotOne_ThrowsValidation()
    {
        var (store, ws) = await NewStoreAsync();
        await using var session = await store.BeginAsync(ws, Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () => await session.InsertContactAsync(NewContact(ws, "111") with { Version = 2 }, Ct));
    }

    /// <summary>Merging moves a handle from one contact to another inside one unit of work.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateContacts_MoveHandleInOneUnitOfWork_Commits()
    {
        var (store, ws) = await NewStoreAsync();
        var merged = NewContact(ws, "111");
        var survivor = NewContact(ws, "222");
        await CommitAsync(store, ws, async s =>
        {
            await s.InsertContactAsync(merged, Ct);
            await s.InsertContactAsync(survivor, Ct);
        });

        await CommitAsync(store, ws, async s =>
        {
            await s.UpdateContactAsync(merged with { Handles = [], MergedInto = survivor.Id, Version = 2 }, Ct);
            await s.UpdateContactAsync(survivor with { Handles = [.. survivor.Handles, .. merged.Handles], Version = 2 }, Ct);
        });

        await using var session = await store.BeginAsync(ws, Ct);
        Assert.Equal(survivor.Id, (await session.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, "111"), Ct))!.Id);
        Assert.Equal(survivor.Id, (await session.GetContactAsync(merged.Id, Ct))!.MergedInto);
        Assert.Equal(2, (await session.GetContactAsync(survivor.Id, Ct))!.Version);
    }

    /// <summary>Two updates of one contact in one unit of work carry consecutive versions.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task UpdateContact_TwiceInOneUnitOfWork_EndsTwoVersionsLater()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));

        await CommitAsync(store, ws, async s =>
        {
            await s.UpdateContactAsync(contact with { Profile = new ContactProfile { Name = "A" }, Version = 2 }, Ct);
            Assert.Equal(2, (await s.GetContactAsync(contact.Id, Ct))!.Version);
            await s.UpdateContactAsync(contact with { Profile = new ContactProfile { Name = "B" }, Version = 3 }, Ct);
        });

        var read = await ReadAsync(store, ws, s => s.GetContactAsync(contact.Id, Ct));
        Assert.Equal(3, read!.Version);
        Assert.Equal("B", read.Profile.Name);
    }
}
