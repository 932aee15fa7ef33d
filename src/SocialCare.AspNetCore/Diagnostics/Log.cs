using Microsoft.Extensions.Logging;

namespace SocialCare.AspNetCore.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Webhook for {Channel} (registration {Registration}) was rejected with {StatusCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, ChannelKind channel, string? registration, int statusCode, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Webhook for {Channel} (registration {Registration}) could not be parsed; kept as dead letter {DeadLetterId}: {Reason}")]
    public static partial void Unparseable(ILogger logger, ChannelKind channel, string? registration, Guid deadLetterId, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Webhook for {Channel} (registration {Registration}): event {Index} ({EventType}) was refused as invalid (field {Field}); the request was kept as dead letter {DeadLetterId}.")]
    public static partial void InvalidEvent(ILogger logger, ChannelKind channel, string? registration, int index, string eventType, string field, Guid deadLetterId);

    [LoggerMessage(4, LogLevel.Error, "Webhook for {Channel} (registration {Registration}) could not be stored; answered {StatusCode} so the platform redelivers it.")]
    public static partial void StoreFailed(ILogger logger, ChannelKind channel, string? registration, int statusCode, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Webhook for {Channel} (registration {Registration}) was refused: its body is larger than {MaxRequestBodySize} bytes.")]
    public static partial void TooLarge(ILogger logger, ChannelKind channel, string? registration, long maxRequestBodySize);

    [LoggerMessage(6, LogLevel.Debug, "Webhook for a channel no adapter serves ('{Channel}') was answered 404.")]
    public static partial void UnknownChannel(ILogger logger, string channel);

    [LoggerMessage(7, LogLevel.Debug, "Webhook for {Channel} (registration {Registration}): {Count} events stored.")]
    public static partial void Accepted(ILogger logger, ChannelKind channel, string? registration, int count);

    [LoggerMessage(8, LogLevel.Debug, "Webhook for {Channel} (registration {Registration}) was abandoned: the request was aborted.")]
    public static partial void Aborted(ILogger logger, ChannelKind channel, string? registration);

    [LoggerMessage(9, LogLevel.Error, "The {Channel} adapter threw on a webhook (registration {Registration}); the request is kept as dead letter {DeadLetterId} and acknowledged.")]
    public static partial void AdapterFailed(ILogger logger, ChannelKind channel, string? registration, Guid deadLetterId, Exception exception);
}
