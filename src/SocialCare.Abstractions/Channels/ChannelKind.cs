namespace SocialCare;

/// <summary>
/// A messaging platform ("whatsapp", "messenger", "x", …). One channel adapter serves every account of its kind.
/// Kinds are lower-case ASCII names compared ordinally; the well-known ones are static properties, and adapters
/// for other platforms create their own.
/// </summary>
public readonly struct ChannelKind : IEquatable<ChannelKind>
{
    private readonly string? _name;

    /// <summary>Creates a channel kind.</summary>
    /// <param name="name">1 to 32 characters of lower-case ASCII letters, digits, '-' or '_'.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long or has other characters.</exception>
    public ChannelKind(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 32)
        {
            throw new ArgumentException($"Channel kind '{name}' is {name.Length} characters long; the limit is 32.", nameof(name));
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            {
                throw new ArgumentException($"Channel kind '{name}' has character '{c}'; use lower-case ASCII letters, digits, '-' or '_'.", nameof(name));
            }
        }

        _name = name;
    }

    /// <summary>The kind's name; empty for <c>default</c>.</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>True for <c>default(ChannelKind)</c>.</summary>
    public bool IsEmpty => _name is null;

    /// <summary>WhatsApp (Cloud API).</summary>
    public static ChannelKind WhatsApp { get; } = new("whatsapp");

    /// <summary>Facebook Messenger.</summary>
    public static ChannelKind Messenger { get; } = new("messenger");

    /// <summary>Instagram messaging and comments.</summary>
    public static ChannelKind Instagram { get; } = new("instagram");

    /// <summary>X (formerly Twitter): direct messages and mentions.</summary>
    public static ChannelKind X { get; } = new("x");

    /// <summary>Telegram bots.</summary>
    public static ChannelKind Telegram { get; } = new("telegram");

    /// <summary>Email.</summary>
    public static ChannelKind Email { get; } = new("email");

    /// <summary>SMS and MMS.</summary>
    public static ChannelKind Sms { get; } = new("sms");

    /// <inheritdoc />
    public bool Equals(ChannelKind other) => string.Equals(_name, other._name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelKind other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _name is null ? 0 : StringComparer.Ordinal.GetHashCode(_name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Compares two kinds.</summary>
    public static bool operator ==(ChannelKind left, ChannelKind right) => left.Equals(right);

    /// <summary>Compares two kinds.</summary>
    public static bool operator !=(ChannelKind left, ChannelKind right) => !left.Equals(right);
}
