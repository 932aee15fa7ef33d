namespace SocialCare.Channels.Http;

/// <summary>
/// How a platform's outbound calls are protected: attempt timeout, retries with exponential backoff and jitter that
/// honour <c>Retry-After</c> and the platform's throttling codes, a circuit breaker, a sliding-window rate limit per
/// sending account and optional pacing per recipient. Each adapter passes its platform's values to
/// <see cref="ChannelResiliencePipelineFactory"/>.
/// </summary>
public sealed class ChannelResilienceOptions
{
    /// <summary>How long one attempt may take before it is cancelled. Default 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether an attempt that timed out is retried. Default false: when the platform has no idempotency key the first
    /// attempt may have been delivered, and a retry could send the message twice.
    /// </summary>
    public bool RetryOnTimeout { get; set; }

    /// <summary>How many times a transient failure is retried (0 disables retries). Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first backoff delay; each retry doubles it. Default 1 second.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay. Default 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether backoff delays are randomised so many senders do not retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest <c>Retry-After</c> the pipeline waits for itself. A longer one is not retried here: the response goes
    /// back to the caller (whose outbox reschedules the send). Default 30 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The platform's error codes that mean "slow down" or "try again" even on a 4xx answer (for WhatsApp: 4, 17, 32,
    /// 613, 130429, 131056). Read from failed responses with <see cref="ErrorCodeReader"/>.
    /// </summary>
    public ISet<string> ThrottlingErrorCodes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Reads the platform's error code from a failed response, or null; the content is buffered first, so it may be
    /// read again. Needed only with <see cref="ThrottlingErrorCodes"/>.
    /// </summary>
    public Func<HttpResponseMessage, CancellationToken, ValueTask<string?>>? ErrorCodeReader { get; set; }

    /// <summary>The share of failed calls in <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit. Default 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest calls in a sampling window before the circuit may open. Default 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window failures are counted in. Default 30 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses calls before it lets one through to test the platform. Default 30 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most calls each sending account may make in any window of <see cref="RateLimitPeriod"/> (a sliding window:
    /// a burst up to this many goes at once, then calls are spaced so no window holds more). Default 80.
    /// </summary>
    public int RateLimitPermits { get; set; } = 80;

    /// <summary>The window <see cref="RateLimitPermits"/> is counted in. Default 1 second.</summary>
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to <see cref="RateLimitPeriod"/> on our side, so network jitter never makes the platform count one call too
    /// many in its own window. Default 5 milliseconds (at 80 per second: at most 79.6 calls per second sustained).
    /// </summary>
    public TimeSpan RateLimitSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long a call waits for a token (or for its recipient's pace) before it fails with
    /// <see cref="ChannelRateLimitedException"/>. Default 5 seconds.
    /// </summary>
    public TimeSpan RateLimitMaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The pace a sending account keeps with ONE recipient: after a burst of <see cref="RecipientBurst"/> messages,
    /// one message per this interval (plus <see cref="RateLimitSafetyMargin"/>). WhatsApp allows a business number
    /// about one message every 6 seconds to the same user (error 131056 beyond it). A send that would have to wait
    /// longer than <see cref="RateLimitMaxWait"/> fails with <see cref="ChannelRateLimitedException"/> (retryable; the
    /// outbox sends it again after the wait). Default zero: no per-recipient pacing.
    /// </summary>
    public TimeSpan RecipientInterval { get; set; }

    /// <summary>
    /// How many messages to one recipient may go at once before <see cref="RecipientInterval"/> spaces them (a burst
    /// borrows from later: after it, each message waits one interval more). Default 1.
    /// </summary>
    public int RecipientBurst { get; set; } = 1;

    /// <summary>
    /// The pace a sending account keeps with ONE group, for platforms that limit what a sender posts in a group more
    /// strictly than what it sends to a person: after a burst of <see cref="GroupBurst"/> messages, one message per this
    /// interval (plus <see cref="RateLimitSafetyMargin"/>). It replaces <see cref="RecipientInterval"/> for the recipients
    /// <see cref="IsGroupRecipient"/> calls groups. Telegram lets a bot post about 20 messages a minute in one group.
    /// Default zero: a group is paced like any other recipient.
    /// </summary>
    public TimeSpan GroupInterval { get; set; }

    /// <summary>How many messages to one group may go at once before <see cref="GroupInterval"/> spaces them. Default 1.</summary>
    public int GroupBurst { get; set; } = 1;

    /// <summary>
    /// Tells whether a recipient (as the adapter passes it to <see cref="ChannelHttpSender"/>) is a group, so it is paced
    /// by <see cref="GroupInterval"/>; for example a negative Telegram chat id. Default null: no recipient is a group.
    /// </summary>
    public Func<string, bool>? IsGroupRecipient { get; set; }
}
