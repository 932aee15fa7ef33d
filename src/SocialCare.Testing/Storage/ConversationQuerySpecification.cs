using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Conversation queries: every filter, every sort, keyset paging (stable under concurrent inserts), validation.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class ConversationQuerySpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    private static readonly AgentId Ana = new("ana");
    private static readonly AgentId Bo = new("bo");

    /// <summary>Each filter alone returns exactly the conversations the reference semantics select.</summary>
    /// <param name="filter">The filter's name.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData("Statuses")]
    [InlineData("Assignee")]
    [InlineData("Assigned")]
    [InlineData("Unassigned")]
    [InlineData("Queue")]
    [InlineData("Tag")]
    [InlineData("ChannelKind")]
    [InlineData("Channel")]
    [InlineData("Priority")]
    [InlineData("ContactId")]
    [InlineData("Visibility")]
    [InlineData("TextContains")]
    [InlineData("Combined")]
    public virtual async Task QueryConversations_EachFilter_ReturnsExactlyTheMatches(string filter)
    {
        var (store, ws) = await NewStoreAsync();
        var data = await SeedInboxAsync(store, ws, 24);
        var someContact = data[5].ContactId;
        var (query, predicate) = filter switch
        {
            "Statuses" => (new ConversationQuery { Statuses = [ConversationStatus.Pending, ConversationStatus.Snoozed] }, (Func<Conversation, bool>)(c => c.Status is ConversationStatus.Pending or ConversationStatus.Snoozed)),
            "Assignee" => (new ConversationQuery { Assignee = Ana }, c => c.Assignee == Ana),
            "Assigned" => (new ConversationQuery { Assigned = true }, c => c.Assignee is not null),
            "Unassigned" => (new ConversationQuery { Assigned = false }, c => c.Assignee is null),
            "Queue" => (new ConversationQuery { Queue = "billing" }, c => c.Queue == "billing"),
            "Tag" => (new ConversationQuery { Tag = "VIP" }, c => c.Tags.Contains("vip")),
            "ChannelKind" => (new ConversationQuery { ChannelKind = ChannelKind.Messenger }, c => c.Channel.Kind == ChannelKind.Messenger),
            "Channel" => (new ConversationQuery { Channel = WhatsApp }, c => c.Channel == WhatsApp),
            "Priority" => (new ConversationQuery { Priority = ConversationPriority.High }, c => c.Priority == ConversationPriority.High),
            "ContactId" => (new ConversationQuery { ContactId = someContact }, c => c.ContactId == someContact),
            "Visibility" => (new ConversationQuery { Visibility = ConversationVisibility.Public }, c => c.Visibility == ConversationVisibility.Public),
            "TextContains" => (new ConversationQuery { TextContains = "REFUND" }, c => c.Attributes.ContainsKey("refund")),
            _ => (
                new ConversationQuery { Statuses = [ConversationStatus.Open], Queue = "billing", Assigned = false, Sort = ConversationSort.PriorityThenWaiting },
                c => c.Status == ConversationStatus.Open && c.Queue == "billing" && c.Assignee is null),
        };
        var expected = data.Where(predicate).OrderBy(c => c, Comparer(query.Sort)).Select(c => c.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.NotEqual(data.Count, expected.Count);

        await using var session = await store.BeginAsync(ws, Ct);
        var actual = await AllPagesAsync(session, query with { Limit = 5 });

        Assert.Equal(expected, actual.Select(c => c.Id));
    }

    /// <summary>Case folding beyond ASCII in text search follows <see cref="StringComparison.OrdinalIgnoreCase"/>.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryConversations_TextContainsNonAscii_FoldsCaseLikeOrdinalIgnoreCase()
    {
        Require(Fixture.Capabilities.UnicodeCaseInsensitiveTextSearch, nameof(CareStoreCapabilities.UnicodeCaseInsensitiveTextSearch));
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        await CommitAsync(store, ws, async s => await s.TryInsertMessageAsync(NewMessage(conversation, 1, "m-1", "ÜBER Straße ΣΊΣΥΦΟΣ"), Ct));

        var page = await ReadAsync(store, ws, s => s.QueryConversationsAsync(new ConversationQuery { TextContains = "über straße σίσυφοσ" }, Ct));

        Assert.Equal(conversation.Id, Assert.Single(page.Items).Id);
    }

    /// <summary>Every sort orders like <see cref="ConversationCursor.Compare"/>, ties broken by id, across pages.</summary>
    /// <param name="sort">The order.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(ConversationSort.LastActivityNewest)]
    [InlineData(ConversationSort.WaitingLongest)]
    [InlineData(ConversationSort.PriorityThenWaiting)]
    [InlineData(ConversationSort.CreatedNewest)]
    public virtual async Task QueryConversations_EachSort_OrdersLikeTheReferenceAcrossPages(ConversationSort sort)
    {
        var (store, ws) = await NewStoreAsync();
        var data = await SeedInboxAsync(store, ws, 30);
        var expected = data.OrderBy(c => c, Comparer(sort)).Select(c => c.Id).ToList();

        await using var session = await store.BeginAsync(ws, Ct);
        foreach (var limit in new[] { 1, 4, 7, 30, 500 })
        {
            var actual = await AllPagesAsync(session, new ConversationQuery { Sort = sort, Limit = limit });
            Assert.Equal(expected, actual.Select(c => c.Id));
        }
    }

    /// <summary>
    /// Keyset paging is stable while others insert: continuing from a cursor never repeats or skips a conversation that
    /// existed when paging started; new ones appear only if they sort after the cursor.
    /// </summary>
    /// <param name="sort">The order.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(ConversationSort.LastActivityNewest)]
    [InlineData(ConversationSort.PriorityThenWaiting)]
    [InlineData(ConversationSort.CreatedNewest)]
    public virtual async Task QueryConversations_KeysetPaging_IsStableUnderConcurrentInserts(ConversationSort sort)
    {
        var (store, ws) = await NewStoreAsync();
        var original = await SeedInboxAsync(store, ws, 20);
        await using var reader = await store.BeginAsync(ws, Ct);
        var query = new ConversationQuery { Sort = sort, Limit = 6 };
        var first = await reader.QueryConversationsAsync(query, Ct);
        Assert.NotNull(first.NextCursor);
        ConversationCursor.TryDecode(first.NextCursor, out var cursor);

        // Another writer inserts conversations sorting both before and after the cursor while the reader pages.
        var inserted = new List<Conversation>();
        var writers = Enumerable.Range(0, 4).Select(async w =>
        {
            for (var i = 0; i < 5; i++)
            {
                var contact = NewContact(ws, $"late-{w}-{i}");
                var conversation = NewConversation(ws, contact, at: T0.AddMinutes((w * 5) + (i * 17) - 30)) with
                {
                    Priority = (ConversationPriority)((w + i) % 4),
                    WaitingSince = T0.AddMinutes((i * 13) - 20),
                    LastActivityAt = T0.AddMinutes((w * 7) - (i * 11)),
                };
                await CommitAsync(store, ws, async s =>
                {
                    await s.InsertContactAsync(contact, Ct);
                    await s.InsertConversationAsync(conversation, Ct);
                });
                lock (inserted)
                {
                    inserted.Add(conversation);
                }
            }
        });
        await Task.WhenAll(writers);

        var rest = await AllPagesAsync(reader, query with { After = first.NextCursor });
        var all = first.Items.Concat(rest).ToList();

        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct().Count());
        Assert.Empty(original.Select(c => c.Id).Except(all.Select(c => c.Id)));
        foreach (var c in rest)
        {
            Assert.True(ConversationCursor.From(c, sort).CompareTo(cursor) > 0, $"{c.Id} sorts before the cursor but was returned after it.");
        }

        var expectedLate = inserted.Where(c => ConversationCursor.From(c, sort).CompareTo(cursor) > 0).Select(c => c.Id).ToHashSet();
        Assert.Equal(expectedLate.Order(), rest.Select(c => c.Id).Where(id => inserted.Any(x => x.Id == id)).Order());
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(ConversationCursor.Compare(all[i - 1], all[i], sort) < 0, "Pages are not in order.");
        }
    }

    /// <summary>A unit of work sees its own uncommitted conversations and changes in queries; others do not.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryConversations_SeesOwnUncommittedWrites()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, committed) = await SeedThreadAsync(store, ws, "111");
        var contact = NewContact(ws, "222");
        var fresh = NewConversation(ws, contact) with { Queue = "q" };

        await using var writer = await store.BeginAsync(ws, Ct);
        await writer.InsertContactAsync(contact, Ct);
        await writer.InsertConversationAsync(fresh, Ct);
        await writer.UpdateConversationAsync(committed with { Queue = "q", Version = 2 }, Ct);
        await writer.TryInsertMessageAsync(NewMessage(fresh, 1, "m-1", "needle in a haystack"), Ct);

        var mine = await writer.QueryConversationsAsync(new ConversationQuery { Queue = "q" }, Ct);
        Assert.Equal(new[] { fresh.Id, committed.Id }.Order(), mine.Items.Select(c => c.Id).Order());
        var text = await writer.QueryConversationsAsync(new ConversationQuery { TextContains = "NEEDLE" }, Ct);
        Assert.Equal(fresh.Id, Assert.Single(text.Items).Id);
        var notQ = await writer.QueryConversationsAsync(new ConversationQuery { Queue = "other" }, Ct);
        Assert.Empty(notQ.Items);

        var others = await ReadAsync(store, ws, s => s.QueryConversationsAsync(new ConversationQuery { Queue = "q" }, Ct));
        Assert.Empty(others.Items);
    }

    /// <summary>A malformed query is refused, naming the property.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryConversations_BadQuery_ThrowsValidationNamingTheProperty()
    {
        var (store, ws) = await NewStoreAsync();
        await using var session = await store.BeginAsync(ws, Ct);
        var otherSortCursor = new ConversationCursor(ConversationSort.CreatedNewest, ConversationPriority.Normal, 1, ConversationId.New(T0)).Encode();

        Assert.Equal("Limit", (await Assert.ThrowsAsync<CareValidationException>(async () => await session.QueryConversationsAsync(new ConversationQuery { Limit = 501 }, Ct))).Field);
        Assert.Equal("After", (await Assert.ThrowsAsync<CareValidationException>(async () => await session.QueryConversationsAsync(new ConversationQuery { After = "not-a-cursor" }, Ct))).Field);
        Assert.Equal("After", (await Assert.ThrowsAsync<CareValidationException>(async () => await session.QueryConversationsAsync(new ConversationQuery { After = otherSortCursor }, Ct))).Field);
    }

    /// <summary>An empty workspace has an empty first page without a cursor.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task QueryConversations_Empty_ReturnsEmptyPageWithoutCursor()
    {
        var (store, ws) = await NewStoreAsync();

        var page = await ReadAsync(store, ws, s => s.QueryConversationsAsync(ConversationQuery.AllOpen(), Ct));

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    /// <summary>
    /// Stores <paramref name="count"/> conversations with varied status, priority, queue, assignee, tags, channel,
    /// visibility and times (with deliberate ties), plus messages; conversations whose text mentions a refund carry the
    /// attribute "refund".
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="ws">The workspace.</param>
    /// <param name="count">How many.</param>
    /// <returns>The committed conversations.</returns>
    protected async Task<List<Conversation>> SeedInboxAsync(ICareStore store, WorkspaceId ws, int count)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<Conversation>();
        await using var session = await store.BeginAsync(ws, Ct);
        var sharedContact = NewContact(ws, "shared");
        await session.InsertContactAsync(sharedContact, Ct);
        for (var i = 0; i < count; i++)
        {
            var contact = i % 6 == 5 ? sharedContact : NewContact(ws, $"c-{i}");
            if (contact != sharedContact)
            {
                await session.InsertContactAsync(contact, Ct);
            }

            var channel = (i % 3) switch { 0 => WhatsApp, 1 => Messenger, _ => new ChannelAccount(ChannelKind.WhatsApp, "15550009999") };
            var created = T0.AddMinutes(i / 3); // ties in creation time, broken by id
            var refund = i % 4 == 1;
            var conversation = NewConversation(ws, contact, channel, i % 5 == 0 ? ConversationVisibility.Public : ConversationVisibility.Private, created) with
            {
                Id = new ConversationId(Guid.CreateVersion7(T0.AddMinutes(count - i))), // id order differs from creation order
                Handle = new ContactHandle(channel.Kind, $"h-{i}"),
                Status = (ConversationStatus)(i % 4),
                Priority = (ConversationPriority)((i * 7) % 4),
                Queue = (i % 3) switch { 0 => "billing", 1 => "tech", _ => null },
                Assignee = (i % 5) switch { 0 => Ana, 1 => Bo, _ => null },
                Tags = (i % 4) switch { 0 => ["vip"], 1 => ["billing", "vip"], 2 => ["returns"], _ => [] },
                WaitingSince = i % 7 == 3 ? null : T0.AddMinutes(-(i % 5)).ToOffset(TimeSpan.FromHours(i % 3)),
                LastActivityAt = T0.AddMinutes((i * 11) % 13).ToOffset(TimeSpan.FromHours(-(i % 4))),
                Attributes = refund ? new Dictionary<string, string> { ["refund"] = "yes" } : new Dictionary<string, string>(),
            };
            await session.InsertConversationAsync(conversation, Ct);
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, 1, $"p-{i}", refund ? $"I want a Refund for order {i}" : $"Where is order {i}?"), Ct));
            Assert.True(await session.TryInsertMessageAsync(NewMessage(conversation, 2, null, "Thanks") with { Direction = MessageDirection.Outbound }, Ct));
            result.Add(conversation);
        }

        await session.CommitAsync(Ct);
        return result;
    }

    private static Comparer<Conversation> Comparer(ConversationSort sort) => Comparer<Conversation>.Create((x, y) => ConversationCursor.Compare(x, y, sort));
}
