namespace SocialCare;

/// <summary>How a platform names a customer: a WhatsApp number, a page-scoped id, an X user id, an email address.</summary>
/// <param name="Kind">The platform.</param>
/// <param name="ExternalId">The platform's id for the customer.</param>
public readonly record struct ContactHandle(ChannelKind Kind, string ExternalId)
{
    /// <summary>True when the kind or the external id is missing.</summary>
    public bool IsEmpty => Kind.IsEmpty || string.IsNullOrEmpty(ExternalId);

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{ExternalId}";
}
