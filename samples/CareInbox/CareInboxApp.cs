using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using SocialCare.Channels.WhatsApp;

namespace CareInbox;

/// <summary>
/// Composes the CareInbox web application: the SocialCare engine on SQLite, one WhatsApp number, the webhook endpoints,
/// the inbox JSON API, the web page, and — for the offline demo — a stand-in of the WhatsApp Cloud API and a few demo
/// webhooks. <c>Program.cs</c> runs it; the tests build it with their own arguments.
/// </summary>
public static class CareInboxApp
{
    /// <summary>The one workspace (tenant) of the demo.</summary>
    public const string Workspace = "demo";

    /// <summary>Where the inbox listens when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c> nor Kestrel endpoints say otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>The name of the <see cref="HttpClient"/> the demo uses to call its own endpoints.</summary>
    internal const string SelfClientName = "CareInbox.Self";

    /// <summary>Builds the application from command-line arguments (any configuration key works: <c>--SocialCare:Sqlite:ConnectionString=…</c>).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var configuration = builder.Configuration;

        if (string.IsNullOrEmpty(configuration["urls"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var demo = configuration.GetSection(CareInboxOptions.SectionName).Get<CareInboxOptions>() ?? new CareInboxOptions();

        // ------------------------------------------------------------ The engine
        //
        // SQLite keeps every conversation, message, outbox entry and dead letter in one file (by default care-inbox.db
        // in the current directory; SocialCare:Sqlite:ConnectionString changes it). The WhatsApp number's settings come
        // from SocialCare:WhatsApp (appsettings.json holds demo values; see README.md for a real number). AddSocialCare
        // also starts the outbox background service that sends queued replies through the adapter.
        builder.Services.AddSocialCare(care => care
            .UseSqlite(o => configuration.GetSection(SqliteCareStoreOptionsSection).Bind(o))
            .AddWorkspace(Workspace, "Demo Brand")
            .AddWhatsApp(o => configuration.GetSection("SocialCare:WhatsApp").Bind(o)));

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddHttpClient(SelfClientName);
        builder.Services.AddSingleton<SelfAddress>();
        builder.Services.AddSingleton<WhatsAppWebhookPoster>();

        if (demo.DemoPlatform)
        {
            DemoPlatform.AddServices(builder.Services);
        }

        if (demo.DemoWebhooks)
        {
            builder.Services.AddHostedService<DemoWebhooks>();
        }

        // ------------------------------------------------------------ The endpoints
        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();                       // wwwroot/index.html: the inbox page
        app.MapSocialCareWebhooks("/webhooks");     // GET (handshake) and POST (signed events) /webhooks/whatsapp
        InboxApi.Map(app.MapGroup("/api"));         // the JSON API the page uses
        if (demo.DemoPlatform)
        {
            DemoPlatform.Map(app);                  // POST /demo-platform/{phoneNumberId}/messages
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var self = app.Services.GetRequiredService<SelfAddress>();
            self.Resolve();
            if (demo.DemoPlatform)
            {
                DemoPlatform.PointWhatsAppAtStandIn(app.Services);
            }

            PrintWelcome(app, self.BaseUrl, demo);
        });

        return app;
    }

    private const string SqliteCareStoreOptionsSection = "SocialCare:Sqlite";

    private static void PrintWelcome(WebApplication app, Uri baseUrl, CareInboxOptions demo)
    {
        var whatsApp = app.Services.GetRequiredService<IOptionsMonitor<WhatsAppOptions>>().Get(Options.DefaultName);
        var store = app.Configuration[SqliteCareStoreOptionsSection + ":ConnectionString"];
        Console.WriteLine();
        Console.WriteLine("CareInbox is running.");
        Console.WriteLine($"  Open the inbox:   {baseUrl}");
        Console.WriteLine($"  JSON API:         {new Uri(baseUrl, "api/conversations")}");
        Console.WriteLine($"  WhatsApp webhook: {new Uri(baseUrl, "webhooks/whatsapp")}  (GET handshake, verify token from SocialCare:WhatsApp:VerifyToken)");
        Console.WriteLine($"                    {new Uri(baseUrl, "webhooks/whatsapp/{registration}")}  (for a named registration)");
        Console.WriteLine($"  Sending to:       {whatsApp.GraphApiBaseUrl}{(demo.DemoPlatform ? "  (the built-in Graph API stand-in: nothing leaves this machine)" : "")}");
        Console.WriteLine($"  Store:            {store}  (in {Environment.CurrentDirectory})");
        Console.WriteLine("  Press Ctrl+C to stop.");
        Console.WriteLine();
    }
}

/// <summary>The sample's own settings (section <c>CareInbox</c>).</summary>
public sealed class CareInboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "CareInbox";

    /// <summary>Send replies to the built-in Graph API stand-in instead of <c>SocialCare:WhatsApp:GraphApiBaseUrl</c>. Default true.</summary>
    public bool DemoPlatform { get; set; } = true;

    /// <summary>Post a few signed demo webhooks at start when the store has no conversations. Default true.</summary>
    public bool DemoWebhooks { get; set; } = true;
}

/// <summary>The address this app listens on, for calling its own endpoints (known once the server started).</summary>
internal sealed class SelfAddress(IServer server, IConfiguration configuration)
{
    private Uri? _baseUrl;

    /// <summary>The base URL, ending with '/'. Before the server started, a guess from the configured URLs.</summary>
    public Uri BaseUrl => _baseUrl ?? Pick((configuration["urls"] ?? CareInboxApp.DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Reads the actual addresses (with the real port when the configured one was 0).</summary>
    public void Resolve()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is { Count: > 0 })
        {
            _baseUrl = Pick(addresses);
        }
    }

    private static Uri Pick(IEnumerable<string> addresses)
    {
        // Prefer plain http (no certificate to trust for calls to ourselves), and call a wildcard binding on localhost.
        var list = addresses.ToList();
        var address = list.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? list.FirstOrDefault() ?? CareInboxApp.DefaultUrl;
        foreach (var wildcard in new[] { "://+:", "://*:", "://0.0.0.0:", "://[::]:" })
        {
            address = address.Replace(wildcard, "://localhost:", StringComparison.Ordinal);
        }

        return new Uri(address.TrimEnd('/') + "/");
    }
}
