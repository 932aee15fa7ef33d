using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.X.Diagnostics;
using SocialCare.Channels.X.Sending;
using SocialCare.Channels.X.Webhooks;

namespace SocialCare.Channels.X;

/// <summary>
/// The X (Twitter) Account Activity API adapter. One instance serves every brand account registered with
/// <c>care.AddX(…)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks: a GET with <c>crc_token</c> (the challenge-response check) is answered with
/// <c>{"response_token":"sha256=…"}</c>, the base64 HMAC-SHA256 of the token under the consumer secret. A POST must carry
/// <c>x-twitter-webhooks-signature</c> (<c>sha256=</c> and the base64 HMAC-SHA256 of the raw body under a registered
/// consumer secret), or it is rejected with 401 before anything is parsed.
/// </para>
/// <para>
/// Direct messages become private <see cref="InboundMessage"/>s (a message the brand account sent is an echo, its
/// customer the recipient); read receipts become <see cref="InboundStatus"/> Read with the read time as watermark;
/// Posts that mention or answer the account become public <see cref="InboundMessage"/>s with their reply-to; deleted
/// Posts become <see cref="InboundDeletion"/>s; a customer's app revocation becomes an <see cref="InboundConsent"/>
/// Revoked. A payload for a <c>for_user_id</c> that is not registered, any top-level key, event type or media type the
/// adapter does not understand, and a brand account revoking the app itself are <see cref="WebhookUnparseable"/> with
/// the reason, so they reach the host's dead letters; nothing is dropped silently.
/// </para>
/// <para>
/// Sending (OAuth 1.0a user context, HMAC-SHA1): a private message is a direct message,
/// <c>POST {ApiBaseUrl}2/dm_conversations/with/{user id}/messages</c>, up to 10,000 characters; a public one is a reply
/// Post, <c>POST {ApiBaseUrl}2/tweets</c> with <c>reply.in_reply_to_tweet_id</c>, up to 280 weighted characters.
/// <see cref="ChannelCapabilities.MaxTextLength"/> declares the direct-message limit; the Post limit is enforced at send
/// with a clear failure. Attachments and templates are not supported. HTTP 429 (with <c>x-rate-limit-reset</c> or
/// <c>Retry-After</c>) and 5xx are retryable; a timeout is not, as X has no idempotency key for either endpoint.
/// </para>
/// </remarks>
public sealed class XChannelAdapter : IChannelAdapter
{
    private const string SignatureHeader = "x-twitter-webhooks-signature";
    private const string SignaturePrefix = "sha256=";
    private const int MaxDirectMessageLength = 10_000;

    private static readonly ChannelCapabilities XCapabilities = new()
    {
        MaxTextLength = MaxDirectMessageLength,
        SupportedAttachments = [],
        SupportsPublic = true,
        SupportsPrivate = true,
        CustomerServiceWindow = null,
        SupportsTemplates = false,
    };

    private static readonly ChannelHttpSender Sender = new("X API");

    private readonly IOptionsMonitor<XOptions> _options;
    private readonly XRegistrations _registrations;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ChannelResiliencePipelineFactory _pipelines;
    private readonly OAuthNonceSource _nonces;
    private readonly ILogger _logger;

    /// <summary>Creates the adapter; resolve it from DI after <c>care.AddX(…)</c>.</summary>
    internal XChannelAdapter(
        IOptionsMonitor<XOptions> options,
        IOptions<XRegistrations> registrations,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ChannelResiliencePipelineFactory pipelines,
        OAuthNonceSource nonces,
        ILogger logger)
    {
        _options = options;
        _registrations = registrations.Value;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _pipelines = pipelines;
        _nonces = nonces;
        _logger = logger;
    }

    /// <inheritdoc />
    public ChannelKind Kind => ChannelKind.X;

    /// <inheritdoc />
    public ChannelCapabilities Capabilities => XCapabilities;

