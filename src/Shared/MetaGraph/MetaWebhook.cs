using System.Security.Cryptography;
using System.Text;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.MetaGraph;

/// <summary>
/// The webhook checks every Meta platform (WhatsApp Cloud API, Messenger, Instagram) shares: the GET subscription
/// handshake and the <c>X-Hub-Signature-256</c> HMAC over the raw body. Linked source, compiled into each adapter.
/// </summary>
internal static class MetaWebhook
{
    /// <summary>The signature header. Only SHA-256 is accepted: Meta sends it on every webhook next to the legacy
    /// SHA-1 <c>X-Hub-Signature</c>; accepting SHA-1 alone would let a request downgrade to the weaker MAC.</summary>
    public const string SignatureHeader = "X-Hub-Signature-256";

    private const string SignaturePrefix = "sha256=";

    /// <summary>
    /// Answers a GET with <c>hub.mode=subscribe</c> and a <c>hub.verify_token</c> equal (constant time) to one of
    /// <paramref name="verifyTokens"/> with the echoed <c>hub.challenge</c>; 400 when a parameter is missing, 403 for
    /// a wrong token.
    /// </summary>
    public static WebhookResult Handshake(WebhookRequest request, string platformName, IEnumerable<string> verifyTokens)
    {
        var mode = request.GetQuery("hub.mode");
        var token = request.GetQuery("hub.verify_token");
        var challenge = request.GetQuery("hub.challenge");
        if (mode != "subscribe" || string.IsNullOrEmpty(challenge) || token is null)
        {
            return WebhookResult.Rejected(400, $"A {platformName} webhook GET needs hub.mode=subscribe, hub.verify_token and hub.challenge.");
        }

        var given = Encoding.UTF8.GetBytes(token);
        foreach (var verifyToken in verifyTokens)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(verifyToken), given))
            {
                return WebhookResult.Handshake(challenge);
            }
        }

        return WebhookResult.Rejected(403, "hub.verify_token does not match the registered verify token.");
    }

    /// <summary>
    /// Finds the app secret among <paramref name="appSecrets"/> whose <c>X-Hub-Signature-256</c> matches the raw body.
    /// </summary>
    /// <returns>Null with <paramref name="secret"/> set when one matches; otherwise the 401 to answer.</returns>
    public static WebhookRejected? VerifySignature(WebhookRequest request, IEnumerable<string> appSecrets, out string? secret) =>
        VerifySignature(request, (ReadOnlySpan<string>)[.. appSecrets], out secret);

    /// <summary>
    /// Finds the app secret among <paramref name="appSecrets"/> whose <c>X-Hub-Signature-256</c> matches the raw body.
    /// Allocates nothing: adapters that cache their secrets pass them as a span on every webhook.
    /// </summary>
    /// <returns>Null with <paramref name="secret"/> set when one matches; otherwise the 401 to answer.</returns>
    public static WebhookRejected? VerifySignature(WebhookRequest request, ReadOnlySpan<string> appSecrets, out string? secret)
    {
        secret = null;
        var signature = request.GetHeader(SignatureHeader);
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookResult.Rejected(401, $"The request has no {SignatureHeader} header.");
        }

        for (var i = 0; i < appSecrets.Length; i++)
        {
            var candidate = appSecrets[i];

            // Each distinct secret is tried once (several numbers or pages of one app share its secret).
            if (appSecrets[..i].Contains(candidate))
            {
                continue;
            }

            if (WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, candidate, request.Body.Span, signature, SignaturePrefix))
            {
                secret = candidate;
                return null;
            }
        }

        return WebhookResult.Rejected(401, $"The {SignatureHeader} signature does not match the body under any registered app secret.");
    }
}
