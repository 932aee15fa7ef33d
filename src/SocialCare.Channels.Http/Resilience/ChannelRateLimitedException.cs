namespace SocialCare.Channels.Http;

/// <summary>A send was refused before it left: the sending account used up its rate limit.</summary>
public sealed class ChannelRateLimitedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="account">The sending account (the rate-limit partition).</param>
    /// <param name="retryAfter">How long until a token is free.</param>
    public ChannelRateLimitedException(string account, TimeSpan retryAfter)
        : base($"Sending account '{account}' is over its rate limit; a send is possible again in {retryAfter.TotalSeconds:0.###} s.")
    {
        Account = account;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception for a send held back by its recipient's pace.</summary>
    /// <param name="account">The sending account.</param>
    /// <param name="recipient">The recipient the account is pacing its messages to.</param>
    /// <param name="retryAfter">How long until the recipient's pace allows the send.</param>
    public ChannelRateLimitedException(string account, string recipient, TimeSpan retryAfter)
        : base($"Sending account '{account}' is pacing its messages to this recipient (ChannelResilienceOptions.RecipientInterval, or GroupInterval for a group); a send is possible again in {retryAfter.TotalSeconds:0.###} s.")
    {
        Account = account;
        Recipient = recipient;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception.</summary>
    public ChannelRateLimitedException()
        : this(string.Empty, TimeSpan.Zero)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ChannelRateLimitedException(string message)
        : base(message)
    {
        Account = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelRateLimitedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Account = string.Empty;
    }

    /// <summary>The sending account that is over its limit.</summary>
    public string Account { get; }

    /// <summary>The recipient whose pace held the send back; null when the account's own limit did.</summary>
    public string? Recipient { get; }

    /// <summary>How long until a token is free.</summary>
    public TimeSpan RetryAfter { get; }
}
