using SocialCare;
using SocialCare.Storage;

namespace CareInbox;

/// <summary>
/// Demo data: once the server is listening, and only when the store has no conversations yet, posts a handful of signed
/// WhatsApp webhooks (several customers, several languages) to this app's own <c>/webhooks/whatsapp</c>. Nothing is
/// inserted behind the engine's back: the webhooks take the same path a real Meta delivery would.
/// </summary>
internal sealed partial class DemoWebhooks(
    IHostApplicationLifetime lifetime,
    ICareInbox inbox,
    WhatsAppWebhookPoster poster,
    TimeProvider time,
    ILogger<DemoWebhooks> logger) : BackgroundService
{
    /// <summary>The demo messages: customer number, profile name, minutes ago, text. The same customer twice is one conversation.</summary>
    internal static readonly (string From, string Name, int MinutesAgo, string Text)[] Messages =
    [
        ("5215512345678", "María López", 42, "Hola, mi pedido #1042 no ha llegado todavía 😟"),
        ("5511987654321", "João Silva", 35, "Olá! Vocês entregam em Lisboa?"),
        ("5215512345678", "María López", 30, "¿Me pueden ayudar, por favor?"),
        ("819012345678", "田中 ゆき", 21, "こんにちは！このテントは防水ですか？"),
        ("971501234567", "عمر", 12, "مرحبا، أريد تغيير عنوان الشحن لطلبي"),
        ("14155550123", "Sam Rivera", 4, "Hi! My boots fell apart after two weeks. Order A-77812 👎"),
    ];

    /// <summary>How many conversations the demo messages make (one per customer).</summary>
    internal static int ConversationCount => Messages.Select(m => m.From).Distinct().Count();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait until Kestrel listens: the webhooks are real HTTP requests to ourselves.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(false);
        }

        var existing = await inbox.ListAsync(new WorkspaceId(CareInboxApp.Workspace), new ConversationQuery { Limit = 1 }, stoppingToken).ConfigureAwait(false);
        if (existing.Items.Count > 0)
        {
            LogSkipped(logger);
            return;
        }

        var now = time.GetUtcNow();
        for (var i = 0; i < Messages.Length; i++)
        {
            var (from, name, minutesAgo, text) = Messages[i];
            try
            {
                using var response = await poster.PostTextAsync(from, name, $"wamid.DEMO{i + 1:000}", now.AddMinutes(-minutesAgo), text, stoppingToken).ConfigureAwait(false);
                LogPosted(logger, i + 1, Messages.Length, (int)response.StatusCode);
            }
            catch (HttpRequestException ex)
            {
                LogFailed(logger, ex);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The store already has conversations: no demo webhooks posted.")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo webhook {Number} of {Count} posted: {StatusCode}")]
    private static partial void LogPosted(ILogger logger, int number, int count, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not post the demo webhooks to this app")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
