using System.Diagnostics.CodeAnalysis;

namespace SocialCare;

/// <summary>
/// Identifies a workspace: one tenant (a brand, or one client of an agency). Every entity carries it
/// and every store operation is scoped by it.
/// </summary>
/// <remarks>
/// A workspace id is 1 to 64 characters of ASCII letters, digits, '-', '_' or '.', compared ordinally.
/// </remarks>
public readonly struct WorkspaceId : IEquatable<WorkspaceId>
{
    /// <summary>The longest accepted workspace id.</summary>
    public const int MaxLength = 64;

    private readonly string? _value;

    /// <summary>Creates a workspace id.</summary>
    /// <param name="value">The id: 1 to 64 characters of ASCII letters, digits, '-', '_' or '.'.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty, too long or has other characters.</exception>
    public WorkspaceId(string value)
    {
        if (!IsValid(value, out var reason))
        {
            throw new ArgumentException($"'{value}' is not a valid workspace id: {reason}", nameof(value));
        }

        _value = value;
    }

    /// <summary>The id's text; empty for <c>default(WorkspaceId)</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>True for <c>default(WorkspaceId)</c>, which no store accepts.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Tries to create a workspace id without throwing.</summary>
    /// <param name="value">The candidate text.</param>
    /// <param name="id">The id, when valid.</param>
    /// <returns>True when <paramref name="value"/> is a valid workspace id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out WorkspaceId id)
    {
        if (IsValid(value, out _))
        {
            id = new WorkspaceId(value!);
            return true;
        }

        id = default;
        return false;
    }

    private static bool IsValid([NotNullWhen(true)] string? value, out string reason)
    {
        if (string.IsNullOrEmpty(value))
        {
            reason = "it must not be null or empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            reason = $"it is {value.Length} characters long; the limit is {MaxLength}.";
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                reason = $"character '{c}' is not allowed (use ASCII letters, digits, '-', '_' or '.').";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(WorkspaceId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WorkspaceId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two ids.</summary>
    public static bool operator ==(WorkspaceId left, WorkspaceId right) => left.Equals(right);

    /// <summary>Compares two ids.</summary>
    public static bool operator !=(WorkspaceId left, WorkspaceId right) => !left.Equals(right);
}
