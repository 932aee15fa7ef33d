using System.Buffers.Binary;

namespace SocialCare.Storage;

/// <summary>
/// The position of a conversation in a <see cref="ConversationSort"/> order: the keyset a page ends at. Providers use
/// it to continue a page (<c>WHERE (key…) &gt; (cursor…)</c>) and to encode <see cref="Page{T}.NextCursor"/>, so cursors
/// look the same whatever the store.
/// </summary>
/// <param name="Sort">The order the cursor belongs to.</param>
/// <param name="Priority">The conversation's priority (used by <see cref="ConversationSort.PriorityThenWaiting"/>).</param>
/// <param name="Ticks">The sort time in UTC ticks (<see cref="SortTicks"/>).</param>
/// <param name="Id">The conversation's id, the final tie-breaker.</param>
public readonly record struct ConversationCursor(ConversationSort Sort, ConversationPriority Priority, long Ticks, ConversationId Id)
{
    private const int EncodedBytes = 2 + 8 + 16;

    /// <summary>The cursor positioned at a conversation.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="sort">The order.</param>
    /// <returns>The cursor.</returns>
    public static ConversationCursor From(Conversation conversation, ConversationSort sort)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return new(sort, conversation.Priority, SortTicks(conversation, sort), conversation.Id);
    }

    /// <summary>
    /// The time a conversation sorts by, in UTC ticks: last activity, waiting since (<see cref="long.MaxValue"/> when
    /// nobody waits, so those sort last), or creation.
    /// </summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="sort">The order.</param>
    /// <returns>UTC ticks.</returns>
    public static long SortTicks(Conversation conversation, ConversationSort sort)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return sort switch
        {
            ConversationSort.LastActivityNewest => conversation.LastActivityAt.UtcTicks,
            ConversationSort.CreatedNewest => conversation.CreatedAt.UtcTicks,
            _ => conversation.WaitingSince?.UtcTicks ?? long.MaxValue,
        };
    }

    /// <summary>True for orders that list the largest time first.</summary>
    /// <param name="sort">The order.</param>
    /// <returns>True for <see cref="ConversationSort.LastActivityNewest"/> and <see cref="ConversationSort.CreatedNewest"/>.</returns>
    public static bool IsDescending(ConversationSort sort) => sort is ConversationSort.LastActivityNewest or ConversationSort.CreatedNewest;

    /// <summary>Compares two conversations in an order.</summary>
    /// <param name="x">One conversation.</param>
    /// <param name="y">The other.</param>
    /// <param name="sort">The order.</param>
    /// <returns>Negative when <paramref name="x"/> comes first.</returns>
    public static int Compare(Conversation x, Conversation y, ConversationSort sort) => From(x, sort).CompareTo(From(y, sort));

    /// <summary>Compares this position with another of the same order.</summary>
    /// <param name="other">The other position.</param>
    /// <returns>Negative when this position comes first in the order.</returns>
    public int CompareTo(ConversationCursor other)
    {
        int c;
        if (Sort == ConversationSort.PriorityThenWaiting)
        {
            c = Priority.CompareTo(other.Priority);
            if (c != 0)
            {
                return c;
            }
        }

        c = Ticks.CompareTo(other.Ticks);
        if (c == 0)
        {
            c = Id.CompareTo(other.Id);
        }

        return IsDescending(Sort) ? -c : c;
    }

    /// <summary>The opaque text form, for <see cref="Page{T}.NextCursor"/>.</summary>
    /// <returns>URL-safe base64.</returns>
    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[EncodedBytes];
        bytes[0] = (byte)Sort;
        bytes[1] = (byte)Priority;
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], Ticks);
        Id.Value.TryWriteBytes(bytes[10..], bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Reads the text form.</summary>
    /// <param name="text">Text from <see cref="Encode"/>.</param>
    /// <param name="cursor">The cursor, when the text is one.</param>
    /// <returns>False for anything <see cref="Encode"/> did not produce.</returns>
    public static bool TryDecode(string? text, out ConversationCursor cursor)
    {
        cursor = default;
        if (text is null || text.Length is < 30 or > 40)
        {
            return false;
        }

        var padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4);
        Span<byte> bytes = stackalloc byte[48];
        if (!Convert.TryFromBase64String(padded, bytes, out var written) || written != EncodedBytes)
        {
            return false;
        }

        var sort = (ConversationSort)bytes[0];
        var priority = (ConversationPriority)bytes[1];
        if (!Enum.IsDefined(sort) || !Enum.IsDefined(priority))
        {
            return false;
        }

        cursor = new(sort, priority, BinaryPrimitives.ReadInt64BigEndian(bytes[2..]), new ConversationId(new Guid(bytes[10..26], bigEndian: true)));
        return true;
    }
}
