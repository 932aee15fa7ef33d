using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Channels.Http;
using SocialCare.Storage;

namespace SocialCare.AspNetCore;

/// <summary>
/// A real <see cref="WebApplication"/> on Kestrel (127.0.0.1, a free port) with SocialCare, the WhatsApp adapter
/// (registration "bwa", the number of the bwa-* fixtures, workspace "acme"), the test adapter and a switchable failing
/// pipeline step; an <see cref="HttpClient"/> talks to it.
/// </summary>
internal sealed class WebhookHost : IAsyncDisposable
{
    public const string AppSecret = "test-app-secret";
    public const string VerifyToken = "let-me-in";
    public const string PhoneNumberId = "409552778964973";
    public static readonly WorkspaceId Workspace = new("acme");
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private WebhookHost(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public FakeTimeProvider Time => (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();

    public TestChannelAdapter TestAdapter => Services.GetRequiredService<TestChannelAdapter>();

    public FailingStep FailingStep => Services.GetRequiredService<FailingStep>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static async Task<WebhookHost> StartAsync(
        Action<SocialCareWebhookOptions>? webhooks = null,
        string prefix = "/webhooks",
        Action<WebApplication, RouteGroupBuilder>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
        services?.Invoke(builder.Services);
        builder.Services.AddSingleton<TestChannelAdapter>();
        builder.Services.AddSingleton<IChannelAdapter>(sp => sp.GetRequiredService<TestChannelAdapter>());
        builder.Services.AddSocialCare(care => care
            .AddWorkspace(Workspace.Value, "Acme")
            .AddWhatsApp("bwa", o =>
            {
                o.WorkspaceId = Workspace.Value;
                o.PhoneNumberId = PhoneNumberId;
                o.AppSecret = AppSecret;
                o.VerifyToken = VerifyToken;
                o.AccessToken = "EAAG-test-token";
            })
            .Use<FailingStep>()
            .AddWebhooks(webhooks));

        var app = builder.Build();
        try
        {
            var group = app.MapSocialCareWebhooks(prefix);
            configure?.Invoke(app, group);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        // The engine seeds configured workspaces on first use; create it now so "nothing stored" can be checked first.
        await app.Services.GetRequiredService<ICareStore>().CreateWorkspaceAsync(new Workspace { Id = Workspace, Name = "Acme" }, CancellationToken.None);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new WebhookHost(app, new Uri(address));
    }

    public static string Sign(byte[] body, string secret = AppSecret) =>
        WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(secret), body, "sha256=");

    /// <summary>POSTs the bytes exactly, signed for WhatsApp unless <paramref name="signature"/> is given.</summary>
    public Task<HttpResponseMessage> PostWhatsAppAsync(byte[] body, string path = "/webhooks/whatsapp", string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Add("X-Hub-Signature-256", signature ?? Sign(body));
        return Client.SendAsync(request);
    }

    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    public async Task<T> InStoreAsync<T>(Func<ICareSession, Task<T>> read)
    {
        await using var session = await Services.GetRequiredService<ICareStore>().BeginAsync(Workspace, CancellationToken.None);
        return await read(session);
    }

    public Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() =>
        Services.GetRequiredService<IDeadLetterStore>().ListDeadLettersAsync(100, CancellationToken.None).AsTask();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
