namespace SocialCare;

/// <summary>The base of every error SocialCare raises on purpose.</summary>
public class SocialCareException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SocialCareException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The workspace does not exist in the store. Create it first (<c>care.AddWorkspace(…)</c> or the store).</summary>
public sealed class WorkspaceNotFoundException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="workspaceId">The unknown workspace.</param>
    public WorkspaceNotFoundException(WorkspaceId workspaceId)
        : base($"Workspace '{workspaceId}' does not exist. Create it before using it (care.AddWorkspace(\"{workspaceId}\", …) or ICareStore.CreateWorkspaceAsync).")
    {
        WorkspaceId = workspaceId;
    }

    /// <summary>The unknown workspace.</summary>
    public WorkspaceId WorkspaceId { get; }
}

/// <summary>The conversation does not exist in the workspace.</summary>
public sealed class ConversationNotFoundException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="workspaceId">The workspace searched.</param>
    /// <param name="conversationId">The missing conversation.</param>
    public ConversationNotFoundException(WorkspaceId workspaceId, ConversationId conversationId)
        : base($"Conversation '{conversationId}' does not exist in workspace '{workspaceId}'.")
    {
        WorkspaceId = workspaceId;
        ConversationId = conversationId;
    }

    /// <summary>The workspace searched.</summary>
    public WorkspaceId WorkspaceId { get; }

    /// <summary>The missing conversation.</summary>
    public ConversationId ConversationId { get; }
}

/// <summary>The contact does not exist in the workspace.</summary>
public sealed class ContactNotFoundException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="workspaceId">The workspace searched.</param>
    /// <param name="contactId">The missing contact.</param>
    /// <param name="reason">Why the contact cannot be used, when it exists but is merged away.</param>
    public ContactNotFoundException(WorkspaceId workspaceId, ContactId contactId, string? reason = null)
        : base($"Contact '{contactId}' {reason ?? "does not exist"} in workspace '{workspaceId}'.")
    {
        WorkspaceId = workspaceId;
        ContactId = contactId;
    }

    /// <summary>The workspace searched.</summary>
    public WorkspaceId WorkspaceId { get; }

    /// <summary>The missing contact.</summary>
    public ContactId ContactId { get; }
}

/// <summary>
/// Someone else changed the entity first: the version you hold is stale, or another writer inserted the same
/// unique key. Reload and try again.
/// </summary>
public sealed class ConcurrencyConflictException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="entity">The kind of entity ("conversation", "contact", "message").</param>
    /// <param name="id">The entity's id or unique key.</param>
    /// <param name="expectedVersion">The version the writer held, if the conflict is about versions.</param>
    /// <param name="actualVersion">The stored version, when known.</param>
    /// <param name="detail">What collided, for unique-key conflicts.</param>
    public ConcurrencyConflictException(string entity, string id, long? expectedVersion, long? actualVersion, string? detail = null)
        : base(detail is null
            ? $"The {entity} '{id}' was changed by someone else: you hold version {expectedVersion}, the store has version {actualVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (deleted)"}. Reload it and try again."
            : $"The {entity} '{id}' conflicts with a concurrent write: {detail}. Reload and try again.")
    {
        Entity = entity;
        EntityId = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The kind of entity ("conversation", "contact", "message").</summary>
    public string Entity { get; }

    /// <summary>The entity's id or unique key.</summary>
    public string EntityId { get; }

    /// <summary>The version the writer held, if the conflict is about versions.</summary>
    public long? ExpectedVersion { get; }

    /// <summary>The stored version, when known.</summary>
    public long? ActualVersion { get; }
}

/// <summary>The operation is not allowed in the conversation's current status.</summary>
public sealed class InvalidConversationTransitionException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="from">Its status.</param>
    /// <param name="action">The refused operation ("resolve", "snooze", …).</param>
    /// <param name="reason">Why it is refused and what to do instead.</param>
    public InvalidConversationTransitionException(ConversationId conversationId, ConversationStatus from, string action, string reason)
        : base($"Cannot {action} conversation '{conversationId}' while it is {from}: {reason}")
    {
        ConversationId = conversationId;
        From = from;
        Action = action;
    }

    /// <summary>The conversation.</summary>
    public ConversationId ConversationId { get; }

    /// <summary>Its status when the operation was refused.</summary>
    public ConversationStatus From { get; }

    /// <summary>The refused operation.</summary>
    public string Action { get; }
}

/// <summary>Input was refused; <see cref="Field"/> names what was wrong. Nothing was stored.</summary>
public class CareValidationException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="field">The path of the offending field ("Text", "Attachments[1].Url").</param>
    /// <param name="reason">What is wrong with it and what is accepted.</param>
    public CareValidationException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>The path of the offending field.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}

/// <summary>
/// A reply was refused before it was stored, because the conversation's channel adapter would refuse to send it now
/// (<see cref="Channels.IChannelAdapter.CheckOutbound"/>): a closed customer-service window, a text too long as the
/// platform counts it, a public reply without the post it answers. <see cref="CareValidationException.Field"/> is
/// <c>reply</c>; <see cref="Code"/> is the adapter's failure code.
/// </summary>
public sealed class ReplyRefusedException : CareValidationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="channel">The channel kind whose adapter refused.</param>
    /// <param name="code">The adapter's failure code, for example <c>service-window-closed</c>.</param>
    /// <param name="reason">The adapter's readable reason.</param>
    public ReplyRefusedException(ChannelKind channel, string? code, string reason)
        : base("reply", $"the {channel} adapter would not send it: {reason}")
    {
        Channel = channel;
        Code = code;
    }

    /// <summary>The channel kind whose adapter refused.</summary>
    public ChannelKind Channel { get; }

    /// <summary>The adapter's failure code, when it gave one.</summary>
    public string? Code { get; }
}

/// <summary>An inbound event from a channel adapter was refused; nothing was stored.</summary>
public sealed class InvalidInboundEventException : CareValidationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="eventType">The event's type name.</param>
    /// <param name="field">The offending field.</param>
    /// <param name="reason">What is wrong with it.</param>
    public InvalidInboundEventException(string eventType, string field, string reason)
        : base($"{eventType}.{field}", reason)
    {
        EventType = eventType;
    }

    /// <summary>The event's type name.</summary>
    public string EventType { get; }
}

/// <summary>
/// A storage provider cannot use the store as configured: the connection string is malformed, the file or directory is
/// missing or read-only, the database is locked or unreachable, or its schema is newer than the library.
/// <see cref="Setting"/> names the setting to fix and the message says what to do.
/// </summary>
public sealed class CareStoreConfigurationException : SocialCareException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="setting">The setting to fix, e.g. "SocialCare:Sqlite:ConnectionString".</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The provider's error, if any.</param>
    public CareStoreConfigurationException(string setting, string message, Exception? innerException = null)
        : base($"{setting}: {message}", innerException)
    {
        Setting = setting;
    }

    /// <summary>The setting to fix.</summary>
    public string Setting { get; }
}
