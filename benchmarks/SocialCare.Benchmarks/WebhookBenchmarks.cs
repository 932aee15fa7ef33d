using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using SocialCare.Channels;
using SocialCare.Channels.WhatsApp.Webhooks;

namespace SocialCare.Benchmarks;

/// <summary>
/// One WhatsApp webhook (the shared fixture <c>whatsapp/bwa-message-text.json</c>, 975 bytes) from raw bytes to a
/// committed message in the customer's open conversation (in-memory store), side by side with the System.Text.Json
/// parse of the same bytes alone: the floor no adapter can go below.
/// </summary>
/// <remarks>
/// <para><b>Measured</b> in <see cref="WebhookToCommitted"/>: building the <see cref="WebhookRequest"/> (headers), the
/// <c>X-Hub-Signature-256</c> HMAC check over the raw body, the source-generated deserialization, mapping to a normalized
/// <see cref="InboundMessage"/>, and <see cref="ICareIngestor.IngestAsync"/> up to the commit (dedupe, contact, thread,
/// append). <b>Not measured</b>: Kestrel and reading the body from the socket (the same for any code).</para>
/// <para>Each invocation handles a different payload: the fixture with its <c>wamid</c> replaced by a unique id of the
/// same length and signed again, built in setup, so every message is new (no dedupe short cut). Floors:
/// <see cref="FloorJsonDocument"/> parses the bytes into a <see cref="JsonDocument"/>; <see cref="FloorTypedParse"/>
/// deserializes them into the adapter's own source-generated payload types.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(GcModes))]
public class WebhookBenchmarks
{
    /// <summary>Invocations per iteration, each one webhook.</summary>
    public const int PayloadsPerIteration = 16_384;

    private const string Secret = WebhookEngine.Secret;
    private const string FixtureId = WebhookEngine.FixtureId;

    private readonly SwappableStore _store = new();
    private WebhookEngine _engine = null!;
    private byte[][] _bodies = [];
    private string[] _signatures = [];
    private InboundEvent[] _parsed = [];
    private int _next;

    [GlobalSetup]
    public void BuildEngine()
    {
        _engine = new WebhookEngine(_store);

        var template = File.ReadAllText(WebhookEngine.FixturePath());
        _bodies = new byte[PayloadsPerIteration][];
        _signatures = new string[PayloadsPerIteration];
        for (var i = 0; i < PayloadsPerIteration; i++)
        {
            var id = $"wamid.{i:D12}".PadRight(FixtureId.Length, 'A');
            _bodies[i] = Encoding.UTF8.GetBytes(template.Replace(FixtureId, id, StringComparison.Ordinal));
            _signatures[i] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), _bodies[i]));
        }
    }

    [IterationSetup(Target = nameof(WebhookToCommitted))]
    public void SetupWebhook()
    {
        _store.Reset(WebhookEngine.Workspace);
        _next = 0;

        // The customer's conversation exists: the measured webhooks join it, as most traffic does.
        var seed = Encoding.UTF8.GetBytes(File.ReadAllText(WebhookEngine.FixturePath()));
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), seed));
        _engine.HandleAsync(seed, signature).AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Targets = [nameof(FloorJsonDocument), nameof(FloorTypedParse), nameof(ReaderOnly), nameof(SignatureOnly), nameof(AdapterOnly)])]
    public void SetupFloor() => _next = 0;

    [IterationSetup(Target = nameof(IngestOnly))]
    public void SetupIngestOnly()
    {
        SetupWebhook();
        _parsed = new InboundEvent[PayloadsPerIteration];
        for (var i = 0; i < PayloadsPerIteration; i++)
        {
            _parsed[i] = ((WebhookEvents)_engine.Adapter.HandleAsync(WebhookEngine.Request(_bodies[i], _signatures[i]), CancellationToken.None).AsTask().GetAwaiter().GetResult()).InboundEvents[0];
        }

        _next = 0;
    }

    [GlobalCleanup]
    public void DisposeEngine() => _engine.Dispose();

    /// <summary>Breakdown: ingesting the adapter's event alone (parsed in setup).</summary>
    [Benchmark]
    public ValueTask<IngestResult> IngestOnly() => _engine.Ingestor.IngestAsync(_parsed[_next++]);

    [Benchmark(Baseline = true)]
    public int FloorJsonDocument()
    {
        using var document = JsonDocument.Parse(_bodies[_next++]);
        return document.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
    }

    [Benchmark]
    public object? FloorTypedParse() => JsonSerializer.Deserialize(_bodies[_next++], WhatsAppJsonContext.Default.WebhookPayload);

    /// <summary>Breakdown: the adapter's own reader (<c>WhatsAppPayloadReader</c>) filling the same payload types as <see cref="FloorTypedParse"/>.</summary>
    [Benchmark]
    public object? ReaderOnly() => WhatsAppPayloadReader.Read(_bodies[_next++]);

    /// <summary>Breakdown: the <c>X-Hub-Signature-256</c> check alone.</summary>
    [Benchmark]
    public bool SignatureOnly()
    {
        var i = _next++;
        return Channels.Http.WebhookSignature.VerifyHex(Channels.Http.SignatureAlgorithm.HmacSha256, Secret, _bodies[i], _signatures[i], "sha256=");
    }

    /// <summary>Breakdown: the adapter alone (request, signature, parse, map), without ingestion.</summary>
    [Benchmark]
    public ValueTask<WebhookResult> AdapterOnly()
    {
        var i = _next++;
        return _engine.Adapter.HandleAsync(WebhookEngine.Request(_bodies[i], _signatures[i]), CancellationToken.None);
    }

    [Benchmark]
    public ValueTask<int> WebhookToCommitted()
    {
        var i = _next++;
        return _engine.HandleAsync(_bodies[i], _signatures[i]);
    }

    /// <summary>
    /// Runs everything twice: with the workstation GC (a console app's default) and with the server GC (the default of an
    /// ASP.NET Core app on several cores, which is where webhooks are received). BenchmarkDotNet collects between
    /// iterations, outside the measured time; the collections an iteration triggers are inside it (the <c>Gen0</c>,
    /// <c>Gen1</c> and <c>Gen2</c> columns). The store's message rows are in native memory and the store is disposed
    /// when the next iteration replaces it, so its segments are reused rather than counted as managed allocations.
    /// <see cref="WebhookSustainedBenchmarks"/> measures a store that keeps growing.
    /// </summary>
    private sealed class GcModes : ManualConfig
    {
        public GcModes()
        {
            AddJob(Job.Default.WithInvocationCount(PayloadsPerIteration).WithUnrollFactor(1).WithGcServer(false).WithId("WorkstationGC"));
            AddJob(Job.Default.WithInvocationCount(PayloadsPerIteration).WithUnrollFactor(1).WithGcServer(true).WithId("ServerGC"));
        }
    }
}
