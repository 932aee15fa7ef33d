using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using SocialCare.Channels.WhatsApp.Webhooks;
using SocialCare.Storage;

namespace SocialCare.Benchmarks;

/// <summary>
/// The webhook target (bytes → committed message, in-memory store, against the System.Text.Json parse of the same
/// payload) measured as a running host pays it: one store that keeps growing, and no collection forced between
/// iterations, so collecting what the store keeps falls inside the measured time of both GC modes.
/// </summary>
/// <remarks>
/// <para>The fixture <c>whatsapp/bwa-message-text.json</c> is rewritten in place before each iteration: a new
/// <c>wamid</c> per message and one of 2,000 customers (<c>from</c> and <c>wa_id</c>), then signed again. Rewriting in
/// place keeps the setup from leaving garbage that a measured iteration would collect. Messages join the customer's
/// open conversation after the first 2,000. 6 warm-up and 15 measured iterations of 16,384 webhooks (plus
/// BenchmarkDotNet's jitting iteration): the store grows from about 115,000 to about 360,000 messages while measured.</para>
/// <para>Compare <see cref="WebhookToCommitted"/> with <see cref="FloorTypedParse"/> of the same job (the floor's own
/// garbage is collected inside its measured time too).</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(SustainedGcModes))]
public class WebhookSustainedBenchmarks
{
    /// <summary>Invocations per iteration, each one webhook.</summary>
    public const int PayloadsPerIteration = 16_384;

    /// <summary>Distinct customers the webhooks come from.</summary>
    public const int Customers = 2_000;

    private const string FixtureCustomer = "1111111111111";
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(WebhookEngine.Secret);

    private readonly InMemoryCareStore _store = new();
    private WebhookEngine _engine = null!;
    private byte[][] _bodies = [];
    private string[] _signatures = [];
    private int _idAt;
    private int[] _customerAt = [];
    private int _round;
    private int _next;

    [GlobalSetup]
    public void BuildEngine()
    {
        _store.CreateWorkspaceAsync(WebhookEngine.Workspace, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _engine = new WebhookEngine(_store);

        var template = File.ReadAllBytes(WebhookEngine.FixturePath());
        _idAt = IndexOf(template, WebhookEngine.FixtureId, from: 0);
        _customerAt = [IndexOf(template, FixtureCustomer, from: 0), IndexOf(template, FixtureCustomer, from: IndexOf(template, FixtureCustomer, from: 0) + 1)];
        _bodies = new byte[PayloadsPerIteration][];
        _signatures = new string[PayloadsPerIteration];
        for (var i = 0; i < PayloadsPerIteration; i++)
        {
            _bodies[i] = (byte[])template.Clone();
        }
    }

    [IterationSetup]
    public void NextPayloads()
    {
        _round++;
        _next = 0;
        Span<byte> mac = stackalloc byte[32];
        for (var i = 0; i < PayloadsPerIteration; i++)
        {
            var body = _bodies[i];
            Write(body, _idAt + "wamid.".Length, _round, 5);
            Write(body, _idAt + "wamid.".Length + 5, i, 7);
            foreach (var at in _customerAt)
            {
                Write(body, at, 1_000_000_000_000 + (i % Customers), FixtureCustomer.Length);
            }

            HMACSHA256.HashData(Key, body, mac);
            _signatures[i] = "sha256=" + Convert.ToHexStringLower(mac);
        }
    }

    [GlobalCleanup]
    public void DisposeEngine() => _engine.Dispose();

    [Benchmark(Baseline = true)]
    public object? FloorTypedParse() => JsonSerializer.Deserialize(_bodies[_next++], WhatsAppJsonContext.Default.WebhookPayload);

    [Benchmark]
    public ValueTask<int> WebhookToCommitted()
    {
        var i = _next++;
        return _engine.HandleAsync(_bodies[i], _signatures[i]);
    }

    /// <summary>Writes <paramref name="value"/> as <paramref name="digits"/> ASCII digits at <paramref name="at"/>.</summary>
    private static void Write(byte[] body, int at, long value, int digits)
    {
        for (var d = digits - 1; d >= 0; d--)
        {
            body[at + d] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static int IndexOf(byte[] haystack, string needle, int from)
    {
        var found = haystack.AsSpan(from).IndexOf(Encoding.ASCII.GetBytes(needle));
        return found < 0 ? throw new InvalidOperationException($"'{needle}' is not in the fixture.") : from + found;
    }

    /// <summary>Workstation and server GC, no forced collection between iterations, a bounded number of iterations.</summary>
    private sealed class SustainedGcModes : ManualConfig
    {
        public SustainedGcModes()
        {
            foreach (var server in new[] { false, true })
            {
                AddJob(Job.Default
                    .WithInvocationCount(PayloadsPerIteration)
                    .WithUnrollFactor(1)
                    .WithWarmupCount(6)
                    .WithIterationCount(15)
                    .WithGcServer(server)
                    .WithGcForce(false)
                    .WithId(server ? "ServerGC" : "WorkstationGC"));
            }
        }
    }
}
