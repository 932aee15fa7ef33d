using SocialCare.Storage;

namespace SocialCare.Ingestion;

/// <summary>
/// The pipeline tells the session, before any step runs, which rows the built-in steps will read first, so a provider
/// can load them in one round trip. The lookup must name exactly the keys those steps then read.
/// </summary>
public sealed class PrefetchTests
{
    [Fact]
    public async Task IngestAsync_EveryEventKind_PrefetchesFirstAndNamesTheKeysTheStepsRead()
    {
        var recorder = new RecordingStore(new InMemoryCareStore());
        await using var host = CareHost.Create(care => care.UseStore(_ => recorder));

        await Check(host.Message("wamid.1"));                       // new customer, new conversation
        await Check(host.Message("wamid.2", text: "again"));        // existing contact and conversation
        await Check(host.Message("wamid.1"), duplicate: true);       // redelivery: dedupe stops before the other reads
        await Check(host.Message("tweet.1", visibility: ConversationVisibility.Public));
        await Check(host.Status("wamid.1", DeliveryStatus.Read));
        await Check(host.Status(null, DeliveryStatus.Read, watermark: host.Now));
        await Check(host.Reaction("wamid.2", "👍"));
        await Check(host.Edit("wamid.2", "edited"));
        await Check(host.Deletion("wamid.2"));

        async Task Check(InboundEvent e, bool duplicate = false)
        {
            recorder.Calls.Clear();
            await host.IngestAsync(e);

            var lookup = Assert.IsType<InboundLookup>(recorder.Calls[0]);
            Assert.Equal(e.Channel, lookup.Channel);
            Assert.Equal(e.Customer, lookup.Customer);
            var reads = recorder.Calls.Skip(1).ToList();
            Assert.DoesNotContain(reads, c => c is InboundLookup);

            // Every keyed read is one the lookup names...
            Assert.All(reads.OfType<(ChannelAccount Channel, string PlatformMessageId)>(), m => Assert.Equal((e.Channel, lookup.PlatformMessageId), (m.Channel, m.PlatformMessageId)));
            Assert.All(reads.OfType<ContactHandle>(), h => Assert.Equal(e.Customer, h));
            Assert.All(reads.OfType<(ChannelAccount Channel, ContactHandle Handle, ConversationVisibility Visibility)>(), l => Assert.Equal((e.Channel, e.Customer, lookup.Visibility), (l.Channel, l.Handle, l.Visibility)));

            // ...and, unless dedupe stopped the event early, everything it names is read.
            if (!duplicate)
            {
                Assert.Equal(lookup.PlatformMessageId is not null, reads.OfType<(ChannelAccount, string)>().Any());
                Assert.Contains(e.Customer, reads.OfType<ContactHandle>());
                Assert.Equal(lookup.Visibility is not null, reads.OfType<(ChannelAccount, ContactHandle, ConversationVisibility)>().Any());
            }
        }
    }

    /// <summary>Records, per session, the prefetch and the keyed reads the ingestion steps make.</summary>
    private sealed class RecordingStore(ICareStore inner) : ICareStore
    {
        public List<object> Calls { get; } = [];

        public ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) => inner.CreateWorkspaceAsync(workspace, cancellationToken);

        public ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) => inner.GetWorkspaceAsync(workspaceId, cancellationToken);

        public async ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
            new Session(await inner.BeginAsync(workspaceId, cancellationToken), Calls);

        private sealed class Session(ICareSession inner, List<object> calls) : ICareSession
        {
            public WorkspaceId WorkspaceId => inner.WorkspaceId;

            public ValueTask PrefetchAsync(InboundLookup lookup, CancellationToken cancellationToken)
            {
                calls.Add(lookup);
                return inner.PrefetchAsync(lookup, cancellationToken);
            }

            public ValueTask<Contact?> FindContactAsync(ContactHandle handle, CancellationToken cancellationToken)
            {
                calls.Add(handle);
                return inner.FindContactAsync(handle, cancellationToken);
            }

            public ValueTask<Message?> FindMessageAsync(ChannelAccount channel, string platformMessageId, CancellationToken cancellationToken)
            {
                calls.Add((channel, platformMessageId));
                return inner.FindMessageAsync(channel, platformMessageId, cancellationToken);
            }

            public ValueTask<Conversation?> FindLatestConversationAsync(ChannelAccount channel, ContactHandle handle, ConversationVisibility visibility, CancellationToken cancellationToken)
            {
                calls.Add((channel, handle, visibility));
                return inner.FindLatestConversationAsync(channel, handle, visibility, cancellationToken);
            }

            public ValueTask<Contact?> GetContactAsync(ContactId id, CancellationToken cancellationToken) => inner.GetContactAsync(id, cancellationToken);

            public ValueTask InsertContactAsync(Contact contact, CancellationToken cancellationToken) => inner.InsertContactAsync(contact, cancellationToken);

            public ValueTask UpdateContactAsync(Contact contact, CancellationToken cancellationToken) => inner.UpdateContactAsync(contact, cancellationToken);

            public ValueTask<Conversation?> GetConversationAsync(ConversationId id, CancellationToken cancellationToken) => inner.GetConversationAsync(id, cancellationToken);

            public ValueTask InsertConversationAsync(Conversation conversation, CancellationToken cancellationToken) => inner.InsertConversationAsync(conversation, cancellationToken);

            public ValueTask UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken) => inner.UpdateConversationAsync(conversation, cancellationToken);

            public ValueTask<Page<Conversation>> QueryConversationsAsync(ConversationQuery query, CancellationToken cancellationToken) => inner.QueryConversationsAsync(query, cancellationToken);

            public ValueTask<bool> TryInsertMessageAsync(Message message, CancellationToken cancellationToken) => inner.TryInsertMessageAsync(message, cancellationToken);

            public ValueTask<Message?> GetMessageAsync(MessageId id, CancellationToken cancellationToken) => inner.GetMessageAsync(id, cancellationToken);

            public ValueTask UpdateMessageAsync(Message message, CancellationToken cancellationToken) => inner.UpdateMessageAsync(message, cancellationToken);

            public ValueTask<Page<Message>> QueryMessagesAsync(MessageQuery query, CancellationToken cancellationToken) => inner.QueryMessagesAsync(query, cancellationToken);

            public ValueTask EnqueueOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken) => inner.EnqueueOutboxAsync(entry, cancellationToken);

            public ValueTask CommitAsync(CancellationToken cancellationToken) => inner.CommitAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
