using Microsoft.Extensions.Options;

namespace SocialCare;

/// <summary>
/// How the outbox dispatcher sends queued replies. Validated when the host starts; a bad value fails with the
/// setting's name.
/// </summary>
public sealed class OutboxOptions
{
    /// <summary>Whether this host runs the dispatcher's background service. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often the dispatcher looks for due replies when nothing woke it (replies queued by another host instance,
    /// retries coming due). Replies queued by this process wake it at once. Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many entries one claim takes. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>How many sends run at the same time. Default 8.</summary>
    public int MaxConcurrentSends { get; set; } = 8;

    /// <summary>
    /// How long a claim holds before another dispatcher may take the entry over; longer than the slowest send with its
    /// retries. Default 2 minutes.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many attempts a reply gets before it is marked failed. Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The delay before the second attempt; it doubles for each further attempt (plus up to 20% jitter). Default 5 seconds.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between attempts. Default 10 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A name for this dispatcher in claims; default the machine name, process id and a random part.</summary>
    public string? InstanceName { get; set; }
}

internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        List<string>? failures = null;
        void Fail(string message) => (failures ??= []).Add(message);
        const string Section = "SocialCare:Outbox";

        if (options.PollInterval <= TimeSpan.Zero || options.PollInterval > TimeSpan.FromMinutes(10))
        {
            Fail($"{Section}:{nameof(options.PollInterval)} must be more than 0 and at most 10 minutes; it is {options.PollInterval}.");
        }

        if (options.BatchSize is < 1 or > 1000)
        {
            Fail($"{Section}:{nameof(options.BatchSize)} must be between 1 and 1,000; it is {options.BatchSize}.");
        }

        if (options.MaxConcurrentSends is < 1 or > 256)
        {
            Fail($"{Section}:{nameof(options.MaxConcurrentSends)} must be between 1 and 256; it is {options.MaxConcurrentSends}.");
        }

        if (options.Lease < TimeSpan.FromSeconds(1))
        {
            Fail($"{Section}:{nameof(options.Lease)} must be at least 1 second; it is {options.Lease}.");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            Fail($"{Section}:{nameof(options.MaxAttempts)} must be between 1 and 100; it is {options.MaxAttempts}.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryBaseDelay)
        {
            Fail($"{Section}:{nameof(options.RetryBaseDelay)} must be positive and not above {nameof(options.MaxRetryDelay)}; they are {options.RetryBaseDelay} and {options.MaxRetryDelay}.");
        }

        if (options.InstanceName is { Length: 0 or > 200 })
        {
            Fail($"{Section}:{nameof(options.InstanceName)} must be 1 to 200 characters when set.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
