namespace SocialCare.Channels.Http;

/// <summary>The keyed hash a platform signs its webhooks with.</summary>
public enum SignatureAlgorithm
{
    /// <summary>HMAC-SHA256 (Meta's <c>X-Hub-Signature-256</c>, X's CRC, Slack, Twilio's newer signatures).</summary>
    HmacSha256 = 0,

    /// <summary>HMAC-SHA1 (Meta's legacy <c>X-Hub-Signature</c>, Twilio's <c>X-Twilio-Signature</c>).</summary>
    HmacSha1 = 1,
}
