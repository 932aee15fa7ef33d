namespace SocialCare.Storage;

/// <summary>Keyset paging of <see cref="ICareInbox.ListAsync"/> in every <see cref="ConversationSort"/>.</summary>
public sealed class ConversationPagingTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private readonly CareHost _host = CareHost.Create();
    private int _customers;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<ConversationSort> Sorts => [.. Enum.GetValues<ConversationSort>()];

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task ListAsync_PagingWhileNewConversationsArrive_ReturnsEveryExistingConversationOnceInOrder(ConversationSort sort)
    {
        var existing = new List<ConversationId>();
        for (var i = 0; i < 30; i++)
        {
            existing.Add((await NewConversationAsync(i)).Id);
        }

        var seen = new List<Conversation>();
        var query = new ConversationQuery { Sort = sort, Limit = 7 };
        var pages = 0;
        do
        {
            var page = await _host.Inbox.ListAsync(CareHost.Acme, query);
            Assert.InRange(page.Items.Count, 1, 7);
            seen.AddRange(page.Items);
            query = query with { After = page.NextCursor };
            pages++;

            // Between pages, customers keep writing in: two new conversations, one of them urgent.
            var urgent = await NewConversationAsync(pages);
            await _host.Inbox.SetPriorityAsync(CareHost.Acme, urgent.Id, ConversationPriority.Urgent);
            await NewConversationAsync(pages + 1);
        }
        while (query.After is not null && pages < 100);

        Assert.Equal(seen.Count, seen.Select(c => c.Id).Distinct().Count());
        Assert.Empty(existing.Except(seen.Select(c => c.Id)));
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(ConversationCursor.Compare(seen[i - 1], seen[i], sort) < 0, $"{sort}: item {i} is out of order.");
        }
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task ListAsync_AllPagesOfAStableSet_EqualOneBigPage(ConversationSort sort)
    {
        for (var i = 0; i < 23; i++)
        {
            await NewConversationAsync(i);
        }

        var big = (await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Sort = sort, Limit = 500 })).Items.Select(c => c.Id).ToList();
        var paged = new List<ConversationId>();
        var query = new ConversationQuery { Sort = sort, Limit = 5 };
        do
        {
            var page = await _host.Inbox.ListAsync(CareHost.Acme, query);
            paged.AddRange(page.Items.Select(c => c.Id));
            query = query with { After = page.NextCursor };
        }
        while (query.After is not null);

        Assert.Equal(23, big.Count);
        Assert.Equal(big, paged);
    }

    [Fact]
    public async Task ListAsync_EachSort_OrdersAsDocumented()
    {
        // a: normal, waiting since t0.  b: urgent, waiting since t2.  c: high, waiting since t1.
        // d: normal, answered (nobody waiting), last activity latest.  e: normal, waiting since t3.
        var a = await _host.ReceiveAsync("a", customer: "a");
        _host.Advance(TimeSpan.FromMinutes(1));
        var c = await _host.ReceiveAsync("c", customer: "c");
        await _host.Inbox.SetPriorityAsync(CareHost.Acme, c.Id, ConversationPriority.High);
        _host.Advance(TimeSpan.FromMinutes(1));
        var b = await _host.ReceiveAsync("b", customer: "b");
        await _host.Inbox.SetPriorityAsync(CareHost.Acme, b.Id, ConversationPriority.Urgent);
        _host.Advance(TimeSpan.FromMinutes(1));
        var e = await _host.ReceiveAsync("e", customer: "e");
        _host.Advance(TimeSpan.FromMinutes(1));
        var d = await _host.ReceiveAsync("d", customer: "d");
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.Inbox.ReplyAsync(CareHost.Acme, d.Id, new AgentReply { Agent = Ana, Text = "Done" });
        _host.Advance(TimeSpan.FromMinutes(1));
        await _host.IngestAsync(_host.Message("a2", customer: "a")); // a becomes the most recently active

        async Task<string> Order(ConversationSort sort)
        {
            var names = new Dictionary<ConversationId, string> { [a.Id] = "a", [b.Id] = "b", [c.Id] = "c", [d.Id] = "d", [e.Id] = "e" };
            var page = await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Sort = sort });
            return string.Concat(page.Items.Select(x => names[x.Id]));
        }

        Assert.Equal("adebc", await Order(ConversationSort.LastActivityNewest));
        Assert.Equal("acbed", await Order(ConversationSort.WaitingLongest));
        Assert.Equal("bcaed", await Order(ConversationSort.PriorityThenWaiting));
        Assert.Equal("debca", await Order(ConversationSort.CreatedNewest));
    }

    [Fact]
    public async Task ListAsync_ConversationsCreatedAtTheSameInstant_PageByIdWithoutLosses()
    {
        var ids = new List<ConversationId>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await _host.ReceiveAsync($"same.{i}", customer: $"same-{i}")).Id); // the clock does not move
        }

        foreach (var sort in Enum.GetValues<ConversationSort>())
        {
            var paged = new List<ConversationId>();
            var query = new ConversationQuery { Sort = sort, Limit = 5 };
            do
            {
                var page = await _host.Inbox.ListAsync(CareHost.Acme, query);
                paged.AddRange(page.Items.Select(c => c.Id));
                query = query with { After = page.NextCursor };
            }
            while (query.After is not null);

            Assert.Equal(ids.Order(), paged.Order());
            Assert.Equal(ConversationCursor.IsDescending(sort) ? ids.OrderDescending() : ids.Order(), paged);
        }
    }

    [Fact]
    public async Task ListAsync_LastPage_HasNoCursorAndEmptyWorkspaceHasEmptyPage()
    {
        var empty = await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery());
        await NewConversationAsync(0);
        await NewConversationAsync(1);
        var exact = await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Limit = 2 });

        Assert.Empty(empty.Items);
        Assert.Null(empty.NextCursor);
        Assert.Equal(2, exact.Items.Count);
        Assert.Null(exact.NextCursor);
    }

    [Fact]
    public async Task ListAsync_CursorOfAnotherSort_ThrowsValidationNamingAfter()
    {
        await NewConversationAsync(0);
        await NewConversationAsync(1);
        var page = await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Sort = ConversationSort.CreatedNewest, Limit = 1 });

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () =>
            await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Sort = ConversationSort.WaitingLongest, After = page.NextCursor }));

        Assert.Equal("After", ex.Field);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-")]
    public async Task ListAsync_MalformedCursor_ThrowsValidationNamingAfter(string after)
    {
        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { After = after }));

        Assert.Equal("After", ex.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task ListAsync_LimitOutOfRange_ThrowsValidationNamingLimit(int limit)
    {
        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.ListAsync(CareHost.Acme, new ConversationQuery { Limit = limit }));

        Assert.Equal("Limit", ex.Field);
    }

    /// <summary>A conversation with a spread of priorities, waiting times and activity, including ties in time.</summary>
    private async Task<Conversation> NewConversationAsync(int seed)
    {
        var n = _customers++;
        if (seed % 3 != 0)
        {
            _host.Advance(TimeSpan.FromSeconds(seed % 5)); // 0 s keeps ties in every time key
        }

        var conversation = await _host.ReceiveAsync($"new.{n}", customer: $"cust-{n}");
        switch (seed % 4)
        {
            case 1:
                conversation = await _host.Inbox.SetPriorityAsync(CareHost.Acme, conversation.Id, ConversationPriority.High);
                break;
            case 2:
                await _host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = Ana, Text = "Answered" });
                conversation = await _host.GetAsync(conversation.Id);
                break;
            case 3:
                conversation = await _host.Inbox.SetPriorityAsync(CareHost.Acme, conversation.Id, ConversationPriority.Low);
                break;
        }

        return conversation;
    }
}
