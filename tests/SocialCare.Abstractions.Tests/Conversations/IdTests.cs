namespace SocialCare.Conversations;

/// <summary>The GUID v7 ids (conversation, contact, message) and the agent id.</summary>
public sealed class IdTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ConversationId_New_IsVersion7AndSortsByTimestamp()
    {
        var earlier = ConversationId.New(T0);
        var later = ConversationId.New(T0.AddMilliseconds(1));

        Assert.Equal(7, earlier.Value.Version);
        Assert.True(earlier < later);
        Assert.True(later > earlier);
        Assert.True(earlier <= later && later >= earlier);
        Assert.True(earlier.CompareTo(later) < 0);
        Assert.NotEqual(ConversationId.New(T0), ConversationId.New(T0)); // unique at the same instant
    }

    [Fact]
    public void ConversationId_ParseAndTryParse_RoundTripToString()
    {
        var id = ConversationId.New(T0);

        Assert.Equal(id, ConversationId.Parse(id.ToString()));
        Assert.True(ConversationId.TryParse(id.ToString(), out var parsed));
        Assert.Equal(id, parsed);
        Assert.False(ConversationId.TryParse("not-a-guid", out var bad));
        Assert.True(bad.IsEmpty);
        Assert.False(ConversationId.TryParse(null, out _));
        Assert.Throws<FormatException>(() => ConversationId.Parse("nope"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", id.ToString());
    }

    [Fact]
    public void ContactId_NewParseCompare_BehaveLikeConversationId()
    {
        var a = ContactId.New(T0);
        var b = ContactId.New(T0.AddSeconds(1));

        Assert.Equal(7, a.Value.Version);
        Assert.True(a < b && b > a && a <= b && b >= a);
        Assert.Equal(a, ContactId.Parse(a.ToString()));
        Assert.True(ContactId.TryParse(b.ToString(), out var parsed) && parsed == b);
        Assert.False(ContactId.TryParse("x", out _));
        Assert.True(default(ContactId).IsEmpty);
        Assert.False(a.IsEmpty);
    }

    [Fact]
    public void MessageId_NewParseCompare_BehaveLikeConversationId()
    {
        var a = MessageId.New(T0);
        var b = MessageId.New(T0.AddSeconds(1));

        Assert.Equal(7, a.Value.Version);
        Assert.True(a < b && b > a && a <= b && b >= a);
        Assert.Equal(a, MessageId.Parse(a.ToString()));
        Assert.True(MessageId.TryParse(b.ToString(), out var parsed) && parsed == b);
        Assert.False(MessageId.TryParse("", out _));
        Assert.True(default(MessageId).IsEmpty);
    }

    [Fact]
    public void Ids_OfDifferentKindsWithTheSameGuid_AreDifferentTypes()
    {
        var guid = Guid.CreateVersion7(T0);

        object conversation = new ConversationId(guid);
        object contact = new ContactId(guid);

        Assert.False(conversation.Equals(contact));
        Assert.Equal(guid.ToString("D"), conversation.ToString());
    }

    [Fact]
    public void AgentId_EmptyWhenDefaultOrEmpty()
    {
        Assert.True(default(AgentId).IsEmpty);
        Assert.True(new AgentId("").IsEmpty);
        Assert.False(new AgentId("ana").IsEmpty);
        Assert.Equal(string.Empty, default(AgentId).ToString());
        Assert.Equal("ana", new AgentId("ana").ToString());
        Assert.Equal(new MessageAuthor(AuthorKind.Agent, "ana"), MessageAuthor.ForAgent(new AgentId("ana")));
    }
}
