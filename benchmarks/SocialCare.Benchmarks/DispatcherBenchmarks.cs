using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using SocialCare.Testing.Channels;

namespace SocialCare.Benchmarks;

/// <summary>
/// The outbox dispatcher sending WhatsApp replies for one number, over real HTTP, to a fake Graph API on 127.0.0.1
/// (<see cref="FakePlatformServer"/>) that enforces 80 requests per second per number with a sliding one-second window
/// and answers 429 beyond it.
/// </summary>
/// <remarks>
/// <para><b>Measured</b>: <see cref="OutboxDispatcher"/> draining <see cref="RepliesPerIteration"/> queued replies:
/// claim, load, send through the adapter's resilience pipeline and rate limiter, record the platform id, complete.
/// The reported time per operation is per reply, so 1 / mean is the sustained rate.</para>
/// <para><b>Throttling</b> is counted by the fake platform and printed after each iteration as
/// <c>// throttled: N of M</c> (see the run log). The number uses the default limiter: at most 80 sends in any window
/// of 1 s plus a 5 ms safety margin (so at most 79.6/s sustained), a burst up to 80 first.</para>
/// <para>Each iteration queues fresh replies in setup (not measured), so every iteration starts after an idle pause,
/// as a real number does after a quiet spell.</para>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class DispatcherBenchmarks
{
    /// <summary>Replies sent per iteration.</summary>
    public const int RepliesPerIteration = 400;

    private const string PhoneNumberId = "409552778964973";
    private static readonly WorkspaceId Workspace = new("bench");
    private static readonly ChannelAccount Number = new(ChannelKind.WhatsApp, PhoneNumberId);

    private FakePlatformServer _platform = null!;
    private ServiceProvider _services = null!;
    private IOutboxDispatcher _dispatcher = null!;
    private ICareIngestor _ingestor = null!;
    private ICareInbox _inbox = null!;
    private int _sentBefore;
    private int _throttledBefore;
    private int _round;
    private int _platformIds;

    [GlobalSetup]
    public void Setup()
    {
        _platform = FakePlatformServer.StartAsync().GetAwaiter().GetResult();
        _platform.EnforceRateLimit(80, TimeSpan.FromSeconds(1));
        _platform.DefaultResponse = _ => FakeResponse.Json(
            200,
            string.Create(CultureInfo.InvariantCulture, $$"""{"messaging_product":"whatsapp","messages":[{"id":"wamid.out{{Interlocked.Increment(ref _platformIds)}}"}]}"""));

        _services = new ServiceCollection()
            .AddSocialCare(care => care
                .AddWorkspace("bench", "Benchmark")
                .ConfigureOutbox(o =>
                {
                    o.BatchSize = 64;
                    o.MaxConcurrentSends = 16;
                })
                .AddWhatsApp(o =>
                {
                    o.WorkspaceId = "bench";
                    o.PhoneNumberId = PhoneNumberId;
                    o.AppSecret = "secret";
                    o.VerifyToken = "verify";
                    o.AccessToken = "token";
                    o.GraphApiBaseUrl = _platform.BaseAddress;
                    o.Resilience.RateLimitMaxWait = TimeSpan.FromSeconds(30);
                }))
            .Services
            .BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<IOutboxDispatcher>();
        _ingestor = _services.GetRequiredService<ICareIngestor>();
        _inbox = _services.GetRequiredService<ICareInbox>();
    }

    [IterationSetup]
    public void QueueReplies()
    {
        _round++;
        for (var i = 0; i < RepliesPerIteration; i++)
        {
            var result = _ingestor.IngestAsync(new InboundMessage
            {
                WorkspaceId = Workspace,
                Channel = Number,
                Customer = new ContactHandle(ChannelKind.WhatsApp, string.Create(CultureInfo.InvariantCulture, $"4915{_round:D3}{i:D6}")),
                OccurredAt = TimeProvider.System.GetUtcNow(),
                PlatformMessageId = string.Create(CultureInfo.InvariantCulture, $"wamid.in.{_round}.{i}"),
                Text = "Where is my order?",
            }).AsTask().GetAwaiter().GetResult();
            _inbox.ReplyAsync(Workspace, result.ConversationId!.Value, new AgentReply { Agent = new AgentId("ana"), Text = "Let me check that for you." })
                .AsTask().GetAwaiter().GetResult();
        }

        _sentBefore = _platform.Requests.Count - _platform.ThrottledCount;
        _throttledBefore = _platform.ThrottledCount;
    }

    [Benchmark(OperationsPerInvoke = RepliesPerIteration)]
    public async Task DrainOutbox()
    {
        var outbox = _services.GetRequiredService<Storage.IOutboxStore>();
        while (await outbox.CountAsync(CancellationToken.None).ConfigureAwait(false) > 0)
        {
            if (await _dispatcher.DispatchDueAsync().ConfigureAwait(false) == 0)
            {
                await Task.Delay(1).ConfigureAwait(false); // only retries (after a 429) are left, waiting to be due
            }
        }
    }

    [IterationCleanup]
    public void Report()
    {
        var accepted = _platform.Requests.Count - _platform.ThrottledCount - _sentBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// throttled: {_platform.ThrottledCount - _throttledBefore} of {accepted + _platform.ThrottledCount - _throttledBefore} requests (round {_round})"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _platform.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
