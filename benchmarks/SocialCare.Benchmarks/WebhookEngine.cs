using Microsoft.Extensions.DependencyInjection;
using SocialCare.Channels;
using SocialCare.Channels.WhatsApp;
using SocialCare.Storage;

namespace SocialCare.Benchmarks;

/// <summary>
/// What the webhook benchmarks run: the engine with one WhatsApp number over a given store, the shared fixture
/// <c>shared/fixtures/whatsapp/bwa-message-text.json</c> (975 bytes), and one webhook from bytes to committed.
/// </summary>
internal sealed class WebhookEngine : IDisposable
{
    /// <summary>The app secret the payloads are signed with.</summary>
    public const string Secret = "benchmark-app-secret";

    /// <summary>The <c>wamid</c> of the fixture's message.</summary>
    public const string FixtureId = "wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==";

    private static readonly Uri Url = new("https://care.example/webhooks/whatsapp");

    private readonly ServiceProvider _services;

    public WebhookEngine(ICareStore store)
    {
        _services = new ServiceCollection()
            .AddSocialCare(care => care
                .UseStore(_ => store)
                .AddWhatsApp(o =>
                {
                    o.WorkspaceId = "bench";
                    o.PhoneNumberId = "409552778964973";
                    o.AppSecret = Secret;
                    o.VerifyToken = "verify";
                    o.AccessToken = "token";
                }))
            .Services
            .BuildServiceProvider();
        Adapter = _services.GetRequiredService<WhatsAppChannelAdapter>();
        Ingestor = _services.GetRequiredService<ICareIngestor>();
    }

    /// <summary>The workspace the number belongs to.</summary>
    public static Workspace Workspace { get; } = new() { Id = new WorkspaceId("bench"), Name = "Benchmark" };

    public WhatsAppChannelAdapter Adapter { get; }

    public ICareIngestor Ingestor { get; }

    /// <summary>The fixture's path, found in the first directory above the benchmark's binaries that has <c>shared/fixtures</c>.</summary>
    public static string FixturePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "whatsapp", "bwa-message-text.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No shared/fixtures/whatsapp/bwa-message-text.json above " + AppContext.BaseDirectory);
    }

    /// <summary>The signed webhook request the ASP.NET Core host would build for <paramref name="body"/>.</summary>
    public static WebhookRequest Request(byte[] body, string signature) =>
        new("POST", Url, [new("Content-Type", "application/json"), new("X-Hub-Signature-256", signature)], body);

    /// <summary>Bytes → verified, parsed, mapped → every event ingested and committed; throws unless all were accepted.</summary>
    public async ValueTask<int> HandleAsync(byte[] body, string signature)
    {
        var result = await Adapter.HandleAsync(Request(body, signature), CancellationToken.None).ConfigureAwait(false);
        if (result is not WebhookEvents { InboundEvents: var events })
        {
            throw new InvalidOperationException($"The webhook was {result}.");
        }

        // Indexed, as the ASP.NET Core host does (a foreach over the interface would box its enumerator).
        var accepted = 0;
        for (var e = 0; e < events.Count; e++)
        {
            var outcome = await Ingestor.IngestAsync(events[e]).ConfigureAwait(false);
            accepted += outcome.Outcome == IngestOutcome.Accepted ? 1 : throw new InvalidOperationException($"The message was {outcome.Outcome}.");
        }

        return accepted;
    }

    public void Dispose() => _services.Dispose();
}
