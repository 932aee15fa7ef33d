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

    [LoggerMessage(20, LogLevel.Debug, "Reply {MessageId} in workspace {WorkspaceId} was sent on {Channel} as {PlatformMessageId} (attempt {Attempt}).")]
    public static partial void ReplySent(ILogger logger, MessageId messageId, WorkspaceId workspaceId, ChannelAccount channel, string platformMessageId, int attempt);

    [LoggerMessage(21, LogLevel.Warning, "Reply {MessageId} in workspace {WorkspaceId} on {Channel} failed on attempt {Attempt} ({ErrorCode}: {Reason}); retrying at {DueAt}.")]
    public static partial void ReplyRetry(ILogger logger, MessageId messageId, WorkspaceId workspaceId, ChannelAccount channel, int attempt, string? errorCode, string reason, DateTimeOffset dueAt);

    [LoggerMessage(22, LogLevel.Error, "Reply {MessageId} in workspace {WorkspaceId} on {Channel} failed for good after {Attempt} attempt(s) ({ErrorCode}: {Reason}).")]
    public static partial void ReplyFailed(ILogger logger, MessageId messageId, WorkspaceId workspaceId, ChannelAccount channel, int attempt, string? errorCode, string reason);

    [LoggerMessage(23, LogLevel.Error, "Reply {MessageId} in workspace {WorkspaceId} on {Channel}: an earlier sender started the platform call and recorded no outcome; the reply is marked failed instead of being resent.")]
    public static partial void ReplyOutcomeUnknown(ILogger logger, MessageId messageId, WorkspaceId workspaceId, ChannelAccount channel);

    [LoggerMessage(24, LogLevel.Warning, "Outbox entry for message {MessageId} in workspace {WorkspaceId} has no outbound message to send; removed.")]
    public static partial void OutboxOrphan(ILogger logger, MessageId messageId, WorkspaceId workspaceId);

    [LoggerMessage(25, LogLevel.Error, "The outbox dispatcher failed; it tries again after {Delay}.")]
    public static partial void DispatcherFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(26, LogLevel.Debug, "Outbox dispatcher lost its claim on message {MessageId} in workspace {WorkspaceId}; another dispatcher has it.")]
    public static partial void ClaimLost(ILogger logger, MessageId messageId, WorkspaceId workspaceId);

    [LoggerMessage(27, LogLevel.Warning, "Reply {MessageId} in workspace {WorkspaceId} could not be prepared for sending; it is tried again at {DueAt}.")]
    public static partial void DispatchFailedBeforeSend(ILogger logger, MessageId messageId, WorkspaceId workspaceId, DateTimeOffset dueAt, Exception exception);

    [LoggerMessage(28, LogLevel.Error, "Reply {MessageId} in workspace {WorkspaceId} was handed to its platform but its outcome could not be recorded; when the claim runs out it is marked with an unknown outcome, not resent.")]
    public static partial void DispatchFailedAfterSend(ILogger logger, MessageId messageId, WorkspaceId workspaceId, Exception exception);
}
