using System.Text.Json;
using Microsoft.Extensions.Options;
using SocialCare.Channels.WhatsApp;

namespace CareInbox;

/// <summary>
/// A STAND-IN for the WhatsApp Cloud API (Graph API), inside this app, so the demo sends replies without an account or
/// the internet. The WhatsApp number's <see cref="WhatsAppOptions.GraphApiBaseUrl"/> points here, so every reply still
/// takes the real path: the outbox, the WhatsApp adapter, its resilience pipeline and an actual HTTP request.
/// </summary>
/// <remarks>
/// It answers <c>POST /demo-platform/{phone-number-id}/messages</c> like the Cloud API: it checks the bearer token and
/// the number, and returns <c>{"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid…"}]}</c> with a new
/// message id. Then, as the real platform would, it reports the message <c>delivered</c> and <c>read</c> through signed
/// status webhooks. It is not Meta: it never delivers anything to a phone. Set <c>CareInbox:DemoPlatform</c> to false
/// to send through <c>SocialCare:WhatsApp:GraphApiBaseUrl</c> (graph.facebook.com by default) instead.
/// </remarks>
internal static partial class DemoPlatform
{
    /// <summary>The stand-in's path, below the app's address.</summary>
    public const string Path = "demo-platform/";

    /// <summary>Points the WhatsApp number at the stand-in.</summary>
    public static void AddServices(IServiceCollection services)
    {
        // Before the server listens, the address is a guess from the configured URLs; PointWhatsAppAtStandIn corrects it
        // once the real one is known (the port may have been 0).
        services.AddOptions<WhatsAppOptions>(Options.DefaultName)
            .PostConfigure<SelfAddress>((o, self) => o.GraphApiBaseUrl = new Uri(self.BaseUrl, Path));
    }

    /// <summary>Called once the server listens: drops the cached options, so they are rebuilt with the actual address.</summary>
    public static void PointWhatsAppAtStandIn(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitorCache<WhatsAppOptions>>().TryRemove(Options.DefaultName);

    /// <summary>Maps <c>POST /demo-platform/{phoneNumberId}/messages</c>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapPost("/" + Path + "{phoneNumberId}/messages", async (
            string phoneNumberId,
            HttpRequest request,
            WhatsAppWebhookPoster poster,
            TimeProvider time,
            IHostApplicationLifetime lifetime,
            ILoggerFactory loggers) =>
        {
            var number = poster.Number;
            if (!string.Equals(request.Headers.Authorization.ToString(), "Bearer " + number.AccessToken, StringComparison.Ordinal))
            {
                return GraphError(401, 190, "OAuthException", "Invalid OAuth access token - Cannot parse access token");
            }

            if (!string.Equals(phoneNumberId, number.PhoneNumberId, StringComparison.Ordinal))
            {
                return GraphError(400, 100, "GraphMethodException", $"Unsupported post request. Object with ID '{phoneNumberId}' does not exist.");
            }

            string? to;
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                to = body.RootElement.TryGetProperty("to", out var t) ? t.GetString() : null;
            }
            catch (JsonException)
            {
                return GraphError(400, 100, "OAuthException", "Invalid parameter: the body is not JSON.");
            }

            if (string.IsNullOrEmpty(to))
            {
                return GraphError(400, 100, "OAuthException", "(#100) The parameter to is required.");
            }

            var wamid = "wamid.DEMO" + Guid.CreateVersion7().ToString("N").ToUpperInvariant();
            _ = ReportDeliveryAsync(poster, time, wamid, to, loggers.CreateLogger(typeof(DemoPlatform)), lifetime.ApplicationStopping);
            return Results.Json(new
            {
                messaging_product = "whatsapp",
                contacts = new[] { new { input = to, wa_id = to } },
                messages = new[] { new { id = wamid } },
            });
        });
    }

    /// <summary>Like the platform, reports the message delivered and then read, with signed status webhooks.</summary>
    private static async Task ReportDeliveryAsync(WhatsAppWebhookPoster poster, TimeProvider time, string wamid, string recipient, ILogger logger, CancellationToken stopping)
    {
        try
        {
            foreach (var (status, delay) in new[] { ("delivered", 1500), ("read", 2500) })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), time, stopping).ConfigureAwait(false);
                using var response = await poster.PostStatusAsync(wamid, recipient, status, time.GetUtcNow(), stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
        catch (HttpRequestException ex)
        {
            LogStatusFailed(logger, ex);
        }
    }

    private static IResult GraphError(int status, int code, string type, string message) =>
        Results.Json(new { error = new { message, type, code, fbtrace_id = "DEMO" } }, statusCode: status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Graph API stand-in could not post a status webhook")]
    private static partial void LogStatusFailed(ILogger logger, Exception exception);
}
