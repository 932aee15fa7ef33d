using Microsoft.Extensions.Logging;

namespace SocialCare.Channels.X.Diagnostics;

// Rejected and unparseable webhooks are logged at Debug here: the host (SocialCare.AspNetCore) logs each at Warning
// with the adapter's reason, once.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "X webhook rejected with {StatusCode}: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(2, LogLevel.Debug, "X webhook not understood: {Reason}")]
    public static partial void WebhookUnparseable(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Debug, "X webhook for {UserId} gave {Count} events")]
    public static partial void WebhookParsed(ILogger logger, string userId, int count);

    [LoggerMessage(4, LogLevel.Warning, "X send from {UserId} failed with code {ErrorCode} (retryable: {Retryable})")]
    public static partial void SendFailed(ILogger logger, string userId, string? errorCode, bool retryable);

    [LoggerMessage(5, LogLevel.Error, "X account {UserId} (registration '{Registration}') revoked the app's access; X deleted its webhook subscription and sends will fail until it is authorized again")]
    public static partial void AccountRevoked(ILogger logger, string userId, string registration);
}