    /// <inheritdoc />
    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var result = Handle(request);
        switch (result)
        {
            case WebhookRejected rejected:
                Log.WebhookRejected(_logger, rejected.StatusCode, rejected.Reason);
                break;
            case WebhookUnparseable unparseable:
                Log.WebhookUnparseable(_logger, unparseable.Reason);
                break;
        }

        return ValueTask.FromResult(result);
    }

    private WebhookResult Handle(WebhookRequest request)
    {
        var registrations = _registrations.Names.Select(n => (Name: n, Options: _options.Get(n))).ToList();
        var candidates = registrations;
        if (request.RegistrationName is { } name)
        {
            if (!_registrations.Names.Contains(name))
            {
                return WebhookResult.Rejected(404, $"No X account is registered under the name '{name}'.");
            }

            candidates = [.. registrations.Where(r => r.Name == name)];
        }

        if (request.Account is { Kind: var kind, AccountId: var accountId } && kind == ChannelKind.X)
        {
            candidates = [.. candidates.Where(r => r.Options.UserId == accountId)];
        }

        if (candidates.Count == 0)
        {
            return WebhookResult.Rejected(404, "No registered X account matches the request's registration or account.");
        }

        if (string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Crc(request, candidates);
        }

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookResult.Rejected(405, $"X webhooks are GET (CRC check) or POST; this request is {request.Method}.");
        }

        var signature = request.GetHeader(SignatureHeader);
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookResult.Rejected(401, $"The request has no {SignatureHeader} header.");
        }

        var secret = candidates.Select(c => c.Options.ConsumerSecret).Distinct(StringComparer.Ordinal)
            .FirstOrDefault(s => Verify(s, request.Body.Span, signature));
        if (secret is null)
        {
            return WebhookResult.Rejected(401, $"The {SignatureHeader} signature does not match the body under any registered consumer secret.");
        }

        var payload = XWebhookParser.Read(request.Body.Span, out var reason);
        if (payload is null)
        {
            return WebhookResult.Unparseable(reason!);
        }

        if (XWebhookParser.RevokingUser(payload) is { } revoker && registrations.FirstOrDefault(r => r.Options.UserId == revoker) is { Name: not null } brand)
        {
            Log.AccountRevoked(_logger, revoker, brand.Name);
            return WebhookResult.Unparseable(
                $"user_event.revoke: the brand account {revoker} (registration '{brand.Name}') revoked the X app's access; X deleted its " +
                "webhook subscription, so nothing more arrives for it and sends fail until it authorizes the app again.");
        }

        (string Name, XOptions Options) account;
        if (payload.ForUserId is { } forUserId)
        {
            account = candidates.FirstOrDefault(c => c.Options.UserId == forUserId);
            if (account.Options is null)
            {
                return WebhookResult.Unparseable($"for_user_id {forUserId} is not a registered X account (register it with care.AddX).");
            }

            if (!string.Equals(account.Options.ConsumerSecret, secret, StringComparison.Ordinal))
            {
                return WebhookResult.Rejected(401, $"The payload for for_user_id {forUserId} is signed with another app's secret than the one registered for it.");
            }
        }
        else
        {
            // Only user_event payloads come without for_user_id: the account is the one the request is addressed to.
            var signedBy = candidates.Where(c => string.Equals(c.Options.ConsumerSecret, secret, StringComparison.Ordinal)).ToList();
            if (signedBy.Count != 1)
            {
                return WebhookResult.Unparseable(
                    $"The payload has no for_user_id and {signedBy.Count} registered X accounts share its app; address the webhook to one registration (its name or account).");
            }

            account = signedBy[0];
        }

        var result = XWebhookParser.Map(payload, new XAccount(new WorkspaceId(account.Options.WorkspaceId), account.Options.UserId));
        if (result is WebhookEvents events && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.WebhookParsed(_logger, account.Options.UserId, events.InboundEvents.Count);
        }

        return result;
    }

    private static bool Verify(string secret, ReadOnlySpan<byte> body, string signature) =>
        signature.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase)
        && WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, secret, body, signature[SignaturePrefix.Length..]);

    private static WebhookResult Crc(WebhookRequest request, List<(string Name, XOptions Options)> candidates)
    {
        var token = request.GetQuery("crc_token");
        if (string.IsNullOrEmpty(token))
        {
            return WebhookResult.Rejected(400, "An X webhook GET is a CRC check and needs crc_token.");
        }

        var secrets = candidates.Select(c => c.Options.ConsumerSecret).Distinct(StringComparer.Ordinal).ToList();
        if (secrets.Count != 1)
        {
            return WebhookResult.Rejected(400, $"{secrets.Count} X apps (consumer secrets) are registered; address the CRC check to one registration so the right secret answers it.");
        }

        var responseToken = CrcResponseToken(secrets[0], token);
        return WebhookResult.Handshake("{\"response_token\":\"" + responseToken + "\"}", "application/json");
    }

    /// <summary><c>sha256=</c> and the base64 HMAC-SHA256 of the CRC token under the consumer secret.</summary>
    internal static string CrcResponseToken(string consumerSecret, string crcToken) =>
        SignaturePrefix + WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(consumerSecret), Encoding.UTF8.GetBytes(crcToken));

    /// <summary>Everything a send checks before calling X: the account is registered and the message can be built (its length as X counts it).</summary>
    private SendFailed? Prepare(OutboundMessage message, out string? name, out Uri? url, out Func<HttpContent>? content)
    {
        var userId = message.Channel.AccountId;
        url = null;
        content = null;
        name = message.Channel.Kind == ChannelKind.X
            ? _registrations.Names.FirstOrDefault(n => string.Equals(_options.Get(n).UserId, userId, StringComparison.Ordinal))
            : null;
        if (name is null)
        {
            return SendResult.Failed("not-registered", $"{message.Channel} is not a registered X account.", isRetryable: false);
        }

        var options = _options.Get(name);
        var baseUrl = options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.ApiBaseUrl : new Uri(options.ApiBaseUrl.AbsoluteUri + "/");
        return TryBuild(message, baseUrl, out url, out content, out var refusal) ? null : SendResult.Failed(refusal.Code, refusal.Reason, isRetryable: false);
    }

    /// <inheritdoc />
    public SendFailed? CheckOutbound(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Prepare(message, out _, out _, out _);
    }

    /// <inheritdoc />
    public async ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Prepare(message, out var name, out var preparedUrl, out var preparedContent) is { } refused)
        {
            return refused;
        }

        var (url, content) = (preparedUrl!, preparedContent!);
        var userId = message.Channel.AccountId;
        var options = _options.Get(name!);

        var credentials = new OAuth1Credentials(options.ConsumerKey, options.ConsumerSecret, options.AccessToken, options.AccessTokenSecret);
        var pipeline = _pipelines.GetPipeline("x:" + name, options.Resilience);
        var client = _httpClientFactory.CreateClient(XSocialCareBuilderExtensions.HttpClientName);
        var result = await Sender.SendAsync(
            pipeline,
            client,
            userId,
            message.Recipient.ExternalId,
            () =>
            {
                // Each attempt needs its own nonce.
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content() };
                request.Headers.TryAddWithoutValidation("Authorization", OAuth1Signer.AuthorizationHeader(
                    "POST", url, [], credentials, _nonces.Next(), _timeProvider.GetUtcNow().ToUnixTimeSeconds()));
                return request;
            },
            (response, bytes) => response.IsSuccessStatusCode ? ReadSent(bytes, message.Visibility) : ReadFailure(response, bytes),
            cancellationToken).ConfigureAwait(false);

        if (result is SendFailed failed)
        {
            Log.SendFailed(_logger, userId, failed.ErrorCode, failed.IsRetryable);
        }

        return result;
    }

    private static bool TryBuild(OutboundMessage message, Uri baseUrl, out Uri url, out Func<HttpContent> content, out (string Code, string Reason) refusal)
    {
        url = baseUrl;
        content = static () => new ByteArrayContent([]);
        refusal = default;

        if (message.Template is not null)
        {
            refusal = ("unsupported", "X has no message templates; send text.");
            return false;
        }

        if (message.Attachments.Count > 0)
        {
            refusal = ("unsupported", "The X adapter does not send attachments yet (X needs a separate media upload); send text.");
            return false;
        }

        var text = message.Text;
        if (string.IsNullOrEmpty(text))
        {
            refusal = ("unsupported", "The message has no text.");
            return false;
        }

        if (message.Visibility == ConversationVisibility.Public)
        {
            var length = PostLength.Weighted(text);
            if (length > PostLength.Max)
            {
                refusal = ("too-long", $"A public reply on X is a Post, limited to {PostLength.Max} characters as X counts them (URLs 23, CJK and emoji 2); this one has {length}. Shorten it or answer by direct message.");
                return false;
            }

            if (string.IsNullOrEmpty(message.ReplyToPlatformMessageId))
            {
                refusal = ("no-reply-to", "A public reply on X must answer a Post: ReplyToPlatformMessageId is empty, and a standalone Post would reach no one in particular.");
                return false;
            }

            var post = new TweetRequest { Text = text, Reply = new TweetReply { InReplyToTweetId = message.ReplyToPlatformMessageId } };
            url = new Uri(baseUrl, "2/tweets");
            content = () => JsonContent.Create(post, XJsonContext.Default.TweetRequest);
            return true;
        }

        if (text.Length > MaxDirectMessageLength)
        {
            refusal = ("too-long", $"X direct messages are limited to {MaxDirectMessageLength} characters; this one has {text.Length}.");
            return false;
        }

        var participant = message.Recipient.ExternalId;
        if (string.IsNullOrEmpty(participant) || !participant.All(char.IsAsciiDigit))
        {
            refusal = ("bad-recipient", $"An X direct message goes to a numeric user id; the recipient is '{participant}'.");
            return false;
        }

        var dm = new DirectMessageRequest { Text = text };
        url = new Uri(baseUrl, $"2/dm_conversations/with/{participant}/messages");
        content = () => JsonContent.Create(dm, XJsonContext.Default.DirectMessageRequest);
        return true;
    }

    private static SendResult ReadSent(byte[] bytes, ConversationVisibility visibility)
    {
        try
        {
            var data = JsonSerializer.Deserialize(bytes, XJsonContext.Default.SendResponse)?.Data;
            var id = visibility == ConversationVisibility.Public ? data?.Id : data?.DmEventId;
            if (!string.IsNullOrEmpty(id))
            {
                return SendResult.Sent(id);
            }
        }
        catch (JsonException)
        {
            // Falls through: accepted without a readable id.
        }

        return SendResult.Failed("no-message-id", "The X API accepted the request but returned no id; not retried, as it may have been sent.", isRetryable: false);
    }

    private SendFailed ReadFailure(HttpResponseMessage response, byte[] bytes)
    {
        XErrorResponse? error = null;
        try
        {
            error = JsonSerializer.Deserialize(bytes, XJsonContext.Default.XErrorResponse);
        }
        catch (JsonException)
        {
            // Not X error JSON; the HTTP status is all there is.
        }

        var status = (int)response.StatusCode;
        var first = error?.Errors is { Count: > 0 } errors ? errors[0] : null;
        var code = first?.Code?.ToString(CultureInfo.InvariantCulture) ?? status.ToString(CultureInfo.InvariantCulture);
        var reason = FirstText(error?.Detail, first?.Message, first?.Detail, error?.Title, first?.Title) ?? $"The X API answered {status} {response.ReasonPhrase}.";
        var retryable = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        return SendResult.Failed(code, reason, retryable, RetryAfter(response));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        return response.GetRetryAfter(_timeProvider) ?? RateLimitResetHandler.WaitUntilReset(response, _timeProvider);
    }

    private static string? FirstText(params ReadOnlySpan<string?> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
