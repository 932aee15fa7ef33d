using static SocialCare.ConversationStatus;

namespace SocialCare.Conversations;

/// <summary>The status machine, driven through <see cref="ICareInbox"/> and customer messages.</summary>
public sealed class ConversationStatusTests : IAsyncDisposable
{
    private readonly CareHost _host = CareHost.Create();

    public enum Operation
    {
        MarkPending,
        Snooze,
        Resolve,
        Reopen,
    }

    public static TheoryData<Operation, ConversationStatus, ConversationStatus> Allowed => new()
    {
        { Operation.MarkPending, Open, Pending },
        { Operation.MarkPending, Snoozed, Pending },
        { Operation.Snooze, Open, Snoozed },
        { Operation.Snooze, Pending, Snoozed },
        { Operation.Snooze, Snoozed, Snoozed },
        { Operation.Resolve, Open, Resolved },
        { Operation.Resolve, Pending, Resolved },
        { Operation.Resolve, Snoozed, Resolved },
        { Operation.Reopen, Pending, Open },
        { Operation.Reopen, Snoozed, Open },
        { Operation.Reopen, Resolved, Open },
    };

    public static TheoryData<Operation, ConversationStatus> Refused => new()
    {
        { Operation.MarkPending, Pending },
        { Operation.MarkPending, Resolved },
        { Operation.Snooze, Resolved },
        { Operation.Resolve, Resolved },
        { Operation.Reopen, Open },
    };

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public void TransitionTables_EveryOperationFromEveryStatus_AppearsExactlyOnce()
    {
        var listed = Allowed.Select(row => ((Operation)row.Data.Item1, (ConversationStatus)row.Data.Item2))
            .Concat(Refused.Select(row => ((Operation)row.Data.Item1, (ConversationStatus)row.Data.Item2)))
            .ToList();
        var every = Enum.GetValues<Operation>().SelectMany(op => Enum.GetValues<ConversationStatus>().Select(s => (op, s))).ToList();

        Assert.Equal(every.Count, listed.Count);
        Assert.Equal(every.OrderBy(x => x.ToString()), listed.OrderBy(x => x.ToString()));
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task Operation_AllowedFromStatus_MovesToTargetAndBumpsVersion(Operation operation, ConversationStatus from, ConversationStatus to)
    {
        var before = await ConversationInAsync(from);
        _host.Advance(TimeSpan.FromMinutes(5));

        var after = await ApplyAsync(operation, before.Id);

        Assert.Equal(to, after.Status);
        Assert.Equal(before.Version + 1, after.Version);
        var stored = await _host.GetAsync(before.Id);
        Assert.Equal(after, stored);

        switch (operation)
        {
            case Operation.Snooze:
                Assert.Equal(_host.Now.AddHours(2), after.SnoozedUntil);
                break;
            case Operation.Resolve:
                Assert.Equal(_host.Now, after.ResolvedAt);
                Assert.Null(after.WaitingSince);
                Assert.Null(after.SnoozedUntil);
                break;
            case Operation.Reopen when from == Resolved:
                Assert.Equal(before.Cycle.Number + 1, after.Cycle.Number);
                Assert.Equal(_host.Now, after.Cycle.StartedAt);
                Assert.Null(after.Cycle.FirstResponseAt);
                break;
            default:
                Assert.Null(after.SnoozedUntil);
                Assert.Equal(before.Cycle, after.Cycle);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Operation_RefusedFromStatus_ThrowsNamingConversationAndStatusAndChangesNothing(Operation operation, ConversationStatus from)
    {
        var before = await ConversationInAsync(from);
        var snapshot = await _host.SnapshotAsync();
        _host.Advance(TimeSpan.FromMinutes(5));

        var ex = await Assert.ThrowsAsync<InvalidConversationTransitionException>(() => ApplyAsync(operation, before.Id));

        Assert.Equal(before.Id, ex.ConversationId);
        Assert.Equal(from, ex.From);
        Assert.Contains(before.Id.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(from.ToString(), ex.Message, StringComparison.Ordinal);
        var stored = await _host.GetAsync(before.Id);
        Assert.Equal(before.Version, stored.Version);
        Assert.Equal(from, stored.Status);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
    }

    [Theory]
    [InlineData(Pending)]
    [InlineData(Snoozed)]
    public async Task CustomerMessage_IntoPendingOrSnoozed_WakesSameConversationToOpen(ConversationStatus from)
    {
        var before = await ConversationInAsync(from);
        _host.Advance(TimeSpan.FromMinutes(10));

        var result = await _host.IngestAsync(_host.Message("wamid.wake", text: "Any news?"));

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(before.Id, result.ConversationId);
        var after = await _host.GetAsync(before.Id);
        Assert.Equal(Open, after.Status);
        Assert.Null(after.SnoozedUntil);
        Assert.Equal(before.Cycle.Number, after.Cycle.Number);
        Assert.Equal(before.MessageCount + 1, after.MessageCount);
    }

    [Fact]
    public async Task CustomerMessage_IntoOpen_StaysOpenInSameCycle()
    {
        var before = await ConversationInAsync(Open);

        var result = await _host.IngestAsync(_host.Message("wamid.more", text: "Also, the box was damaged."));

        var after = await _host.GetAsync(before.Id);
        Assert.Equal(before.Id, result.ConversationId);
        Assert.Equal(Open, after.Status);
        Assert.Equal(before.Cycle, after.Cycle);
    }

    [Fact]
    public async Task ReplyAsync_OnResolved_ThrowsAndStoresNoMessage()
    {
        var before = await ConversationInAsync(Resolved);
        var snapshot = await _host.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<InvalidConversationTransitionException>(async () =>
            await _host.Inbox.ReplyAsync(CareHost.Acme, before.Id, new AgentReply { Agent = new AgentId("agent-1"), Text = "Sorry!" }));

        Assert.Equal(Resolved, ex.From);
        Assert.Equal(before.Id, ex.ConversationId);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
    }

    [Theory]
    [InlineData(Open)]
    [InlineData(Pending)]
    [InlineData(Snoozed)]
    public async Task ReplyAsync_OnActiveConversation_IsAllowed(ConversationStatus from)
    {
        var before = await ConversationInAsync(from);

        var reply = await _host.Inbox.ReplyAsync(CareHost.Acme, before.Id, new AgentReply { Agent = new AgentId("agent-1"), Text = "On it." });

        Assert.Equal(before.Id, reply.ConversationId);
        Assert.Equal(from, (await _host.GetAsync(before.Id)).Status);
    }

    [Fact]
    public async Task SnoozeAsync_UntilNotInFuture_ThrowsValidationNamingUntil()
    {
        var before = await ConversationInAsync(Open);

        var ex = await Assert.ThrowsAsync<CareValidationException>(async () => await _host.Inbox.SnoozeAsync(CareHost.Acme, before.Id, _host.Now));

        Assert.Equal("until", ex.Field);
        Assert.Equal(before.Version, (await _host.GetAsync(before.Id)).Version);
    }

    [Fact]
    public async Task ResolveThenReopen_ByAgent_StartsSecondCycleAndKeepsMessages()
    {
        var open = await ConversationInAsync(Open);
        await _host.Inbox.ResolveAsync(CareHost.Acme, open.Id);
        _host.Advance(TimeSpan.FromDays(30)); // an agent may reopen after the customer window

        var reopened = await _host.Inbox.ReopenAsync(CareHost.Acme, open.Id);

        Assert.Equal(Open, reopened.Status);
        Assert.Equal(2, reopened.Cycle.Number);
        Assert.Equal(open.MessageCount, reopened.MessageCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReopenAsync_OlderConversationWhenCustomerHasNewerOne_ThrowsTransitionNamingTheNewerAndRetriesNothing(bool newerResolved)
    {
        using var retries = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            _host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SocialCare.Diagnostics.SocialCareDiagnostics.MeterName, SocialCare.Diagnostics.SocialCareDiagnostics.ConflictRetries);
        var old = await ConversationInAsync(Resolved);
        _host.Advance(TimeSpan.FromDays(8)); // past the reopen window: the customer's next message starts a new conversation
        var newer = await _host.ReceiveAsync("wamid.new");
        if (newerResolved)
        {
            newer = await _host.Inbox.ResolveAsync(CareHost.Acme, newer.Id);
        }

        var snapshot = await _host.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<InvalidConversationTransitionException>(async () => await _host.Inbox.ReopenAsync(CareHost.Acme, old.Id));

        Assert.Equal(old.Id, ex.ConversationId);
        Assert.Equal(Resolved, ex.From);
        Assert.Contains(newer.Id.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
        Assert.Empty(retries.GetMeasurementSnapshot());

        // The customer's thread keeps working: the next message goes to the newer conversation.
        var next = await _host.IngestAsync(_host.Message("wamid.after"));
        Assert.Equal(IngestOutcome.Accepted, next.Outcome);
        Assert.Equal(newer.Id, next.ConversationId);
    }

    [Fact]
    public async Task ReopenAsync_LatestResolvedConversation_IsAllowedAfterTheWindow()
    {
        var old = await ConversationInAsync(Resolved);
        _host.Advance(TimeSpan.FromDays(30));

        var reopened = await _host.Inbox.ReopenAsync(CareHost.Acme, old.Id);
        var next = await _host.IngestAsync(_host.Message("wamid.after"));

        Assert.Equal(Open, reopened.Status);
        Assert.Equal(old.Id, next.ConversationId);
    }

    private async Task<Conversation> ConversationInAsync(ConversationStatus status)
    {
        var open = await _host.ReceiveAsync("wamid.first");
        Assert.Equal(Open, open.Status);
        return status switch
        {
            Open => open,
            Pending => await _host.Inbox.MarkPendingAsync(CareHost.Acme, open.Id),
            Snoozed => await _host.Inbox.SnoozeAsync(CareHost.Acme, open.Id, _host.Now.AddHours(1)),
            Resolved => await _host.Inbox.ResolveAsync(CareHost.Acme, open.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    private async Task<Conversation> ApplyAsync(Operation operation, ConversationId id) => operation switch
    {
        Operation.MarkPending => await _host.Inbox.MarkPendingAsync(CareHost.Acme, id),
        Operation.Snooze => await _host.Inbox.SnoozeAsync(CareHost.Acme, id, _host.Now.AddHours(2)),
        Operation.Resolve => await _host.Inbox.ResolveAsync(CareHost.Acme, id),
        Operation.Reopen => await _host.Inbox.ReopenAsync(CareHost.Acme, id),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
