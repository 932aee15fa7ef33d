namespace SocialCare;

/// <summary>A tenant: a brand, or one client of an agency. Nothing crosses workspaces.</summary>
public sealed record Workspace
{
    /// <summary>The workspace's id.</summary>
    public required WorkspaceId Id { get; init; }

    /// <summary>A display name for people.</summary>
    public required string Name { get; init; }

    /// <summary>When the workspace was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
