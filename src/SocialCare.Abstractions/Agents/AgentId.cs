namespace SocialCare;

/// <summary>Identifies an agent: the host application's own user id for the person (or bot) answering.</summary>
/// <param name="Value">The host's id; not empty.</param>
public readonly record struct AgentId(string Value)
{
    /// <summary>True for <c>default</c> or an empty value.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Value);

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
