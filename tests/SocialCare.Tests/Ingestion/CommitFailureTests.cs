using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moq;
using SocialCare.Diagnostics;

namespace SocialCare.Ingestion;

/// <summary>A store whose commit fails (the true seam: a provider's I/O), mocked with Moq.</summary>
public sealed class CommitFailureTests
{
    private readonly Mock<ICareStore> _store = new(MockBehavior.Strict);
    private readonly List<Mock<ICareSession>> _sessions = [];
    private readonly Conversation _existing = new()
    {
        Id = ConversationId.New(CareHost.Start),
        WorkspaceId = CareHost.Acme,
        ContactId = ContactId.New(CareHost.Start),
        Channel = CareHost.WhatsApp,
        Handle = new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice),
        Cycle = new ConversationCycle(1, CareHost.Start),
        CreatedAt = CareHost.Start,
        LastActivityAt = CareHost.Start,
    };

    private Func<int, Exception?> _commit = _ => null;

    public CommitFailureTests()
    {
        _store.Setup(s => s.CreateWorkspaceAsync(It.IsAny<Workspace>(), It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult(true));
        _store.Setup(s => s.BeginAsync(CareHost.Acme, It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult(NewSession()));
    }

    [Fact]
    public async Task IngestAsync_CommitThrows_SurfacesErrorWithoutRetryOrEvents()
    {
        _commit = _ => new IOException("disk full");
        await using var host = CareHost.Create(care => care.UseStore(_ => _store.Object));
        using var ingested = Collector(host, SocialCareDiagnostics.IngestedEvents);

        var ex = await Assert.ThrowsAsync<IOException>(async () => await host.IngestAsync(host.Message("wamid.1")));

        Assert.Equal("disk full", ex.Message);
        var session = Assert.Single(_sessions);
        session.Verify(s => s.CommitAsync(It.IsAny<CancellationToken>()), Times.Once);
        session.Verify(s => s.DisposeAsync(), Times.Once);
        Assert.Empty(host.Events.All);
        Assert.Empty(ingested.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task IngestAsync_CommitKeepsConflicting_RetriesUpToTheLimitThenSurfacesConflict()
    {
        _commit = _ => new ConcurrencyConflictException("conversation", "x", 1, 2);
        await using var host = CareHost.Create(care => care.UseStore(_ => _store.Object).Configure(o => o.MaxConflictRetries = 2));
        using var retries = Collector(host, SocialCareDiagnostics.ConflictRetries);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await host.IngestAsync(host.Message("wamid.1")));

        Assert.Equal(3, _sessions.Count);
        Assert.All(_sessions, s => s.Verify(x => x.DisposeAsync(), Times.Once));
        Assert.Equal(2, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(host.Events.All);
    }

    [Fact]
    public async Task IngestAsync_CommitConflictsOnce_RetriesInAFreshSessionAndPublishesOnce()
    {
        _commit = attempt => attempt == 1 ? new ConcurrencyConflictException("contact", "whatsapp:1", null, null, "handle taken") : null;
        await using var host = CareHost.Create(care => care.UseStore(_ => _store.Object));
        using var retries = Collector(host, SocialCareDiagnostics.ConflictRetries);

        var result = await host.IngestAsync(host.Message("wamid.1"));

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(2, _sessions.Count);
        Assert.Equal(1, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Single(host.Events.Of<MessageReceived>());
    }

    [Fact]
    public async Task InboxOperation_CommitThrows_SurfacesErrorAndPublishesNothing()
    {
        _commit = _ => new IOException("connection reset");
        await using var host = CareHost.Create(care => care.UseStore(_ => _store.Object));

        await Assert.ThrowsAsync<IOException>(async () => await host.Inbox.ResolveAsync(CareHost.Acme, _existing.Id));

        Assert.Empty(host.Events.All);
        _sessions.Single().Verify(s => s.UpdateConversationAsync(It.Is<Conversation>(c => c.Status == ConversationStatus.Resolved && c.Version == 2), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task InboxOperation_WithExpectedVersionAndCommitConflict_DoesNotRetry()
    {
        _commit = _ => new ConcurrencyConflictException("conversation", "x", 1, 2);
        await using var host = CareHost.Create(care => care.UseStore(_ => _store.Object));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await host.Inbox.ResolveAsync(CareHost.Acme, _existing.Id, expectedVersion: 1));

        Assert.Single(_sessions);
    }

    private ICareSession NewSession()
    {
        var attempt = _sessions.Count + 1;
        var session = new Mock<ICareSession>(MockBehavior.Loose);
        session.SetupGet(s => s.WorkspaceId).Returns(CareHost.Acme);
        session.Setup(s => s.FindMessageAsync(It.IsAny<ChannelAccount>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult<Message?>(null));
        session.Setup(s => s.FindContactAsync(It.IsAny<ContactHandle>(), It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult<Contact?>(null));
        session.Setup(s => s.FindLatestConversationAsync(It.IsAny<ChannelAccount>(), It.IsAny<ContactHandle>(), It.IsAny<ConversationVisibility>(), It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult<Conversation?>(null));
        session.Setup(s => s.GetConversationAsync(_existing.Id, It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult<Conversation?>(_existing));
        session.Setup(s => s.TryInsertMessageAsync(It.IsAny<Message>(), It.IsAny<CancellationToken>())).Returns(() => ValueTask.FromResult(true));
        session.Setup(s => s.CommitAsync(It.IsAny<CancellationToken>())).Returns(() => _commit(attempt) is { } ex ? ValueTask.FromException(ex) : ValueTask.CompletedTask);
        session.Setup(s => s.DisposeAsync()).Returns(ValueTask.CompletedTask);
        _sessions.Add(session);
        return session.Object;
    }

    private static MetricCollector<long> Collector(CareHost host, string instrument) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), SocialCareDiagnostics.MeterName, instrument);
}
