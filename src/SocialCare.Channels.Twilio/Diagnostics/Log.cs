using Microsoft.Extensions.Logging;

namespace SocialCare.Channels.Twilio.Diagnostics;

// Rejected and unparseable webhooks are logged at Debug here: the host (SocialCare.AspNetCore) logs each at Warning
// with the adapter's reason, once.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Twilio webhook rejected with {StatusCode}: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Twilio webhook not understood: {Reason}")]
    public static partial void WebhookUnparseable(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Twilio webhook for {PhoneNumber} gave {Count} events")]
    public static partial void WebhookParsed(ILogger logger, string phoneNumber, int count);

    [LoggerMessage(4, LogLevel.Warning, "Twilio send from {PhoneNumber} failed with code {ErrorCode} (retryable: {Retryable})")]
    public static partial void SendFailed(ILogger logger, string phoneNumber, string? errorCode, bool retryable);
}
