using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using SocialCare.Ingestion;

namespace SocialCare.Storage.Benchmarks;

/// <summary>
/// Durable ingest through the whole pipeline (dedupe, contact, thread, append, commit) with 8 concurrent producers.
/// One operation is one inbound message; msg/s = 1 s / Mean. A commit returns only when it is durable.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class DurableIngestBenchmarks
{
    private const int Messages = 8_000;
    private const int Producers = 8;
    private const int Customers = 2_000;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private ServiceProvider? _provider;
    private ICareIngestor? _ingestor;
    private InboundMessage[] _events = [];
    private int _iteration;
    private string _name = string.Empty;

    [Params("Sqlite", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    [GlobalSetup]
    public void Setup()
    {
        _name = "bench_ingest_" + Store.ToLowerInvariant();
        BenchmarkStores.Drop(Store, _name);
        var services = new ServiceCollection();
        services.AddSocialCare(care =>
        {
            BenchmarkStores.Use(care, Store, _name);
            care.AddWorkspace("brand", "Brand");
        });
        _provider = services.BuildServiceProvider();
        _ingestor = _provider.GetRequiredService<ICareIngestor>();
    }

    [IterationSetup]
    public void NextBatch()
    {
        var iteration = Interlocked.Increment(ref _iteration);
        _events = new InboundMessage[Messages];
        for (var i = 0; i < Messages; i++)
        {
            _events[i] = new InboundMessage
            {
                WorkspaceId = new WorkspaceId("brand"),
                Channel = new ChannelAccount(ChannelKind.WhatsApp, "15550001111"),
                Customer = new ContactHandle(ChannelKind.WhatsApp, "cust-" + (i % Customers).ToString(CultureInfo.InvariantCulture)),
                OccurredAt = T0.AddSeconds(i),
                PlatformMessageId = $"wamid.{iteration}.{i}",
                Text = "Hi, my order has not arrived yet, can you check? 📦",
            };
        }
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public Task Ingest() =>
        Parallel.ForEachAsync(_events, new ParallelOptions { MaxDegreeOfParallelism = Producers }, async (e, ct) => await _ingestor!.IngestAsync(e, ct));

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        BenchmarkStores.Drop(Store, _name);
    }
}
