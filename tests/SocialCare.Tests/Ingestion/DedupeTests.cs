namespace SocialCare.Ingestion;

/// <summary>Platforms redeliver; the engine stores each platform message once.</summary>
public sealed class DedupeTests : IAsyncDisposable
{
    private readonly CareHost _host = CareHost.Create();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task IngestAsync_SameMessageThreeTimes_StoresOneAndReportsAcceptedDuplicateDuplicate()
    {
        var message = _host.Message("wamid.HBgLMTU1NTAxMjM0NTY", text: "Where is my parcel?");

        var results = new List<IngestResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await _host.IngestAsync(message));
            _host.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal([IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Duplicate], results.Select(r => r.Outcome));
        Assert.All(results, r => Assert.Equal(results[0].ConversationId, r.ConversationId));
        Assert.All(results, r => Assert.Equal(results[0].MessageId, r.MessageId));
        var conversation = Assert.Single(await _host.ListAllAsync());
        Assert.Equal(1, conversation.MessageCount);
        Assert.Single(await _host.MessagesAsync(conversation.Id));
        Assert.Single(_host.Events.Of<MessageReceived>());
    }

    [Fact]
    public async Task IngestAsync_RedeliveryWithDifferentTextOrTime_IsStillDuplicateAndKeepsFirst()
    {
        await _host.IngestAsync(_host.Message("wamid.1", text: "original"));
        var snapshot = await _host.SnapshotAsync();
        _host.Advance(TimeSpan.FromMinutes(3));

        var again = await _host.IngestAsync(_host.Message("wamid.1", text: "changed by a buggy adapter"));

        Assert.Equal(IngestOutcome.Duplicate, again.Outcome);
        Assert.Equal(snapshot, await _host.SnapshotAsync());
    }

    [Fact]
    public async Task IngestAsync_DuplicateAfterResolution_DoesNotReopen()
    {
        var conversation = await _host.ReceiveAsync("wamid.1");
        var resolved = await _host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);

        var again = await _host.IngestAsync(_host.Message("wamid.1"));

        Assert.Equal(IngestOutcome.Duplicate, again.Outcome);
        Assert.Equal(resolved, await _host.GetAsync(conversation.Id));
    }
}
