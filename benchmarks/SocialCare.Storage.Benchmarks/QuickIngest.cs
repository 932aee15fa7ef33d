using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SocialCare.Ingestion;

namespace SocialCare.Storage.Benchmarks;

internal static class QuickIngest
{
    public static async Task RunAsync(string store, int messages)
    {
        var name = "bench_quick_" + store.ToLowerInvariant();
        if (store != "InMemory")
        {
            BenchmarkStores.Drop(store, name);
        }

        var services = new ServiceCollection();
        services.AddSocialCare(care =>
        {
            if (store != "InMemory")
            {
                BenchmarkStores.Use(care, store, name);
            }

            care.AddWorkspace("brand", "Brand");
        });
        await using var provider = services.BuildServiceProvider();
        var ingestor = provider.GetRequiredService<ICareIngestor>();
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        for (var round = 0; round < 3; round++)
        {
            var events = Enumerable.Range(0, messages).Select(i => new InboundMessage
            {
                WorkspaceId = new WorkspaceId("brand"),
                Channel = new ChannelAccount(ChannelKind.WhatsApp, "15550001111"),
                Customer = new ContactHandle(ChannelKind.WhatsApp, "cust-" + (i % 2000).ToString(CultureInfo.InvariantCulture)),
                OccurredAt = t0.AddSeconds(i),
                PlatformMessageId = $"wamid.{round}.{i}",
                Text = "Hi, my order has not arrived yet, can you check? 📦",
            }).ToArray();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var writerTicks = WriterThreadTicks();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, ct) => await ingestor.IngestAsync(e, ct));
            Console.WriteLine($"{store}: {messages / watch.Elapsed.TotalSeconds:N0} msg/s ({watch.Elapsed.TotalMilliseconds:N0} ms for {messages:N0})");
            Console.WriteLine($"  allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)messages:N0} B/msg (whole process)");
            Console.WriteLine($"  CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / messages:N0} us/msg (whole process)");
            if (provider.GetService<ICareStore>() is SocialCare.Storage.Sqlite.SqliteCareStore sqlite)
            {
                var (batches, units) = sqlite.CommitStatistics;
                Console.WriteLine($"  {units / (double)Math.Max(1, batches):N1} units per durable commit so far; writer thread CPU {(WriterThreadTicks() - writerTicks) * 10_000.0 / messages:N1} us/msg");
            }
        }

        if (store != "InMemory")
        {
            BenchmarkStores.Drop(store, name);
        }
    }

    /// <summary>User + system clock ticks (1/100 s) of the SQLite store's writer thread (Linux; 0 elsewhere).</summary>
    private static long WriterThreadTicks()
    {
        long ticks = 0;
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Long Runni", StringComparison.Ordinal))
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // the thread ended
            }
        }

        return ticks;
    }
}
