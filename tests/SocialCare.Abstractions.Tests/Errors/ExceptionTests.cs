namespace SocialCare.Errors;

/// <summary>Errors carry the data a caller needs and say what to do.</summary>
public sealed class ExceptionTests
{
    private static readonly ConversationId Id = ConversationId.New(new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void InvalidInboundEventException_PrefixesFieldWithEventType()
    {
        var ex = new InvalidInboundEventException("InboundMessage", "Text", "is too long.");

        Assert.Equal("InboundMessage.Text", ex.Field);
        Assert.Equal("InboundMessage", ex.EventType);
        Assert.Equal("is too long.", ex.Reason);
        Assert.Equal("InboundMessage.Text: is too long.", ex.Message);
        Assert.IsAssignableFrom<CareValidationException>(ex);
        Assert.IsAssignableFrom<SocialCareException>(ex);
    }

    [Fact]
    public void InvalidConversationTransitionException_NamesActionConversationAndStatus()
    {
        var ex = new InvalidConversationTransitionException(Id, ConversationStatus.Resolved, "snooze", "reopen it first.");

        Assert.Equal($"Cannot snooze conversation '{Id}' while it is Resolved: reopen it first.", ex.Message);
        Assert.Equal(Id, ex.ConversationId);
        Assert.Equal(ConversationStatus.Resolved, ex.From);
        Assert.Equal("snooze", ex.Action);
    }

    [Fact]
    public void ConcurrencyConflictException_VersionAndUniqueKeyForms_SayWhatCollided()
    {
        var version = new ConcurrencyConflictException("conversation", "c1", 3, 5);
        var deleted = new ConcurrencyConflictException("message", "m1", 3, null);
        var unique = new ConcurrencyConflictException("contact", "whatsapp:1", null, null, "handle taken");

        Assert.Contains("you hold version 3, the store has version 5", version.Message, StringComparison.Ordinal);
        Assert.Contains("none (deleted)", deleted.Message, StringComparison.Ordinal);
        Assert.Contains("handle taken", unique.Message, StringComparison.Ordinal);
        Assert.Equal(("conversation", "c1", 3L, 5L), (version.Entity, version.EntityId, version.ExpectedVersion!.Value, version.ActualVersion!.Value));
    }

    [Fact]
    public void NotFoundExceptions_NameWorkspaceAndId()
    {
        var ws = new WorkspaceId("acme");
        var contact = ContactId.New(DateTimeOffset.UnixEpoch);

        Assert.Contains("care.AddWorkspace(\"acme\"", new WorkspaceNotFoundException(ws).Message, StringComparison.Ordinal);
        Assert.Equal($"Conversation '{Id}' does not exist in workspace 'acme'.", new ConversationNotFoundException(ws, Id).Message);
        Assert.Equal($"Contact '{contact}' does not exist in workspace 'acme'.", new ContactNotFoundException(ws, contact).Message);
        Assert.Equal($"Contact '{contact}' was merged in workspace 'acme'.", new ContactNotFoundException(ws, contact, "was merged").Message);
    }
}
