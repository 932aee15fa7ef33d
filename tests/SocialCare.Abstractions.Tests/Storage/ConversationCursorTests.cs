using SocialCare.Storage;

namespace SocialCare.Storage;

public sealed class ConversationCursorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<ConversationSort, ConversationPriority, long> Cursors()
    {
        var data = new TheoryData<ConversationSort, ConversationPriority, long>();
        foreach (var sort in Enum.GetValues<ConversationSort>())
        {
            foreach (var priority in Enum.GetValues<ConversationPriority>())
            {
                data.Add(sort, priority, T0.UtcTicks);
            }

            data.Add(sort, ConversationPriority.Normal, 0);
            data.Add(sort, ConversationPriority.Low, long.MaxValue);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cursors))]
    public void Encode_ThenTryDecode_RoundTrips(ConversationSort sort, ConversationPriority priority, long ticks)
    {
        var cursor = new ConversationCursor(sort, priority, ticks, ConversationId.New(T0));

        var text = cursor.Encode();

        Assert.True(ConversationCursor.TryDecode(text, out var decoded));
        Assert.Equal(cursor, decoded);
        Assert.DoesNotContain('+', text);
        Assert.DoesNotContain('/', text);
        Assert.DoesNotContain('=', text);
        Assert.Equal(Uri.EscapeDataString(text), text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("not a cursor at all, just text!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryDecode_TextEncodeDidNotProduce_ReturnsFalse(string? text)
    {
        Assert.False(ConversationCursor.TryDecode(text, out var cursor));
        Assert.Equal(default, cursor);
    }

    [Theory]
    [InlineData(9, 2)]
    [InlineData(0, 7)]
    [InlineData(255, 255)]
    public void TryDecode_UndefinedSortOrPriority_ReturnsFalse(int sort, int priority)
    {
        var valid = new ConversationCursor(ConversationSort.WaitingLongest, ConversationPriority.High, T0.UtcTicks, ConversationId.New(T0)).Encode();
        var bytes = Convert.FromBase64String(valid.Replace('-', '+').Replace('_', '/') + "=");
        bytes[0] = (byte)sort;
        bytes[1] = (byte)priority;
        var tampered = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.False(ConversationCursor.TryDecode(tampered, out _));
    }

    [Fact]
    public void SortTicks_PerSort_UsesTheDocumentedTime()
    {
        var c = Conversation(T0, lastActivity: T0.AddMinutes(5), waitingSince: T0.AddMinutes(2));

        Assert.Equal(T0.AddMinutes(5).UtcTicks, ConversationCursor.SortTicks(c, ConversationSort.LastActivityNewest));
        Assert.Equal(T0.UtcTicks, ConversationCursor.SortTicks(c, ConversationSort.CreatedNewest));
        Assert.Equal(T0.AddMinutes(2).UtcTicks, ConversationCursor.SortTicks(c, ConversationSort.WaitingLongest));
        Assert.Equal(T0.AddMinutes(2).UtcTicks, ConversationCursor.SortTicks(c, ConversationSort.PriorityThenWaiting));
        Assert.Equal(long.MaxValue, ConversationCursor.SortTicks(c with { WaitingSince = null }, ConversationSort.WaitingLongest));
    }

    [Fact]
    public void SortTicks_SameInstantInDifferentOffsets_AreEqual()
    {
        var utc = Conversation(T0, T0, T0);
        var berlin = utc with { CreatedAt = T0.ToOffset(TimeSpan.FromHours(1)), LastActivityAt = T0.ToOffset(TimeSpan.FromHours(1)), WaitingSince = T0.ToOffset(TimeSpan.FromHours(1)) };

        foreach (var sort in Enum.GetValues<ConversationSort>())
        {
            Assert.Equal(ConversationCursor.SortTicks(utc, sort), ConversationCursor.SortTicks(berlin, sort));
        }
    }

    [Fact]
    public void Compare_NewestSorts_PutLaterTimesFirst()
    {
        var older = Conversation(T0, T0, T0);
        var newer = Conversation(T0.AddMinutes(1), T0.AddMinutes(1), T0.AddMinutes(1));

        Assert.True(ConversationCursor.Compare(newer, older, ConversationSort.LastActivityNewest) < 0);
        Assert.True(ConversationCursor.Compare(newer, older, ConversationSort.CreatedNewest) < 0);
        Assert.True(ConversationCursor.Compare(older, newer, ConversationSort.WaitingLongest) < 0);
        Assert.True(ConversationCursor.IsDescending(ConversationSort.LastActivityNewest));
        Assert.True(ConversationCursor.IsDescending(ConversationSort.CreatedNewest));
        Assert.False(ConversationCursor.IsDescending(ConversationSort.WaitingLongest));
        Assert.False(ConversationCursor.IsDescending(ConversationSort.PriorityThenWaiting));
    }

    [Fact]
    public void Compare_PriorityThenWaiting_PutsUrgentFirstThenLongestWaitingThenNobodyWaiting()
    {
        var urgentRecent = Conversation(T0, T0, T0.AddHours(1)) with { Priority = ConversationPriority.Urgent };
        var normalOld = Conversation(T0, T0, T0) with { Priority = ConversationPriority.Normal };
        var normalRecent = Conversation(T0, T0, T0.AddMinutes(1)) with { Priority = ConversationPriority.Normal };
        var normalAnswered = Conversation(T0, T0, null) with { Priority = ConversationPriority.Normal };
        var low = Conversation(T0, T0, T0.AddDays(-1)) with { Priority = ConversationPriority.Low };

        var sorted = new[] { low, normalAnswered, normalRecent, urgentRecent, normalOld }
            .Order(Comparer<Conversation>.Create((x, y) => ConversationCursor.Compare(x, y, ConversationSort.PriorityThenWaiting)))
            .ToList();

        Assert.Equal([urgentRecent, normalOld, normalRecent, normalAnswered, low], sorted);
        // Priority plays no part in the other orders.
        Assert.True(ConversationCursor.Compare(low, urgentRecent, ConversationSort.WaitingLongest) < 0);
    }

    [Fact]
    public void Compare_EqualTimes_BreaksTiesByIdSoTheOrderIsTotal()
    {
        var a = Conversation(T0, T0, T0);
        var b = a with { Id = ConversationId.New(T0) };
        var (first, second) = a.Id < b.Id ? (a, b) : (b, a);

        foreach (var sort in Enum.GetValues<ConversationSort>())
        {
            var c = ConversationCursor.Compare(first, second, sort);
            Assert.NotEqual(0, c);
            Assert.Equal(-Math.Sign(c), Math.Sign(ConversationCursor.Compare(second, first, sort)));
            Assert.Equal(0, ConversationCursor.Compare(first, first, sort));
            Assert.Equal(ConversationCursor.IsDescending(sort) ? 1 : -1, Math.Sign(c));
        }
    }

    [Fact]
    public void From_CapturesSortPriorityTicksAndId()
    {
        var c = Conversation(T0, T0.AddMinutes(3), T0.AddMinutes(1)) with { Priority = ConversationPriority.High };

        var cursor = ConversationCursor.From(c, ConversationSort.LastActivityNewest);

        Assert.Equal(new ConversationCursor(ConversationSort.LastActivityNewest, ConversationPriority.High, T0.AddMinutes(3).UtcTicks, c.Id), cursor);
        Assert.Throws<ArgumentNullException>(() => ConversationCursor.From(null!, ConversationSort.CreatedNewest));
    }

    private static Conversation Conversation(DateTimeOffset created, DateTimeOffset lastActivity, DateTimeOffset? waitingSince) => new()
    {
        Id = ConversationId.New(created),
        WorkspaceId = new WorkspaceId("acme"),
        ContactId = ContactId.New(created),
        Channel = new ChannelAccount(ChannelKind.WhatsApp, "1555"),
        Handle = new ContactHandle(ChannelKind.WhatsApp, "4915"),
        Cycle = new ConversationCycle(1, created),
        CreatedAt = created,
        LastActivityAt = lastActivity,
        WaitingSince = waitingSince,
    };
}
