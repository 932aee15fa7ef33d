using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SocialCare.Ingestion;
using SocialCare.Storage.Sqlite.CrashHost;
using Xunit;

namespace SocialCare.Storage.Sqlite.Tests;

public sealed class SqliteCrashTests(SqliteCareStoreFixture fixture) : IClassFixture<SqliteCareStoreFixture>
{
    private const int Total = 20_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ingest_ProcessKilledWithSigkillMidStream_EveryAcknowledgedEventIsStoredExactlyOnce()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "SIGKILL is POSIX; Process.Kill on Windows is TerminateProcess, covered elsewhere.");
        var path = fixture.NewPath();
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SocialCare.Storage.Sqlite.CrashHost.dll"));
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(Total.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("8");

        var acknowledged = new List<string>();
        using (var child = Process.Start(start)!)
        {
            var stderr = child.StandardError.ReadToEndAsync(Ct);
            var killed = false;
            while (await child.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acknowledged.Add(line[4..]);
                    if (!killed && acknowledged.Count >= 500)
                    {
                        child.Kill(); // SIGKILL: no finally blocks, no flushing, no disposal
                        killed = true;
                    }
                }

                Assert.False(line == "done", "The child finished before it was killed; raise Total.");
            }

            await child.WaitForExitAsync(Ct);
            Assert.True(killed, "The child died before acknowledging 500 events: " + await stderr);
            Assert.NotEqual(0, child.ExitCode);
        }

        // Lines read after the kill were written before it: they count as acknowledged too.
        Assert.InRange(acknowledged.Count, 500, Total - 1);
        var stored = StoredPlatformIds(path);
        Assert.DoesNotContain(stored, p => p.Value > 1);
        Assert.DoesNotContain(acknowledged, id => !stored.ContainsKey(id));

        // Restart: the platform redelivers everything; every event ends exactly once.
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.UseSqlite($"Data Source={path}").AddWorkspace("brand", "Brand"));
        await using (var provider = services.BuildServiceProvider())
        {
            var ingestor = provider.GetRequiredService<ICareIngestor>();
            const int Redelivered = 2_000;
            var outcomes = new IngestOutcome[Redelivered];
            await Parallel.ForEachAsync(Enumerable.Range(0, Redelivered), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
                outcomes[i] = (await ingestor.IngestAsync(CrashEvents.Event(i), ct)).Outcome);
            Assert.Equal(Redelivered, outcomes.Length);
        }

        var after = StoredPlatformIds(path);
        Assert.DoesNotContain(after, p => p.Value > 1);
        Assert.All(Enumerable.Range(0, 2_000), i => Assert.True(after.ContainsKey("wamid." + i.ToString(CultureInfo.InvariantCulture))));
    }

    private static Dictionary<string, long> StoredPlatformIds(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT platform_id, count(*) FROM messages GROUP BY platform_id";
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }
}
