using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace SocialCare.Channels.Http;

/// <summary>
/// Builds the Polly resilience pipeline each HTTP channel adapter sends through, one per platform, on the host's
/// <see cref="TimeProvider"/>. From the outside in: retry (exponential backoff with jitter; <c>Retry-After</c> and the
/// platform's throttling codes honoured), circuit breaker, per-recipient pacing and per-sending-account rate limit,
/// attempt timeout.
/// </summary>
/// <remarks>
/// Transient: HTTP 408, 429 and 5xx, <see cref="HttpRequestException"/>, a 4xx whose platform error code is in
/// <see cref="ChannelResilienceOptions.ThrottlingErrorCodes"/>, and a timeout when
/// <see cref="ChannelResilienceOptions.RetryOnTimeout"/> is set. An open circuit throws
/// <see cref="BrokenCircuitException"/>; an exhausted rate limit throws <see cref="ChannelRateLimitedException"/>;
/// neither is retried here. Set the sending account on the context with <see cref="SendingAccount"/>, and the recipient
/// with <see cref="Recipient"/> for per-recipient pacing.
/// </remarks>
public sealed class ChannelResiliencePipelineFactory
{
    /// <summary>The context property naming the sending account (the rate-limit partition), for example the phone-number id.</summary>
    public static readonly ResiliencePropertyKey<string> SendingAccount = new("SocialCare.SendingAccount");

    /// <summary>
    /// The context property naming the recipient (the pacing partition within the sending account, see
    /// <see cref="ChannelResilienceOptions.RecipientInterval"/>), for example the customer's phone number.
    /// </summary>
    public static readonly ResiliencePropertyKey<string> Recipient = new("SocialCare.Recipient");

    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Creates the factory.</summary>
    /// <param name="timeProvider">The clock for timeouts, delays, the circuit breaker and the rate limit.</param>
    public ChannelResiliencePipelineFactory(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The platform's pipeline, built on first use from <paramref name="options"/>; later calls return the same pipeline.</summary>
    /// <param name="platform">The platform, for example <c>whatsapp</c>; names the pipeline in telemetry.</param>
    /// <param name="options">The platform's settings; read once.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public ResiliencePipeline<HttpResponseMessage> GetPipeline(string platform, ChannelResilienceOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentNullException.ThrowIfNull(options);
        return _pipelines.GetOrAdd(platform, static (name, state) => state.Self.Create(name, state.Options), (Self: this, Options: options));
    }

