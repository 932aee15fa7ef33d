using System.Collections.Concurrent;
using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>
/// The outbox (<see cref="IOutboxStore"/>, <see cref="ICareSession.EnqueueOutboxAsync"/>): entries become visible at
/// commit with their message, claims are leased and exclusive, only the lease holder marks, reschedules or completes.
/// Every instant comes from the test; nothing sleeps.
/// </summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class OutboxSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A lease long enough that no test reaches its end unless it means to.</summary>
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private static readonly int[] ShuffledMinutes = [3, 1, 4, 0, 2];

    /// <summary>An entry enqueued in a committed unit of work with its message is counted and claimable.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_CommittedWithItsMessage_IsCountedAndClaimable()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewOutbound(conversation, 1);

        await CommitAsync(store, ws, async s =>
        {
            Assert.True(await s.TryInsertMessageAsync(message, Ct));
            await s.EnqueueOutboxAsync(NewEntry(ws, message.Id, T0), Ct);
        });

        Assert.Equal(1, await outbox.CountAsync(Ct));
        AssertSameMessage(message, await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)));
        var claimed = Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));
        Assert.Equal(ws, claimed.WorkspaceId);
        Assert.Equal(message.Id, claimed.MessageId);
        Assert.Equal(T0, claimed.DueAt);
        Assert.Equal(1, claimed.Attempts);
        Assert.False(claimed.SendStarted);
        Assert.Null(claimed.LastError);
        Assert.Equal(1, await outbox.CountAsync(Ct));
    }

    /// <summary>An entry of a unit of work disposed without commit never appears (nor does its message).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_SessionDisposedWithoutCommit_NeverAppears()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewOutbound(conversation, 1);

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            Assert.True(await session.TryInsertMessageAsync(message, Ct));
            await session.EnqueueOutboxAsync(NewEntry(ws, message.Id, T0), Ct);
        }

        Assert.Equal(0, await outbox.CountAsync(Ct));
        Assert.Empty(await outbox.ClaimDueAsync("node-a", T0.AddDays(1), Lease, 10, Ct));
        Assert.Null(await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)));
    }

    /// <summary>A unit of work whose commit fails (another write conflicts) keeps none of its entries.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_CommitFailsOnAnotherWrite_KeepsNoEntry()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var (contact, _) = await SeedThreadAsync(store, ws, "111");
        var bumped = contact with { Version = 2, UpdatedAt = NextTime() };

        await using var stale = await store.BeginAsync(ws, Ct);
        await stale.UpdateContactAsync(bumped, Ct);
        await stale.EnqueueOutboxAsync(NewEntry(ws, MessageId.New(NextTime()), T0), Ct);
        await CommitAsync(store, ws, s => s.UpdateContactAsync(bumped, Ct));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await stale.CommitAsync(Ct));
        Assert.Equal(0, await outbox.CountAsync(Ct));
    }

    /// <summary>One message is queued once: a second entry in the same unit of work conflicts and nothing is kept.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_TwiceInOneSession_ThrowsConflictAndKeepsNothing()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await session.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct);
            await AssertConflictNowOrAtCommitAsync(session, () => session.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddMinutes(1)), Ct));
        }

        Assert.Equal(0, await outbox.CountAsync(Ct));
    }

    /// <summary>A message already in the committed outbox cannot be queued again by a later unit of work.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_AlreadyCommitted_ThrowsConflict()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await AssertConflictNowOrAtCommitAsync(session, () => session.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddMinutes(5)), Ct));
        }

        Assert.Equal(1, await outbox.CountAsync(Ct));
        Assert.Equal(T0, Assert.Single(await outbox.ClaimDueAsync("node-a", T0.AddHours(1), Lease, 10, Ct)).DueAt);
    }

    /// <summary>Two open units of work queue the same message: the first commit wins, the second conflicts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_ConcurrentSessions_SecondCommitConflicts()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await using var first = await store.BeginAsync(ws, Ct);
        await using var second = await store.BeginAsync(ws, Ct);
        await first.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct);
        await second.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddMinutes(5)), Ct);

        await first.CommitAsync(Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.CommitAsync(Ct));

        Assert.Equal(1, await outbox.CountAsync(Ct));
        Assert.Equal(T0, Assert.Single(await outbox.ClaimDueAsync("node-a", T0.AddHours(1), Lease, 10, Ct)).DueAt);
    }

    /// <summary>An entry due later is not claimed before its time, and is at its time.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_NotDueYet_IsNotClaimedUntilDue()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddMinutes(10)), Ct));

        Assert.Empty(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));
        Assert.Empty(await outbox.ClaimDueAsync("node-a", T0.AddMinutes(10).AddTicks(-TimeSpan.TicksPerMillisecond), Lease, 10, Ct));
        var claimed = Assert.Single(await outbox.ClaimDueAsync("node-a", T0.AddMinutes(10), Lease, 10, Ct));
        Assert.Equal(id, claimed.MessageId);
        Assert.Equal(1, claimed.Attempts);
    }

    /// <summary>A claim takes at most maxCount entries, the oldest due first; the next claim takes the rest in order.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_RespectsMaxCountAndOldestDueFirst()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var byMinute = new Dictionary<int, MessageId>();
        await CommitAsync(store, ws, async s =>
        {
            foreach (var minute in ShuffledMinutes)
            {
                var id = MessageId.New(NextTime());
                byMinute[minute] = id;
                await s.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddMinutes(minute)), Ct);
            }
        });

        var firstTwo = await outbox.ClaimDueAsync("node-a", T0.AddMinutes(10), Lease, 2, Ct);
        var rest = await outbox.ClaimDueAsync("node-b", T0.AddMinutes(10), Lease, 10, Ct);

        Assert.Equal([byMinute[0], byMinute[1]], firstTwo.Select(e => e.MessageId));
        Assert.Equal([T0, T0.AddMinutes(1)], firstTwo.Select(e => e.DueAt));
        Assert.Equal([byMinute[2], byMinute[3], byMinute[4]], rest.Select(e => e.MessageId));
        Assert.Empty(await outbox.ClaimDueAsync("node-c", T0.AddMinutes(10), Lease, 10, Ct));
    }

    /// <summary>A claimed entry is not claimed again while its lease runs; once it ended, another owner claims it (second attempt).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_Leased_NotClaimedAgainUntilTheLeaseEnds()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));

        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));
        Assert.Empty(await outbox.ClaimDueAsync("node-b", T0.AddSeconds(30), Lease, 10, Ct));
        Assert.Empty(await outbox.ClaimDueAsync("node-a", T0.AddSeconds(59), Lease, 10, Ct));
        var again = Assert.Single(await outbox.ClaimDueAsync("node-b", T0 + Lease, Lease, 10, Ct));

        Assert.Equal(id, again.MessageId);
        Assert.Equal(2, again.Attempts);
        Assert.Equal(1, await outbox.CountAsync(Ct));
    }

    /// <summary>Many claimers at once never receive the same entry, and together they take every due entry.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_ManyConcurrentClaimers_NeverGetTheSameEntry()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        const int Entries = 200;
        var ids = new List<MessageId>();
        await CommitAsync(store, ws, async s =>
        {
            for (var i = 0; i < Entries; i++)
            {
                var id = MessageId.New(NextTime());
                ids.Add(id);
                await s.EnqueueOutboxAsync(NewEntry(ws, id, T0.AddSeconds(i % 13)), Ct);
            }
        });

        var claimedBy = new ConcurrentDictionary<MessageId, string>();
        var duplicates = new ConcurrentBag<MessageId>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(
            async () =>
            {
                var owner = $"node-{w}";
                while (true)
                {
                    var batch = await outbox.ClaimDueAsync(owner, T0.AddMinutes(1), TimeSpan.FromMinutes(5), 7, Ct);
                    if (batch.Count == 0)
                    {
                        return;
                    }

                    foreach (var entry in batch)
                    {
                        if (!claimedBy.TryAdd(entry.MessageId, owner))
                        {
                            duplicates.Add(entry.MessageId);
                        }
                    }
                }
            },
            Ct)));

        Assert.Empty(duplicates);
        Assert.Equal(ids.Order(), claimedBy.Keys.Order());
    }

    /// <summary>The owner marks the send started within its lease; a claimer after the lease ended sees the mark.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task MarkSendStarted_OwnerWithinLease_TrueAndTheNextClaimerSeesIt()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));

        Assert.True(await outbox.MarkSendStartedAsync(ws, id, "node-a", T0.AddSeconds(10), Ct));

        var takenOver = Assert.Single(await outbox.ClaimDueAsync("node-b", T0 + Lease, Lease, 10, Ct));
        Assert.True(takenOver.SendStarted);
        Assert.Equal(2, takenOver.Attempts);
    }

    /// <summary>Marking fails for another owner, after the lease ended, and for an unknown entry; no mark is left.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task MarkSendStarted_NonOwnerOrLeaseEnded_FalseAndNoMark()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));

        Assert.False(await outbox.MarkSendStartedAsync(ws, id, "node-b", T0.AddSeconds(10), Ct));
        Assert.False(await outbox.MarkSendStartedAsync(ws, id, "node-a", T0 + Lease, Ct));
        Assert.False(await outbox.MarkSendStartedAsync(ws, MessageId.New(NextTime()), "node-a", T0.AddSeconds(10), Ct));
        Assert.False(await outbox.MarkSendStartedAsync(new WorkspaceId("ws-other"), id, "node-a", T0.AddSeconds(10), Ct));

        var next = Assert.Single(await outbox.ClaimDueAsync("node-b", T0 + Lease, Lease, 10, Ct));
        Assert.False(next.SendStarted);
    }

    /// <summary>
    /// A reschedule makes the entry due later, releases the lease (another owner claims it at the new time though the
    /// old lease would still run), clears the send-started mark and keeps the error.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Reschedule_DueLaterLeaseReleasedSendStartedClearedErrorKept()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        var longLease = TimeSpan.FromHours(1);
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, longLease, 10, Ct));
        Assert.True(await outbox.MarkSendStartedAsync(ws, id, "node-a", T0.AddSeconds(1), Ct));

        Assert.False(await outbox.RescheduleAsync(ws, id, "node-b", T0.AddMinutes(1), "not mine", Ct));
        Assert.True(await outbox.RescheduleAsync(ws, id, "node-a", T0.AddMinutes(5), "HTTP 503 from the platform", Ct));

        Assert.Empty(await outbox.ClaimDueAsync("node-b", T0.AddMinutes(5).AddSeconds(-1), Lease, 10, Ct));
        var retry = Assert.Single(await outbox.ClaimDueAsync("node-b", T0.AddMinutes(5), Lease, 10, Ct));
        Assert.Equal(id, retry.MessageId);
        Assert.Equal(T0.AddMinutes(5), retry.DueAt);
        Assert.Equal(2, retry.Attempts);
        Assert.False(retry.SendStarted);
        Assert.Equal("HTTP 503 from the platform", retry.LastError);
        Assert.Equal(1, await outbox.CountAsync(Ct));
    }

    /// <summary>The owner's complete removes the entry for good.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Complete_ByOwner_RemovesTheEntry()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        var other = MessageId.New(NextTime());
        await CommitAsync(store, ws, async s =>
        {
            await s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct);
            await s.EnqueueOutboxAsync(NewEntry(ws, other, T0.AddHours(1)), Ct);
        });
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));

        Assert.True(await outbox.CompleteAsync(ws, id, "node-a", Ct));

        Assert.Equal(1, await outbox.CountAsync(Ct));
        Assert.False(await outbox.CompleteAsync(ws, id, "node-a", Ct));
        Assert.Equal(other, Assert.Single(await outbox.ClaimDueAsync("node-b", T0.AddDays(1), Lease, 10, Ct)).MessageId);
    }

    /// <summary>Another owner's complete (also that of the previous owner after a take-over) is refused and keeps the entry.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Complete_ByNonOwner_FalseAndTheEntryIsKept()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));

        Assert.False(await outbox.CompleteAsync(ws, id, "node-b", Ct));
        Assert.Equal(1, await outbox.CountAsync(Ct));

        Assert.Single(await outbox.ClaimDueAsync("node-b", T0 + Lease, Lease, 10, Ct));
        Assert.False(await outbox.CompleteAsync(ws, id, "node-a", Ct));
        Assert.Equal(1, await outbox.CountAsync(Ct));
        Assert.True(await outbox.CompleteAsync(ws, id, "node-b", Ct));
        Assert.Equal(0, await outbox.CountAsync(Ct));
    }

    /// <summary>
    /// The outbox is store-wide: one claim returns the entries of every workspace, each tagged with its workspace, and
    /// the same message id in two workspaces is two entries that are marked and completed separately.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_EntriesOfEveryWorkspace_TaggedWithTheirWorkspace()
    {
        var (store, outbox, wsA) = await NewOutboxStoreAsync();
        var wsB = new WorkspaceId("ws-b");
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = wsB, Name = "Workspace B", CreatedAt = T0 }, Ct));
        var onlyA = MessageId.New(NextTime());
        var onlyB = MessageId.New(NextTime());
        var shared = MessageId.New(NextTime());
        await CommitAsync(store, wsA, async s =>
        {
            await s.EnqueueOutboxAsync(NewEntry(wsA, onlyA, T0), Ct);
            await s.EnqueueOutboxAsync(NewEntry(wsA, shared, T0.AddSeconds(2)), Ct);
        });
        await CommitAsync(store, wsB, async s =>
        {
            await s.EnqueueOutboxAsync(NewEntry(wsB, onlyB, T0.AddSeconds(1)), Ct);
            await s.EnqueueOutboxAsync(NewEntry(wsB, shared, T0.AddSeconds(3)), Ct);
        });

        Assert.Equal(4, await outbox.CountAsync(Ct));
        var claimed = await outbox.ClaimDueAsync("node-a", T0.AddMinutes(1), Lease, 10, Ct);

        Assert.Equal([(wsA, onlyA), (wsB, onlyB), (wsA, shared), (wsB, shared)], claimed.Select(e => (e.WorkspaceId, e.MessageId)));
        Assert.True(await outbox.MarkSendStartedAsync(wsB, shared, "node-a", T0.AddMinutes(1), Ct));
        Assert.True(await outbox.CompleteAsync(wsA, shared, "node-a", Ct));
        Assert.False(await outbox.CompleteAsync(wsA, onlyB, "node-a", Ct));
        Assert.Equal(3, await outbox.CountAsync(Ct));

        var again = await outbox.ClaimDueAsync("node-b", T0.AddMinutes(1) + Lease, Lease, 10, Ct);
        Assert.Equal([(wsA, onlyA), (wsB, onlyB), (wsB, shared)], again.Select(e => (e.WorkspaceId, e.MessageId)));
        Assert.Equal([false, false, true], again.Select(e => e.SendStarted));
    }

    /// <summary>Claim arguments are checked before anything changes: an empty owner, a lease not positive, a count outside 1..1000.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claim_BadArguments_ThrowAndClaimNothing()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await outbox.ClaimDueAsync(string.Empty, T0, Lease, 10, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await outbox.ClaimDueAsync(null!, T0, Lease, 10, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await outbox.ClaimDueAsync("node-a", T0, TimeSpan.Zero, 10, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await outbox.ClaimDueAsync("node-a", T0, TimeSpan.FromSeconds(-1), 10, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await outbox.ClaimDueAsync("node-a", T0, Lease, 0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await outbox.ClaimDueAsync("node-a", T0, Lease, 1001, Ct));

        var claimed = Assert.Single(await outbox.ClaimDueAsync("node-b", T0, Lease, 1000, Ct));
        Assert.Equal(1, claimed.Attempts);
    }

    /// <summary>Marking, rescheduling and completing need an owner.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task OwnerOperations_EmptyOwner_Throw()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var id = MessageId.New(NextTime());
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        Assert.Single(await outbox.ClaimDueAsync("node-a", T0, Lease, 10, Ct));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await outbox.MarkSendStartedAsync(ws, id, string.Empty, T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await outbox.RescheduleAsync(ws, id, string.Empty, T0.AddMinutes(1), null, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await outbox.CompleteAsync(ws, id, string.Empty, Ct));

        Assert.Equal(1, await outbox.CountAsync(Ct));
    }

    /// <summary>
    /// A new entry must belong to the session's workspace, name a message, and have no attempts and no started send;
    /// otherwise the enqueue is refused and, even when the session commits, nothing is stored.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Enqueue_InvalidEntry_ThrowsValidationAndStoresNothing()
    {
        var (store, outbox, ws) = await NewOutboxStoreAsync();
        var wsB = new WorkspaceId("ws-b");
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = wsB, Name = "Workspace B", CreatedAt = T0 }, Ct));
        var id = MessageId.New(NextTime());

        await using (var session = await store.BeginAsync(ws, Ct))
        {
            await Assert.ThrowsAsync<CareValidationException>(async () => await session.EnqueueOutboxAsync(NewEntry(wsB, id, T0), Ct));
            await Assert.ThrowsAsync<CareValidationException>(async () => await session.EnqueueOutboxAsync(NewEntry(ws, id, T0) with { Attempts = 1 }, Ct));
            await Assert.ThrowsAsync<CareValidationException>(async () => await session.EnqueueOutboxAsync(NewEntry(ws, id, T0) with { SendStarted = true }, Ct));
            await Assert.ThrowsAsync<CareValidationException>(async () => await session.EnqueueOutboxAsync(NewEntry(ws, default, T0), Ct));
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await session.EnqueueOutboxAsync(null!, Ct));
            await session.CommitAsync(Ct);
        }

        Assert.Equal(0, await outbox.CountAsync(Ct));
        Assert.Empty(await outbox.ClaimDueAsync("node-a", T0.AddDays(1), Lease, 10, Ct));

        // the refused entries left nothing behind that would block the valid one
        await CommitAsync(store, ws, s => s.EnqueueOutboxAsync(NewEntry(ws, id, T0), Ct));
        Assert.Equal(1, await outbox.CountAsync(Ct));
    }

    /// <summary>A fresh store with workspace "ws-a", as an outbox.</summary>
    /// <returns>The store, its outbox and the workspace.</returns>
    protected async Task<(ICareStore Store, IOutboxStore Outbox, WorkspaceId Workspace)> NewOutboxStoreAsync()
    {
        var (store, ws) = await NewStoreAsync();
        var outbox = store as IOutboxStore;
        Assert.True(outbox is not null, $"{store.GetType().Name} does not implement IOutboxStore; every care store must (outbound delivery needs it).");
        return (store, outbox, ws);
    }

    /// <summary>A new outbox entry (no attempts).</summary>
    /// <param name="workspace">Its workspace.</param>
    /// <param name="messageId">Its message.</param>
    /// <param name="dueAt">When it is due.</param>
    /// <returns>The entry.</returns>
    protected static OutboxEntry NewEntry(WorkspaceId workspace, MessageId messageId, DateTimeOffset dueAt) =>
        new() { WorkspaceId = workspace, MessageId = messageId, DueAt = dueAt };

    /// <summary>A new outbound agent reply waiting to be sent.</summary>
    /// <param name="conversation">Its conversation.</param>
    /// <param name="sequence">Its sequence number.</param>
    /// <returns>The message.</returns>
    protected Message NewOutbound(Conversation conversation, long sequence) =>
        NewMessage(conversation, sequence, platformMessageId: null, "on its way") with
        {
            Direction = MessageDirection.Outbound,
            Author = MessageAuthor.ForAgent(new AgentId("agent-1")),
        };
}
