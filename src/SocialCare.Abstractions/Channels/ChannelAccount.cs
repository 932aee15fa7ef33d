namespace SocialCare;

/// <summary>
/// One connected account on a platform: a WhatsApp phone number id, a Facebook page id, a bot, a mailbox.
/// </summary>
/// <param name="Kind">The platform.</param>
/// <param name="AccountId">The platform's id of the brand's account.</param>
public readonly record struct ChannelAccount(ChannelKind Kind, string AccountId)
{
    /// <summary>True when the kind or the account id is missing.</summary>
    public bool IsEmpty => Kind.IsEmpty || string.IsNullOrEmpty(AccountId);

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{AccountId}";
}
