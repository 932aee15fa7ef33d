using BenchmarkDotNet.Running;
using SocialCare.Storage.Benchmarks;

if (args is ["--quick", var store, ..])
{
    // A fast stopwatch run for tuning: dotnet run -c Release -- --quick Sqlite|PostgreSql|InMemory [messages]
    await QuickIngest.RunAsync(store, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
