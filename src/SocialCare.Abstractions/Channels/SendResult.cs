namespace SocialCare.Channels;

/// <summary>What became of one send: <see cref="SendSucceeded"/> or <see cref="SendFailed"/>.</summary>
public abstract record SendResult
{
    private protected SendResult()
    {
    }

    /// <summary>The platform accepted the message.</summary>
    /// <param name="platformMessageId">The platform's id of the sent message.</param>
    /// <returns>The result.</returns>
    public static SendSucceeded Sent(string platformMessageId) => new(platformMessageId);

    /// <summary>The platform refused the message, or could not be reached.</summary>
    /// <param name="errorCode">The platform's error code, when it gave one.</param>
    /// <param name="reason">A readable reason.</param>
    /// <param name="isRetryable">True when the same send may succeed later (throttling, server errors, timeouts).</param>
    /// <param name="retryAfter">How long the platform asked to wait, when it said.</param>
    /// <returns>The result.</returns>
    public static SendFailed Failed(string? errorCode, string reason, bool isRetryable, TimeSpan? retryAfter = null) =>
        new(errorCode, reason, isRetryable, retryAfter);
}

/// <summary>The platform accepted the message.</summary>
/// <param name="PlatformMessageId">The platform's id of the sent message; status webhooks refer to it.</param>
public sealed record SendSucceeded(string PlatformMessageId) : SendResult;

/// <summary>The platform refused the message, or could not be reached.</summary>
/// <param name="ErrorCode">The platform's error code, when it gave one.</param>
/// <param name="Reason">A readable reason.</param>
/// <param name="IsRetryable">True when the same send may succeed later.</param>
/// <param name="RetryAfter">How long the platform asked to wait, when it said.</param>
public sealed record SendFailed(string? ErrorCode, string Reason, bool IsRetryable, TimeSpan? RetryAfter = null) : SendResult;
