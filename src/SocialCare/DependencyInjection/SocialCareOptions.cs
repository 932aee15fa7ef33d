using Microsoft.Extensions.Options;

namespace SocialCare;

/// <summary>Settings of the care engine. Validated when the engine starts; a bad value fails with the setting's name.</summary>
public sealed class SocialCareOptions
{
    /// <summary>
    /// How long after a conversation is resolved a customer message reopens it (a new cycle); after that a new
    /// conversation starts. Zero means a resolved conversation never reopens by itself. Default 7 days.
    /// </summary>
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest message text accepted, in UTF-16 characters, inbound and outbound. Default 65,536.</summary>
    public int MaxTextLength { get; set; } = 65_536;

    /// <summary>The most attachments one message may carry. Default 20.</summary>
    public int MaxAttachments { get; set; } = 20;

    /// <summary>How far in the future an event's platform timestamp may be before it is refused. Default 5 minutes.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a unit of work is retried after a concurrency conflict before the error surfaces. Default 8.</summary>
    public int MaxConflictRetries { get; set; } = 8;

    /// <summary>Workspaces created on first use, if the store does not have them yet.</summary>
    public IList<Workspace> Workspaces { get; } = [];
}

internal sealed class SocialCareOptionsValidator : IValidateOptions<SocialCareOptions>
{
    public ValidateOptionsResult Validate(string? name, SocialCareOptions options)
    {
        List<string>? failures = null;
        void Fail(string message) => (failures ??= []).Add(message);

        if (options.ReopenWindow < TimeSpan.Zero)
        {
            Fail($"SocialCare:{nameof(options.ReopenWindow)} must not be negative; it is {options.ReopenWindow}.");
        }

        if (options.MaxTextLength is < 1 or > 1_048_576)
        {
            Fail($"SocialCare:{nameof(options.MaxTextLength)} must be between 1 and 1,048,576; it is {options.MaxTextLength}.");
        }

        if (options.MaxAttachments is < 0 or > 1000)
        {
            Fail($"SocialCare:{nameof(options.MaxAttachments)} must be between 0 and 1,000; it is {options.MaxAttachments}.");
        }

        if (options.MaxClockSkew < TimeSpan.Zero || options.MaxClockSkew > TimeSpan.FromDays(1))
        {
            Fail($"SocialCare:{nameof(options.MaxClockSkew)} must be between 0 and 1 day; it is {options.MaxClockSkew}.");
        }

        if (options.MaxConflictRetries is < 0 or > 100)
        {
            Fail($"SocialCare:{nameof(options.MaxConflictRetries)} must be between 0 and 100; it is {options.MaxConflictRetries}.");
        }

        for (var i = 0; i < options.Workspaces.Count; i++)
        {
            var workspace = options.Workspaces[i];
            if (workspace is null || workspace.Id.IsEmpty)
            {
                Fail($"SocialCare:{nameof(options.Workspaces)}[{i}] has no id.");
            }
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
