using Microsoft.Extensions.Logging;

namespace SocialCare.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Inbound {EventType} on {Channel} in workspace {WorkspaceId} was a duplicate; absorbed.")]
    public static partial void DuplicateAbsorbed(ILogger logger, string eventType, ChannelAccount channel, WorkspaceId workspaceId);

    [LoggerMessage(2, LogLevel.Debug, "Concurrency conflict on attempt {Attempt} for workspace {WorkspaceId}; retrying the unit of work.")]
    public static partial void ConflictRetry(ILogger logger, int attempt, WorkspaceId workspaceId, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Inbound {EventType} on {Channel} in workspace {WorkspaceId} was refused: field {Field} is invalid.")]
    public static partial void EventRejected(ILogger logger, string eventType, ChannelAccount channel, WorkspaceId workspaceId, string field);

    [LoggerMessage(4, LogLevel.Error, "Care event handler {Handler} failed for {EventType} in workspace {WorkspaceId}.")]
    public static partial void HandlerFailed(ILogger logger, string handler, string eventType, WorkspaceId workspaceId, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Inbound {EventType} on {Channel} matched no stored message; nothing changed.")]
    public static partial void Unmatched(ILogger logger, string eventType, ChannelAccount channel);

    [LoggerMessage(6, LogLevel.Information, "Created workspace {WorkspaceId}.")]
    public static partial void WorkspaceCreated(ILogger logger, WorkspaceId workspaceId);

    [LoggerMessage(7, LogLevel.Trace, "Sensitive: stored inbound message {MessageId} from {Customer} with text '{Text}'.")]
    public static partial void SensitiveMessageStored(ILogger logger, MessageId messageId, ContactHandle customer, string? text);
}
