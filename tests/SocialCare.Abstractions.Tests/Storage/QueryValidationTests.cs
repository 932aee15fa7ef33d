using SocialCare.Storage;

namespace SocialCare.Storage;

public sealed class QueryValidationTests
{
    private static readonly ConversationId Conversation = ConversationId.New(new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ConversationQuery_Defaults_AreValid()
    {
        var query = new ConversationQuery();

        query.Validate();

        Assert.Equal(50, query.Limit);
        Assert.Equal(ConversationSort.LastActivityNewest, query.Sort);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    public void ConversationQuery_LimitAtBounds_IsValid(int limit) => new ConversationQuery { Limit = limit }.Validate();

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(501)]
    public void ConversationQuery_LimitOutOfRange_NamesLimit(int limit)
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Limit = limit }.Validate());

        Assert.Equal("Limit", ex.Field);
        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConversationQuery_UndefinedSort_NamesSort()
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Sort = (ConversationSort)17 }.Validate());

        Assert.Equal("Sort", ex.Field);
    }

    [Fact]
    public void ConversationQuery_EmptyAssignee_NamesAssignee()
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Assignee = new AgentId("") }.Validate());

        Assert.Equal("Assignee", ex.Field);
    }

    [Fact]
    public void ConversationQuery_AssigneeWithAssignedFalse_NamesAssigned()
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Assignee = new AgentId("ana"), Assigned = false }.Validate());

        Assert.Equal("Assigned", ex.Field);
        new ConversationQuery { Assignee = new AgentId("ana"), Assigned = true }.Validate();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("12345")]
    public void ConversationQuery_MalformedAfter_NamesAfter(string after)
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { After = after }.Validate());

        Assert.Equal("After", ex.Field);
    }

    [Fact]
    public void ConversationQuery_AfterFromAnotherSort_NamesAfterAndBothSorts()
    {
        var cursor = new ConversationCursor(ConversationSort.CreatedNewest, ConversationPriority.Normal, 1, Conversation).Encode();

        new ConversationQuery { Sort = ConversationSort.CreatedNewest, After = cursor }.Validate();
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Sort = ConversationSort.WaitingLongest, After = cursor }.Validate());

        Assert.Equal("After", ex.Field);
        Assert.Contains("CreatedNewest", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("WaitingLongest", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConversationQuery_Presets_SetTheDocumentedFilters()
    {
        var ana = new AgentId("ana");

        var mine = ConversationQuery.Mine(ana);
        var unassigned = ConversationQuery.Unassigned("billing");
        var open = ConversationQuery.AllOpen();

        Assert.Equal(ana, mine.Assignee);
        Assert.Equal([ConversationStatus.Open], mine.Statuses!);
        Assert.Equal(ConversationSort.PriorityThenWaiting, mine.Sort);
        Assert.False(unassigned.Assigned);
        Assert.Equal("billing", unassigned.Queue);
        Assert.Equal(ConversationSort.PriorityThenWaiting, unassigned.Sort);
        Assert.Null(ConversationQuery.Unassigned().Queue);
        Assert.Equal([ConversationStatus.Open], open.Statuses!);
        Assert.Equal(ConversationSort.LastActivityNewest, open.Sort);
        mine.Validate();
        unassigned.Validate();
        open.Validate();
    }

    [Fact]
    public void MessageQuery_EmptyConversation_NamesConversationId()
    {
        var ex = Assert.Throws<CareValidationException>(() => new MessageQuery { ConversationId = default }.Validate());

        Assert.Equal("ConversationId", ex.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public void MessageQuery_LimitOutOfRange_NamesLimit(int limit)
    {
        var ex = Assert.Throws<CareValidationException>(() => new MessageQuery { ConversationId = Conversation, Limit = limit }.Validate());

        Assert.Equal("Limit", ex.Field);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData(" 5")]
    [InlineData("5.0")]
    [InlineData("")]
    public void MessageQuery_MalformedAfter_NamesAfter(string after)
    {
        var query = new MessageQuery { ConversationId = Conversation, After = after };

        var ex = Assert.Throws<CareValidationException>(query.Validate);

        Assert.Equal("After", ex.Field);
        Assert.False(query.TryGetAfterSequence(out _));
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("1", 1)]
    [InlineData("9000", 9000)]
    public void MessageQuery_TryGetAfterSequence_ReadsTheCursor(string? after, long expected)
    {
        var query = new MessageQuery { ConversationId = Conversation, After = after };

        query.Validate();

        Assert.True(query.TryGetAfterSequence(out var sequence));
        Assert.Equal(expected, sequence);
    }
}
