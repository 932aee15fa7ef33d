namespace SocialCare;

/// <summary>A person or bot who answers customers.</summary>
public sealed record Agent
{
    /// <summary>The agent's id.</summary>
    public required AgentId Id { get; init; }

    /// <summary>The workspace the agent works in.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>A display name.</summary>
    public required string Name { get; init; }

    /// <summary>Whether the agent is online, away or offline.</summary>
    public AgentPresence Presence { get; init; } = AgentPresence.Offline;

    /// <summary>What the agent can handle.</summary>
    public AgentSkills Skills { get; init; } = AgentSkills.None;

    /// <summary>How many open conversations the agent takes at once, per channel kind. Missing kinds are not offered.</summary>
    public IReadOnlyDictionary<ChannelKind, int> Capacity { get; init; } = new Dictionary<ChannelKind, int>();

    /// <summary>The teams the agent belongs to.</summary>
    public IReadOnlyList<string> Teams { get; init; } = [];
}

/// <summary>Whether an agent can be offered work.</summary>
public enum AgentPresence
{
    /// <summary>Not working; never offered conversations.</summary>
    Offline = 0,

    /// <summary>Working but away from the desk; not offered new conversations.</summary>
    Away = 1,

    /// <summary>Working and available.</summary>
    Online = 2,
}

/// <summary>What an agent can handle: languages (BCP 47), channel kinds and topics.</summary>
public sealed record AgentSkills
{
    /// <summary>No skills.</summary>
    public static AgentSkills None { get; } = new();

    /// <summary>Languages the agent writes, as BCP 47 tags ("en", "pt-BR").</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Channel kinds the agent answers on.</summary>
    public IReadOnlyList<ChannelKind> Channels { get; init; } = [];

    /// <summary>Topics the agent knows ("billing", "returns").</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];
}

/// <summary>A team of agents, usually the owner of one or more queues.</summary>
public sealed record Team
{
    /// <summary>The team's id, unique in its workspace.</summary>
    public required string Id { get; init; }

    /// <summary>The workspace the team belongs to.</summary>
    public required WorkspaceId WorkspaceId { get; init; }

    /// <summary>A display name.</summary>
    public required string Name { get; init; }

    /// <summary>The team's members.</summary>
    public IReadOnlyList<AgentId> Members { get; init; } = [];
}
