namespace SocialCare;

/// <summary>
/// A customer. A contact has one or more <see cref="ContactHandle"/>s; merging two contacts moves the handles and
/// the conversation history to the survivor, so history follows the customer across channels.
/// </summary>
public sealed record Contact
{
    /// <summary>The contact's id.</summary>
    public required ContactId Id { get; init; }

    /// <summary>The workspace the contact belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>The platform handles that identify this customer. Each handle belongs to one contact of a workspace.</summary>
    public IReadOnlyList<ContactHandle> Handles { get; init; } = [];

    /// <summary>What the platforms told us about the customer.</summary>
    public ContactProfile Profile { get; init; } = ContactProfile.Empty;

    /// <summary>The host's own attributes (CRM id, plan, …).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes.Instance;

    /// <summary>Notes agents wrote about the customer, oldest first.</summary>
    public IReadOnlyList<ContactNote> Notes { get; init; } = [];

    /// <summary>Whether the customer allowed or blocked messages from the brand, as far as a platform told us.</summary>
    public ContactConsent Consent { get; init; } = ContactConsent.Unknown;

    /// <summary>When this contact was merged into another, the survivor's id; such a contact has no handles left.</summary>
    public ContactId? MergedInto { get; init; }

    /// <summary>When the contact was first seen.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the contact last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The optimistic concurrency version: 1 when inserted, one more on every update.</summary>
    public long Version { get; init; } = 1;
}

/// <summary>What the platforms told us about a customer.</summary>
public sealed record ContactProfile
{
    /// <summary>A profile with nothing known.</summary>
    public static ContactProfile Empty { get; } = new();

    /// <summary>The display name.</summary>
    public string? Name { get; init; }

    /// <summary>The username or screen name, without any '@'.</summary>
    public string? Username { get; init; }

    /// <summary>The preferred language as a BCP 47 tag, when known.</summary>
    public string? Locale { get; init; }

    /// <summary>Followers on a public network, when known.</summary>
    public long? Followers { get; init; }

    /// <summary>Whether the platform marks the account verified.</summary>
    public bool Verified { get; init; }

    /// <summary>A picture of the customer, when the platform shares one.</summary>
    public Uri? AvatarUrl { get; init; }
}

/// <summary>A note an agent wrote about a customer.</summary>
/// <param name="Author">Who wrote it.</param>
/// <param name="Text">The note.</param>
/// <param name="CreatedAt">When it was written.</param>
public sealed record ContactNote(AgentId Author, string Text, DateTimeOffset CreatedAt);

/// <summary>Whether a customer allows the brand to message them.</summary>
public enum ContactConsent
{
    /// <summary>No platform said.</summary>
    Unknown = 0,

    /// <summary>The customer opted in (for example a Messenger opt-in, or unblocking a bot).</summary>
    Granted = 1,

    /// <summary>The customer opted out, blocked the bot or revoked the app.</summary>
    Revoked = 2,
}

internal static class EmptyAttributes
{
    public static readonly IReadOnlyDictionary<string, string> Instance =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
}
