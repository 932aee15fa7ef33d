namespace SocialCare;

/// <summary>Identifies one stored message. Ids are version 7 GUIDs, so they sort by creation time.</summary>
/// <param name="Value">The underlying GUID.</param>
public readonly record struct MessageId(Guid Value) : IComparable<MessageId>
{
    /// <summary>Creates a new id whose timestamp part is <paramref name="timestamp"/>.</summary>
    /// <param name="timestamp">The creation time, from the host's <see cref="TimeProvider"/>.</param>
    /// <returns>A new, unique id.</returns>
    public static MessageId New(DateTimeOffset timestamp) => new(Guid.CreateVersion7(timestamp));

    /// <summary>Parses the text form produced by <see cref="ToString"/>.</summary>
    /// <param name="text">A GUID in any format <see cref="Guid.Parse(string)"/> accepts.</param>
    /// <returns>The id.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a GUID.</exception>
    public static MessageId Parse(string text) => new(Guid.Parse(text));

    /// <summary>Tries to parse the text form produced by <see cref="ToString"/>.</summary>
    /// <param name="text">The candidate text.</param>
    /// <param name="id">The id, when the text is a GUID.</param>
    /// <returns>True when <paramref name="text"/> is a GUID.</returns>
    public static bool TryParse(string? text, out MessageId id)
    {
        var ok = Guid.TryParse(text, out var value);
        id = new MessageId(value);
        return ok;
    }

    /// <summary>True for <c>default</c>, which identifies nothing.</summary>
    public bool IsEmpty => Value == Guid.Empty;

    /// <inheritdoc />
    public int CompareTo(MessageId other) => Value.CompareTo(other.Value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString("D");

    /// <summary>Orders ids (by creation time, then randomness).</summary>
    public static bool operator <(MessageId left, MessageId right) => left.CompareTo(right) < 0;

    /// <summary>Orders ids (by creation time, then randomness).</summary>
    public static bool operator >(MessageId left, MessageId right) => left.CompareTo(right) > 0;

    /// <summary>Orders ids (by creation time, then randomness).</summary>
    public static bool operator <=(MessageId left, MessageId right) => left.CompareTo(right) <= 0;

    /// <summary>Orders ids (by creation time, then randomness).</summary>
    public static bool operator >=(MessageId left, MessageId right) => left.CompareTo(right) >= 0;
}
