using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace SocialCare.Benchmarks;

/// <summary>
/// One normalized <see cref="InboundMessage"/> through <see cref="ICareIngestor.IngestAsync"/> with the in-memory store:
/// validate, per-customer ordering lock, dedupe, contact, thread, append, commit, care events.
/// </summary>
/// <remarks>
/// <para><b>Measured</b>: everything <c>IngestAsync</c> does for one message, including the in-memory store's writes
/// (and, amortized, the growth of its dictionaries and of the conversation's message list), building the care
/// events, and the metric/activity checks with no listener attached (the common case without OpenTelemetry).</para>
/// <para><b>Not measured</b>: building the <see cref="InboundMessage"/> (an adapter parses it from the webhook; here
/// they are pre-built in setup, each with a unique platform message id), webhook I/O, and exporting telemetry.</para>
/// <para><b>Care event handlers</b> (<see cref="Subscribed"/>): with <c>false</c> nobody subscribed, so the engine builds
/// no post-commit events and publishing is a no-op; with <c>true</c> a no-op <see cref="MessageReceived"/> handler is
/// subscribed, so each accepted message also pays for the event, a DI scope and resolving the handler.</para>
/// <para><b>Honest numbers over a growing store</b>: the in-memory store keeps every message, so a benchmark that
/// ingested millions of messages into one store would measure a multi-gigabyte heap and its GCs. Instead each
/// iteration starts from an empty store (<see cref="IterationSetupAttribute"/>, not measured; the engine itself is
/// built once, see <see cref="SwappableStore"/>) and runs a fixed <see cref="MessagesPerIteration"/> invocations: in
/// <see cref="ExistingConversation"/> the conversation grows from 1 to 16,385 messages during an iteration, and the
/// per-message figure is the average over that range.</para>
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(MessagesPerIteration)]
public class IngestBenchmarks
{
    /// <summary>Invocations per iteration, each one message.</summary>
    public const int MessagesPerIteration = 16_384;

    private static readonly WorkspaceId Workspace = new("bench");
    private static readonly ChannelAccount WhatsApp = new(ChannelKind.WhatsApp, "15550001111");
    private static readonly DateTimeOffset SentAt = new(2025, 1, 15, 9, 30, 0, TimeSpan.Zero);

    private readonly SwappableStore _store = new();

    /// <summary>Whether a <see cref="MessageReceived"/> handler is subscribed.</summary>
    [Params(false, true)]
    public bool Subscribed { get; set; }

    private ServiceProvider _services = null!;
    private ICareIngestor _ingestor = null!;
    private InboundMessage[] _messages = [];
    private int _next;

    /// <summary>The hot path: a known customer writes again into their open conversation.</summary>
    [IterationSetup(Target = nameof(ExistingConversation))]
    public void SetupExistingConversation()
    {
        StartEngine();
        var first = Message("5215512345678", "wamid.first");
        Ingest(first); // creates the contact and the conversation the measured messages join
        _messages = new InboundMessage[MessagesPerIteration];
        for (var i = 0; i < _messages.Length; i++)
        {
            _messages[i] = first with { PlatformMessageId = $"wamid.{i:D8}", OccurredAt = SentAt.AddSeconds(i) };
        }
    }

    /// <summary>A new customer: creates the contact, the conversation and the message.</summary>
    [IterationSetup(Target = nameof(NewConversation))]
    public void SetupNewConversation()
    {
        StartEngine();
        _messages = new InboundMessage[MessagesPerIteration];
        for (var i = 0; i < _messages.Length; i++)
        {
            _messages[i] = Message($"52155{i:D8}", $"wamid.{i:D8}");
        }
    }

    /// <summary>A platform redelivery of a stored message: absorbed by dedupe, nothing written.</summary>
    [IterationSetup(Target = nameof(DuplicateDelivery))]
    public void SetupDuplicateDelivery()
    {
        StartEngine();
        var stored = Message("5215512345678", "wamid.redelivered");
        Ingest(stored);
        _messages = new InboundMessage[MessagesPerIteration];
        for (var i = 0; i < _messages.Length; i++)
        {
            _messages[i] = stored with { }; // a fresh copy, as an adapter would parse it again
        }
    }

    [GlobalSetup]
    public void BuildEngine()
    {
        _services = new ServiceCollection()
            .AddSocialCare(care =>
            {
                care.UseStore(_ => _store);
                if (Subscribed)
                {
                    care.AddEventHandler<MessageReceived, NoOpHandler>();
                }
            })
            .Services
            .BuildServiceProvider();
        _ingestor = _services.GetRequiredService<ICareIngestor>();
    }

    [GlobalCleanup]
    public void DisposeEngine() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public ValueTask<IngestResult> ExistingConversation() => _ingestor.IngestAsync(_messages[_next++]);

    [Benchmark]
    public ValueTask<IngestResult> NewConversation() => _ingestor.IngestAsync(_messages[_next++]);

    [Benchmark]
    public ValueTask<IngestResult> DuplicateDelivery() => _ingestor.IngestAsync(_messages[_next++]);

    private void StartEngine()
    {
        _store.Reset(new Workspace { Id = Workspace, Name = "Benchmark" });
        _next = 0;
    }

    private void Ingest(InboundMessage message)
    {
        var result = _ingestor.IngestAsync(message).AsTask().GetAwaiter().GetResult();
        if (result.Outcome != IngestOutcome.Accepted)
        {
            throw new InvalidOperationException($"Setup message was {result.Outcome}.");
        }
    }

    private static InboundMessage Message(string customer, string platformMessageId) => new()
    {
        WorkspaceId = Workspace,
        Channel = WhatsApp,
        Customer = new ContactHandle(ChannelKind.WhatsApp, customer),
        OccurredAt = SentAt,
        PlatformMessageId = platformMessageId,
        Text = "Hola, mi pedido #1042 no ha llegado todavía. ¿Me pueden ayudar?",
        Profile = new ContactProfile { Name = "María López", Locale = "es-MX" },
    };

    private sealed class NoOpHandler : ICareEventHandler<MessageReceived>
    {
        public ValueTask HandleAsync(MessageReceived careEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
