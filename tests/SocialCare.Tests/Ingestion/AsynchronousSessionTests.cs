using System.Text.RegularExpressions;
using SocialCare.Storage;

namespace SocialCare.Ingestion;

/// <summary>
/// The built-in steps go on without an awaiting state machine when the session answers at once (the in-memory store)
/// and await when it does not (a database). Both ways must ingest alike: the same outcomes, the same stored state and
/// the same care events, for every kind of event and every branch a step can take.
/// </summary>
public sealed partial class AsynchronousSessionTests
{
    [Fact]
    public async Task IngestAsync_SessionAnsweringLater_IngestsExactlyAsASessionAnsweringAtOnce()
    {
        await using var atOnce = CareHost.Create();
        var later = new YieldingStore(new InMemoryCareStore());
        await using var awaiting = CareHost.Create(care => care.UseStore(_ => later));

        var expected = await RunScriptAsync(atOnce);
        var actual = await RunScriptAsync(awaiting);

        Assert.True(later.Yields > 50, $"The yielding store yielded {later.Yields} times: the steps did not await it.");
        Assert.Equal(expected, actual);
        Assert.Equal(Normalize(await atOnce.SnapshotAsync()), Normalize(await awaiting.SnapshotAsync()));
        Assert.Equal(atOnce.Events.All.Select(e => e.GetType().Name), awaiting.Events.All.Select(e => e.GetType().Name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IngestAsync_InsertRefusedAfterDedupePassed_IsADuplicateAndChangesNothing(bool answerLater)
    {
        // The session refuses the insert as it does when a concurrent delivery stored the platform id between the
        // dedupe stage's read and the append: the event is a duplicate, and the conversation is left as it was.
        var store = new YieldingStore(new InMemoryCareStore(), answerLater);
        await using var host = CareHost.Create(care => care.UseStore(_ => store));
        var conversation = await host.ReceiveAsync("wamid.1");
        host.Events.Clear();

        store.RefuseMessages = true;
        var result = await host.IngestAsync(host.Message("wamid.2", text: "raced"));

        Assert.Equal(IngestOutcome.Duplicate, result.Outcome);
        Assert.Equal(answerLater, store.Yields > 0);
        var after = await host.GetAsync(conversation.Id);
        Assert.Equal((conversation.Version, 1L), (after.Version, after.MessageCount));
        Assert.Equal(["wamid.1"], (await host.MessagesAsync(conversation.Id)).Select(m => m.PlatformMessageId));
        Assert.Empty(host.Events.All);
    }

    /// <summary>Every branch of the four built-in steps, with the outcome of each event.</summary>
    private static async Task<List<string>> RunScriptAsync(CareHost host)
    {
        var outcomes = new List<string>();
        async Task Ingest(InboundEvent e)
        {
            outcomes.Add((await host.IngestAsync(e)).Outcome.ToString());
            host.Advance(TimeSpan.FromSeconds(1)); // ids carry the time: both hosts then list conversations in one order
        }


        await Ingest(host.Message("wamid.1"));                                       // new contact, new conversation
        await Ingest(host.Message("wamid.2", text: "Still waiting"));                 // existing contact and conversation
        await Ingest(host.Message("wamid.1"));                                       // redelivery: dedupe stops
        await Ingest(host.Message("wamid.3", text: "echo from the app", echo: true)); // the brand's own send
        await Ingest(host.Message("tweet.1", visibility: ConversationVisibility.Public));
        await Ingest(host.Message("wamid.b1", customer: CareHost.Bob));
        await Ingest(host.Status("wamid.3", DeliveryStatus.Delivered));
        await Ingest(host.Status("wamid.3", DeliveryStatus.Delivered));              // stale: no change
        await Ingest(host.Status("wamid.unknown", DeliveryStatus.Read));             // unmatched
        await Ingest(host.Status(null, DeliveryStatus.Read, watermark: host.Now));   // watermark
        await Ingest(host.Reaction("wamid.2", "👍"));
        await Ingest(host.Reaction("wamid.2", "👍"));                                 // same reaction again
        await Ingest(host.Edit("wamid.2", "Still waiting, order 42"));
        await Ingest(host.Deletion("wamid.2"));
        await Ingest(host.Deletion("wamid.2"));                                       // already deleted
        await Ingest(Consent(host, ContactConsent.Revoked));                         // contact updated
        await Ingest(Consent(host, ContactConsent.Revoked));                         // consent unchanged: duplicate
        await Ingest(host.Message("wamid.4", text: "new name") with { Profile = new ContactProfile { Name = "Alice A." } });
        return outcomes;
    }

    private static InboundConsent Consent(CareHost host, ContactConsent consent) => new()
    {
        WorkspaceId = CareHost.Acme,
        Channel = CareHost.WhatsApp,
        Customer = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice),
        OccurredAt = host.Now,
        Consent = consent,
    };

    /// <summary>Ids are random: numbers them in order of first appearance so two hosts' snapshots compare.</summary>
    private static string Normalize(string snapshot)
    {
        var seen = new Dictionary<string, int>();
        return IdPattern().Replace(snapshot, m => "id" + (seen.TryGetValue(m.Value, out var n) ? n : seen[m.Value] = seen.Count));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex IdPattern();

    /// <summary>
    /// A store whose sessions answer every call only after yielding the thread, as a database does (or at once, when
    /// <c>answerLater</c> is false); it can refuse every message insert as if its platform id had just been taken.
    /// </summary>
    private sealed class YieldingStore(ICareStore inner, bool answerLater = true) : ICareStore
    {
        private int _yields;

        public int Yields => _yields;

        public bool RefuseMessages { get; set; }

        public ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) => inner.CreateWorkspaceAsync(workspace, cancellationToken);

        public ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) => inner.GetWorkspaceAsync(workspaceId, cancellationToken);

        public async ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
            new Session(await inner.BeginAsync(workspaceId, cancellationToken), this);

        private ValueTask<T> Later<T>(Func<ValueTask<T>> call) => answerLater ? YieldThen(call) : call();

        private ValueTask Later(Func<ValueTask> call) => answerLater ? YieldThen(call) : call();

        private async ValueTask<T> YieldThen<T>(Func<ValueTask<T>> call)
        {
            Interlocked.Increment(ref _yields);
            await Task.Yield();
            return await call();
        }

        private async ValueTask YieldThen(Func<ValueTask> call)
        {
            Interlocked.Increment(ref _yields);
            await Task.Yield();
            await call();
        }

        private sealed class Session(ICareSession inner, YieldingStore store) : ICareSession
        {
            public WorkspaceId WorkspaceId => inner.WorkspaceId;

            public ValueTask PrefetchAsync(InboundLookup lookup, CancellationToken cancellationToken) => store.Later(() => inner.PrefetchAsync(lookup, cancellationToken));

            public ValueTask<Contact?> FindContactAsync(ContactHandle handle, CancellationToken cancellationToken) => store.Later(() => inner.FindContactAsync(handle, cancellationToken));

            public ValueTask<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, CancellationToken cancellationToken) =>
                store.Later(() => inner.FindMessageAsync(channel, platformMessageId, cancellationToken));

            public ValueTask<Conversation?> FindLatestConversationAsync(ChannelAccount channel, ContactHandle handle, ConversationVisibility visibility, CancellationToken cancellationToken) =>
                store.Later(() => inner.FindLatestConversationAsync(channel, handle, visibility, cancellationToken));

            public ValueTask<Contact?> GetContactAsync(ContactId id, CancellationToken cancellationToken) => store.Later(() => inner.GetContactAsync(id, cancellationToken));

            public ValueTask InsertContactAsync(Contact contact, CancellationToken cancellationToken) => store.Later(() => inner.InsertContactAsync(contact, cancellationToken));

            public ValueTask UpdateContactAsync(Contact contact, CancellationToken cancellationToken) => store.Later(() => inner.UpdateContactAsync(contact, cancellationToken));

            public ValueTask<Conversation?> GetConversationAsync(ConversationId id, CancellationToken cancellationToken) => store.Later(() => inner.GetConversationAsync(id, cancellationToken));

            public ValueTask InsertConversationAsync(Conversation conversation, CancellationToken cancellationToken) => store.Later(() => inner.InsertConversationAsync(conversation, cancellationToken));

            public ValueTask UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken) => store.Later(() => inner.UpdateConversationAsync(conversation, cancellationToken));

            public ValueTask<Page<Conversation>> QueryConversationsAsync(ConversationQuery query, CancellationToken cancellationToken) => store.Later(() => inner.QueryConversationsAsync(query, cancellationToken));

            public ValueTask<bool> TryInsertMessageAsync(Message message, CancellationToken cancellationToken) =>
                store.Later(() => store.RefuseMessages ? ValueTask.FromResult(false) : inner.TryInsertMessageAsync(message, cancellationToken));

            public ValueTask<Message?> GetMessageAsync(MessageId id, CancellationToken cancellationToken) => store.Later(() => inner.GetMessageAsync(id, cancellationToken));

            public ValueTask UpdateMessageAsync(Message message, CancellationToken cancellationToken) => store.Later(() => inner.UpdateMessageAsync(message, cancellationToken));

            public ValueTask<Page<Message>> QueryMessagesAsync(MessageQuery query, CancellationToken cancellationToken) => store.Later(() => inner.QueryMessagesAsync(query, cancellationToken));

            public ValueTask EnqueueOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken) => store.Later(() => inner.EnqueueOutboxAsync(entry, cancellationToken));

            public ValueTask CommitAsync(CancellationToken cancellationToken) => store.Later(() => inner.CommitAsync(cancellationToken));

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