    /// <summary>Builds a new pipeline from <paramref name="options"/> (not cached).</summary>
    /// <param name="platform">The platform; names the pipeline in telemetry.</param>
    /// <param name="options">The settings.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The rate limiter's options type has no data-annotation attributes; it is preserved by DynamicDependency.")]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(RateLimiterOptions))]
    public ResiliencePipeline<HttpResponseMessage> Create(string platform, ChannelResilienceOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>
        {
            Name = "SocialCare." + platform,
            TimeProvider = _timeProvider,
        };

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                UseJitter = options.UseJitter,
                ShouldHandle = args => ShouldRetry(args.Outcome, options, args.Context.CancellationToken),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = args => IsFailure(args.Outcome, options, args.Context.CancellationToken),
        });

        var pacer = options.RecipientInterval > TimeSpan.Zero
            ? new RecipientPacer(options.RecipientInterval + options.RateLimitSafetyMargin, options.RecipientBurst, _timeProvider)
            : null;
        var groupPacer = options.GroupInterval > TimeSpan.Zero && options.IsGroupRecipient is not null
            ? new RecipientPacer(options.GroupInterval + options.RateLimitSafetyMargin, options.GroupBurst, _timeProvider)
            : null;
        var limiter = new AccountRateLimiter(options.RateLimitPermits, options.RateLimitPeriod, options.RateLimitSafetyMargin, options.RateLimitMaxWait, _timeProvider, pacer)
        {
            GroupPacer = groupPacer,
            IsGroup = options.IsGroupRecipient,
        };
        builder.AddStrategy(_ => new AccountRateLimiterStrategy(limiter), new RateLimiterOptions());
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage? response) => response?.GetRetryAfter(_timeProvider);

    private async ValueTask<bool> ShouldRetry(Outcome<HttpResponseMessage> outcome, ChannelResilienceOptions options, CancellationToken cancellationToken)
    {
        if (outcome.Exception is TimeoutRejectedException)
        {
            return options.RetryOnTimeout;
        }

        if (RetryAfter(outcome.Result) is { } wait && wait > options.MaxRetryAfter)
        {
            return false;
        }

        return await IsFailure(outcome, options, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<bool> IsFailure(Outcome<HttpResponseMessage> outcome, ChannelResilienceOptions options, CancellationToken cancellationToken)
    {
        switch (outcome.Exception)
        {
            case HttpRequestException or TimeoutRejectedException:
                return true;
            case not null:
                return false;
        }

        var response = outcome.Result;
        if (response is null)
        {
            return false;
        }

        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            return true;
        }

        if (status >= 400 && options.ThrottlingErrorCodes.Count > 0 && options.ErrorCodeReader is { } reader)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var code = await reader(response, cancellationToken).ConfigureAwait(false);
            return code is not null && options.ThrottlingErrorCodes.Contains(code);
        }

        return false;
    }

    private static void Validate(ChannelResilienceOptions options)
    {
        var o = options;
        void Check(bool ok, string setting, object value, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"ChannelResilienceOptions.{setting} {rule}; it is {value}.", nameof(options));
            }
        }

        Check(o.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && o.AttemptTimeout <= TimeSpan.FromDays(1), nameof(o.AttemptTimeout), o.AttemptTimeout, "must be between 10 ms and 1 day");
        Check(o.MaxRetryAttempts is >= 0 and <= 100, nameof(o.MaxRetryAttempts), o.MaxRetryAttempts, "must be between 0 and 100");
        Check(o.BaseDelay >= TimeSpan.Zero && o.BaseDelay <= o.MaxDelay, nameof(o.BaseDelay), o.BaseDelay, $"must be between 0 and MaxDelay ({o.MaxDelay})");
        Check(o.MaxRetryAfter >= TimeSpan.Zero, nameof(o.MaxRetryAfter), o.MaxRetryAfter, "must not be negative");
        Check(o.CircuitBreakerFailureRatio is > 0 and <= 1, nameof(o.CircuitBreakerFailureRatio), o.CircuitBreakerFailureRatio, "must be above 0 and at most 1");
        Check(o.CircuitBreakerMinimumThroughput >= 2, nameof(o.CircuitBreakerMinimumThroughput), o.CircuitBreakerMinimumThroughput, "must be at least 2");
        Check(o.CircuitBreakerSamplingDuration >= TimeSpan.FromMilliseconds(500), nameof(o.CircuitBreakerSamplingDuration), o.CircuitBreakerSamplingDuration, "must be at least 500 ms");
        Check(o.CircuitBreakerBreakDuration >= TimeSpan.FromMilliseconds(500), nameof(o.CircuitBreakerBreakDuration), o.CircuitBreakerBreakDuration, "must be at least 500 ms");
        Check(o.RateLimitPermits >= 1, nameof(o.RateLimitPermits), o.RateLimitPermits, "must be at least 1");
        Check(o.RateLimitPeriod > TimeSpan.Zero, nameof(o.RateLimitPeriod), o.RateLimitPeriod, "must be positive");
        Check(o.RateLimitMaxWait >= TimeSpan.Zero, nameof(o.RateLimitMaxWait), o.RateLimitMaxWait, "must not be negative");
        Check(o.RateLimitSafetyMargin >= TimeSpan.Zero && o.RateLimitSafetyMargin <= o.RateLimitPeriod, nameof(o.RateLimitSafetyMargin), o.RateLimitSafetyMargin, "must be between zero and the rate-limit period");
        Check(o.RecipientInterval >= TimeSpan.Zero && o.RecipientInterval <= TimeSpan.FromDays(1), nameof(o.RecipientInterval), o.RecipientInterval, "must be between zero (no pacing) and 1 day");
        Check(o.RecipientBurst is >= 1 and <= 10_000, nameof(o.RecipientBurst), o.RecipientBurst, "must be between 1 and 10,000");
        Check(o.GroupInterval >= TimeSpan.Zero && o.GroupInterval <= TimeSpan.FromDays(1), nameof(o.GroupInterval), o.GroupInterval, "must be between zero (groups paced like any recipient) and 1 day");
        Check(o.GroupBurst is >= 1 and <= 10_000, nameof(o.GroupBurst), o.GroupBurst, "must be between 1 and 10,000");
    }

    private sealed class RateLimiterOptions : ResilienceStrategyOptions
    {
        public RateLimiterOptions() => Name = "SocialCare.AccountRateLimiter";
    }
}
