using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SocialCare;
using SocialCare.Ingestion;
using SocialCare.Storage.Sqlite.CrashHost;

// args: <database file> <events> <producers>
var path = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var producers = int.Parse(args[2], CultureInfo.InvariantCulture);
var services = new ServiceCollection();
services.AddSocialCare(care => care.UseSqlite($"Data Source={path}").AddWorkspace("brand", "Brand"));
await using var provider = services.BuildServiceProvider();
var ingestor = provider.GetRequiredService<ICareIngestor>();
var output = Console.Out;
output.WriteLine("ready");

await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = producers }, async (i, ct) =>
{
    var e = CrashEvents.Event(i);
    await ingestor.IngestAsync(e, ct);
    lock (output)
    {
        output.WriteLine("ack " + e.PlatformMessageId);
    }
});

output.WriteLine("done");

namespace SocialCare.Storage.Sqlite.CrashHost
{
public static class CrashEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static InboundMessage Event(int i) => new()
    {
        WorkspaceId = new WorkspaceId("brand"),
        Channel = new ChannelAccount(ChannelKind.WhatsApp, "15550001111"),
        Customer = new ContactHandle(ChannelKind.WhatsApp, "cust-" + (i % 40).ToString(CultureInfo.InvariantCulture)),
        OccurredAt = T0.AddSeconds(i),
        PlatformMessageId = "wamid." + i.ToString(CultureInfo.InvariantCulture),
        Text = "crash test message " + i.ToString(CultureInfo.InvariantCulture),
    };
}
}
