namespace SocialCare.Ingestion;

/// <summary>A host step that throws rolls the whole unit of work back; the platform's redelivery then goes through.</summary>
public sealed class RollbackTests
{
    /// <summary>Before each built-in stage after dedupe, and "Last" (after every stage).</summary>
    public static TheoryData<string> Positions => new()
    {
        nameof(IngestStage.Contact), nameof(IngestStage.Thread), nameof(IngestStage.Append), nameof(IngestStage.Rules),
        nameof(IngestStage.Route), nameof(IngestStage.Sla), nameof(IngestStage.Metrics), "Last",
    };

    [Theory]
    [MemberData(nameof(Positions))]
    public async Task IngestAsync_HostStepThrowsForNewCustomer_StoresNoContactConversationOrMessage(string position)
    {
        IngestStage? before = position == "Last" ? null : Enum.Parse<IngestStage>(position);
        await using var host = CareHost.Create(care => care.Use<FailingStep>(before));
        var step = host.Services.GetRequiredService<FailingStep>();
        var message = host.Message("wamid.new", customer: CareHost.Bob);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.IngestAsync(message));

        Assert.Equal(FailingStep.Reason, ex.Message);
        Assert.Equal(1, step.Calls);
        Assert.Null(await host.FindContactAsync(message.Customer));
        Assert.Null(await host.FindMessageAsync(CareHost.WhatsApp, "wamid.new"));
        Assert.Empty(await host.ListAllAsync());
        Assert.Empty(host.Events.All);
    }

    [Fact]
    public async Task IngestAsync_HostStepThrowsOnExistingConversation_LeavesStoredDataUnchangedAndRedeliveryIsAccepted()
    {
        await using var host = CareHost.Create(care => care.Use<FailingStep>(IngestStage.Rules));
        var step = host.Services.GetRequiredService<FailingStep>();
        step.Fail = false;
        var conversation = await host.ReceiveAsync("wamid.1", text: "first");
        await host.Inbox.MarkPendingAsync(CareHost.Acme, conversation.Id);
        var contactBefore = await host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, CareHost.Alice));
        var snapshot = await host.SnapshotAsync();
        host.Events.Clear();
        host.Advance(TimeSpan.FromMinutes(5));
        step.Fail = true;

        // The message would wake the conversation, append a message and update the customer's profile.
        var message = host.Message("wamid.2", text: "second") with { Profile = new ContactProfile { Name = "Alice" } };
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.IngestAsync(message));

        Assert.Equal(snapshot, await host.SnapshotAsync());
        Assert.Equal(contactBefore, await host.FindContactAsync(message.Customer));
        Assert.Equal(ConversationStatus.Pending, (await host.GetAsync(conversation.Id)).Status);
        Assert.Empty(host.Events.All);

        step.Fail = false;
        var redelivered = await host.IngestAsync(message);

        Assert.Equal(IngestOutcome.Accepted, redelivered.Outcome);
        Assert.Equal(conversation.Id, redelivered.ConversationId);
        var after = await host.GetAsync(conversation.Id);
        Assert.Equal(ConversationStatus.Open, after.Status);
        Assert.Equal(2, after.MessageCount);
        Assert.Equal(["first", "second"], (await host.MessagesAsync(conversation.Id)).Select(m => m.Text));
        Assert.Equal("Alice", (await host.FindContactAsync(message.Customer))!.Profile.Name);
    }

    [Fact]
    public async Task IngestAsync_HostStepThrowsOnce_NextDeliveryOfSameEventIsAcceptedNotDuplicate()
    {
        await using var host = CareHost.Create(care => care.Use<FailingStep>(IngestStage.Rules));
        var step = host.Services.GetRequiredService<FailingStep>();
        var message = host.Message("wamid.1");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.IngestAsync(message));
        step.Fail = false;
        var second = await host.IngestAsync(message);
        var third = await host.IngestAsync(message);

        Assert.Equal(IngestOutcome.Accepted, second.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, third.Outcome);
        var conversation = Assert.Single(await host.ListAllAsync());
        Assert.Equal(1, conversation.MessageCount);
        Assert.Equal(1, conversation.Cycle.Number);
    }

    [Fact]
    public async Task IngestAsync_HostStepThrowsWhileReopening_ConversationStaysResolved()
    {
        await using var host = CareHost.Create(care => care.Use<FailingStep>(IngestStage.Rules));
        var step = host.Services.GetRequiredService<FailingStep>();
        step.Fail = false;
        var conversation = await host.ReceiveAsync("wamid.1");
        var resolved = await host.Inbox.ResolveAsync(CareHost.Acme, conversation.Id);
        host.Advance(TimeSpan.FromHours(1));
        step.Fail = true;

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.IngestAsync(host.Message("wamid.2")));

        Assert.Equal(resolved, await host.GetAsync(conversation.Id));
    }

    [Fact]
    public async Task IngestAsync_CancelledMidPipeline_StoresNothingAndLaterDeliveryIsAccepted()
    {
        await using var host = CareHost.Create(care => care.Use<CancellingStep>(IngestStage.Rules));
        var step = host.Services.GetRequiredService<CancellingStep>();
        using var cts = new CancellationTokenSource();
        step.Source = cts;
        var message = host.Message("wamid.1");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await host.Ingestor.IngestAsync(message, cts.Token));

        Assert.Empty(await host.ListAllAsync());
        Assert.Null(await host.FindContactAsync(message.Customer));
        step.Source = null;
        Assert.Equal(IngestOutcome.Accepted, (await host.IngestAsync(message)).Outcome);
    }

    [Fact]
    public async Task IngestAsync_AlreadyCancelledToken_ThrowsAndStoresNothing()
    {
        await using var host = CareHost.Create();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await host.Ingestor.IngestAsync(host.Message("wamid.1"), cts.Token));

        Assert.Empty(await host.ListAllAsync());
    }

    /// <summary>A host step (say, a CRM lookup) that fails while <see cref="Fail"/> is set.</summary>
    public sealed class FailingStep : IIngestStep
    {
        public const string Reason = "The CRM is down.";
        private int _calls;

        public bool Fail { get; set; } = true;

        public int Calls => _calls;

        public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Fail ? throw new InvalidOperationException(Reason) : next(context, cancellationToken);
        }
    }

    /// <summary>Cancels the ingestion's token half way through the pipeline, as a host shutting down would.</summary>
    public sealed class CancellingStep : IIngestStep
    {
        public CancellationTokenSource? Source { get; set; }

        public async ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            if (Source is { } source)
            {
                await source.CancelAsync();
            }

            await next(context, cancellationToken);
        }
    }
}
