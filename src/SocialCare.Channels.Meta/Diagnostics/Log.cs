using Microsoft.Extensions.Logging;

namespace SocialCare.Channels.Meta.Diagnostics;

// Rejected and unparseable webhooks are logged at Debug here: the host (SocialCare.AspNetCore) logs each at Warning
// with the adapter's reason, once.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "{Platform} webhook rejected with {StatusCode}: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string platform, int statusCode, string reason);

    [LoggerMessage(2, LogLevel.Debug, "{Platform} webhook not understood: {Reason}")]
    public static partial void WebhookUnparseable(ILogger logger, string platform, string reason);

    [LoggerMessage(3, LogLevel.Debug, "{Platform} webhook for {AccountIds} gave {Count} events")]
    public static partial void WebhookParsed(ILogger logger, string platform, string accountIds, int count);

    [LoggerMessage(4, LogLevel.Warning, "{Platform} send from {AccountId} failed with code {ErrorCode} (retryable: {Retryable})")]
    public static partial void SendFailed(ILogger logger, string platform, string accountId, string? errorCode, bool retryable);
}
