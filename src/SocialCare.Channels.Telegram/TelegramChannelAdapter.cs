using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.Telegram.Diagnostics;
using SocialCare.Channels.Telegram.Webhooks;

namespace SocialCare.Channels.Telegram;

/// <summary>
/// The Telegram Bot API adapter. One instance serves every bot registered with <c>care.AddTelegram(…)</c>; the
/// channel account id is the bot's numeric id.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks: a POST whose body is one <c>Update</c>. It must carry <c>X-Telegram-Bot-Api-Secret-Token</c> equal (in
/// constant time) to a registered bot's <see cref="TelegramOptions.SecretToken"/>, or it is rejected with 401 before
/// anything is parsed. Telegram's updates do not name the bot, so the secret token (or the registration name or account
/// the host routed the request to) says which bot it is for.
/// </para>
/// <para>
/// Platform message ids are <c>"{chat_id}:{message_id}"</c>, because Telegram numbers messages per chat; a button press
/// is <c>"callback:{callback_query.id}"</c>. Private chats are private conversations; messages in groups and
/// supergroups are seen by every member, so they are public conversations with the user (<c>from.id</c>) as the
/// customer, and a public reply goes to the group of the message it answers.
/// </para>
/// <para>
/// A button press is answered through the webhook's HTTP response: its <see cref="WebhookEvents"/> carries
/// <see cref="WebhookEvents.Response"/> <c>{"method":"answerCallbackQuery","callback_query_id":…}</c>, which the host
/// sends once the press is stored (a press it cannot read, such as a game button, carries the same answer on its
/// <see cref="WebhookUnparseable"/> and is answered once dead-lettered), so the client stops its loading indicator (unless
/// <see cref="TelegramOptions.AnswerCallbackQueries"/> is off).
/// </para>
/// <para>
/// Sending: one message per call through <c>POST {ApiBaseUrl}bot{token}/{method}</c> with a JSON body:
/// <c>sendMessage</c> for text, <c>sendPhoto</c>, <c>sendVideo</c>, <c>sendAudio</c>, <c>sendDocument</c> (with the
/// text as caption), <c>sendSticker</c> and <c>sendLocation</c> for one attachment. The reply target becomes
/// <c>reply_parameters</c>. A Bot API error (<c>{"ok":false,"error_code":…,"description":…}</c>) becomes
/// <see cref="SendFailed"/> with the error code and description; 429 (honouring <c>parameters.retry_after</c>) and 5xx
/// are retryable. A timeout is not: the Bot API has no idempotency key, so a retry could send the reply twice.
/// </para>
/// </remarks>
public sealed class TelegramChannelAdapter : IChannelAdapter
{
    private const string SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token";
    private const int MaxCaptionLength = 1024;

    private static readonly ChannelCapabilities TelegramCapabilities = new()
    {
        MaxTextLength = 4096,
        SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File, AttachmentKind.Sticker, AttachmentKind.Location],
        SupportsPublic = true,
        SupportsPrivate = true,
        CustomerServiceWindow = null,
        SupportsTemplates = false,
    };

    private static readonly ChannelHttpSender Sender = new("Telegram Bot API") { OnAttemptResponse = ExposeRetryAfterAsync };

    private readonly IOptionsMonitor<TelegramOptions> _options;
    private readonly TelegramRegistrations _registrations;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ChannelResiliencePipelineFactory _pipelines;
    private readonly ILogger _logger;

    /// <summary>Creates the adapter; resolve it from DI after <c>care.AddTelegram(…)</c>.</summary>
    /// <param name="options">The registered bots' options, by registration name.</param>
    /// <param name="registrations">The registration names.</param>
    /// <param name="httpClientFactory">Creates the client for sending.</param>
    /// <param name="timeProvider">The clock, for button presses (which carry no date) and <c>Retry-After</c> dates.</param>
    /// <param name="pipelines">Builds the resilience pipeline each bot sends through.</param>
    /// <param name="logger">The logger.</param>
    internal TelegramChannelAdapter(
        IOptionsMonitor<TelegramOptions> options,
        IOptions<TelegramRegistrations> registrations,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ChannelResiliencePipelineFactory pipelines,
        ILogger logger)
    {
        _options = options;
        _registrations = registrations.Value;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _pipelines = pipelines;
        _logger = logger;
    }

    /// <inheritdoc />
    public ChannelKind Kind => ChannelKind.Telegram;

    /// <inheritdoc />
    public ChannelCapabilities Capabilities => TelegramCapabilities;

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
        IReadOnlyList<TelegramOptions> candidates;
        if (request.RegistrationName is { } name)
        {
            if (!_registrations.Names.Contains(name))
            {
                return WebhookResult.Rejected(404, $"No Telegram bot is registered under the name '{name}'.");
            }

            candidates = [_options.Get(name)];
        }
        else if (request.Account is { } account)
        {
            candidates = account.Kind == ChannelKind.Telegram
                ? [.. Registered().Where(o => string.Equals(o.EffectiveBotId, account.AccountId, StringComparison.Ordinal))]
                : [];
            if (candidates.Count == 0)
            {
                return WebhookResult.Rejected(404, $"{account} is not a registered Telegram bot.");
            }
        }
        else
        {
            candidates = [.. Registered()];
        }

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookResult.Rejected(405, $"Telegram webhooks are POST; this request is {request.Method}.");
        }

        var secret = request.GetHeader(SecretTokenHeader);
        if (string.IsNullOrEmpty(secret))
        {
            return WebhookResult.Rejected(401, $"The request has no {SecretTokenHeader} header.");
        }

        var given = Encoding.UTF8.GetBytes(secret);
        var matches = new List<TelegramOptions>(1);
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate.SecretToken), given))
            {
                matches.Add(candidate);
            }
        }

        if (matches.Count == 0)
        {
            return WebhookResult.Rejected(401, $"The {SecretTokenHeader} header does not match the secret token of any registered Telegram bot.");
        }

        var bots = matches.Select(m => m.EffectiveBotId).Distinct(StringComparer.Ordinal).ToArray();
        if (bots.Length > 1)
        {
            return WebhookResult.Unparseable(
                $"The secret token is shared by Telegram bots {string.Join(", ", bots)}, so the update cannot be attributed to one; give each bot its own SecretToken or route the webhook by registration name.");
        }

        var bot = matches[0];
        var result = TelegramUpdateParser.Parse(
            request.Body.Span,
            new WorkspaceId(bot.WorkspaceId),
            new ChannelAccount(ChannelKind.Telegram, bot.EffectiveBotId),
            _timeProvider.GetUtcNow(),
            bot.AnswerCallbackQueries);
        if (result is WebhookEvents events && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.WebhookParsed(_logger, bot.EffectiveBotId, events.InboundEvents.Count);
        }

        return result;
    }

    private IEnumerable<TelegramOptions> Registered() => _registrations.Names.Select(_options.Get);

    /// <summary>Everything a send checks before calling the Bot API: the bot is registered and the message can be built.</summary>
    private SendFailed? Prepare(OutboundMessage message, out string? name, out SendRequest? body, out string? method)
    {
        var botId = message.Channel.AccountId;
        body = null;
        method = null;
        name = message.Channel.Kind == ChannelKind.Telegram
            ? _registrations.Names.FirstOrDefault(n => string.Equals(_options.Get(n).EffectiveBotId, botId, StringComparison.Ordinal))
            : null;
        if (name is null)
        {
            return SendResult.Failed("not-registered", $"{message.Channel} is not a registered Telegram bot.", isRetryable: false);
        }

        body = BuildRequest(message, out method, out var refusal);
        return body is null ? SendResult.Failed("unsupported", refusal!, isRetryable: false) : null;
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
        if (Prepare(message, out var name, out var prepared, out var method) is { } refused)
        {
            return refused;
        }

        var body = prepared!;

        var botId = message.Channel.AccountId;
        var options = _options.Get(name!);

        // Built as text: the token holds a ':' that a relative Uri would read as a scheme. Never logged.
        var baseUrl = options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.ApiBaseUrl.AbsoluteUri : options.ApiBaseUrl.AbsoluteUri + "/";
        var url = new Uri(baseUrl + "bot" + options.BotToken + "/" + method);
        var pipeline = _pipelines.GetPipeline("telegram:" + name, options.Resilience);
        var client = _httpClientFactory.CreateClient(TelegramSocialCareBuilderExtensions.HttpClientName);
        var result = await Sender.SendAsync(
            pipeline,
            client,
            botId,
            body.ChatId.ToString(CultureInfo.InvariantCulture), // paced per chat, as Telegram counts: a group for a public reply
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, TelegramJsonContext.Default.SendRequest) },
            (response, bytes) => ReadResult(response, bytes, body.ChatId),
            cancellationToken).ConfigureAwait(false);

        if (result is SendFailed failed)
        {
            Log.SendFailed(_logger, botId, failed.ErrorCode, failed.IsRetryable);
        }

        return result;
    }

    /// <summary>
    /// Telegram says how long to wait in the body (<c>parameters.retry_after</c>), not always in a header; copying it to
    /// <c>Retry-After</c> lets the shared pipeline honour it.
    /// </summary>
    private static async Task ExposeRetryAfterAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not null)
        {
            return;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (ReadApiResponse(bytes)?.Parameters?.RetryAfter is { } seconds and >= 0)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }
    }

    private static SendRequest? BuildRequest(OutboundMessage message, out string method, out string? refusal)
    {
        method = string.Empty;
        refusal = null;
        if (message.Template is not null)
        {
            refusal = "Telegram has no message templates; send free text.";
            return null;
        }

        var request = new SendRequest();
        if (TelegramUpdateParser.TryReadMessageId(message.ReplyToPlatformMessageId, out var replyChat, out var replyMessage))
        {
            // The reply goes to the chat of the message it answers: the group for a public reply.
            request.ChatId = replyChat;
            request.ReplyParameters = new SendReplyParameters { MessageId = replyMessage, AllowSendingWithoutReply = true };
        }
        else if (message.Visibility == ConversationVisibility.Public)
        {
            refusal = "A public Telegram reply goes to a group, so it needs ReplyToPlatformMessageId '<chat_id>:<message_id>' naming the group message it answers.";
            return null;
        }
        else if (long.TryParse(message.Recipient.ExternalId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId))
        {
            // A user's private chat has the user's id.
            request.ChatId = chatId;
        }
        else
        {
            refusal = $"Telegram recipient '{message.Recipient.ExternalId}' is not a numeric user id.";
            return null;
        }

        var text = string.IsNullOrEmpty(message.Text) ? null : message.Text;
        if (message.Attachments.Count > 1)
        {
            refusal = $"Telegram sends one attachment per message; this one has {message.Attachments.Count}.";
            return null;
        }

        if (message.Attachments.Count == 0)
        {
            if (text is null)
            {
                refusal = "The message has no text or attachment.";
                return null;
            }

            if (text.Length > TelegramCapabilities.MaxTextLength)
            {
                refusal = $"Telegram text is limited to {TelegramCapabilities.MaxTextLength} characters; this one has {text.Length}.";
                return null;
            }

            method = "sendMessage";
            request.Text = text;
            return request;
        }

        var attachment = message.Attachments[0];
        if (attachment.Kind is AttachmentKind.Location or AttachmentKind.Sticker && text is not null)
        {
            refusal = $"Telegram cannot caption a {attachment.Kind.ToString().ToLowerInvariant()}; send the text separately.";
            return null;
        }

        if (text is { Length: > MaxCaptionLength })
        {
            refusal = $"A Telegram caption is limited to {MaxCaptionLength} characters; this one has {text.Length}. Send the text separately.";
            return null;
        }

        if (attachment.Kind == AttachmentKind.Location)
        {
            if (attachment.Location is not { } place)
            {
                refusal = "A location attachment has no location.";
                return null;
            }

            method = "sendLocation";
            request.Latitude = place.Latitude;
            request.Longitude = place.Longitude;
            return request;
        }

        if (attachment.Url is not { } url)
        {
            refusal = $"The {attachment.Kind} attachment has no URL.";
            return null;
        }

        // A Telegram file is sent again by its file_id; anything else by URL, which Telegram downloads.
        var prefix = TelegramUpdateParser.FileScheme + ":";
        var file = url.Scheme == TelegramUpdateParser.FileScheme ? url.OriginalString[prefix.Length..] : url.AbsoluteUri;
        request.Caption = text;
        switch (attachment.Kind)
        {
            case AttachmentKind.Image: method = "sendPhoto"; request.Photo = file; break;
            case AttachmentKind.Video: method = "sendVideo"; request.Video = file; break;
            case AttachmentKind.Audio: method = "sendAudio"; request.Audio = file; break;
            case AttachmentKind.Sticker: method = "sendSticker"; request.Sticker = file; break;
            default: method = "sendDocument"; request.Document = file; break;
        }

        return request;
    }

    private SendResult ReadResult(HttpResponseMessage response, byte[] bytes, long chatId)
    {
        var answer = ReadApiResponse(bytes);
        if (response.IsSuccessStatusCode && answer is { Ok: true })
        {
            return answer.Result is { MessageId: { } messageId } sent
                ? SendResult.Sent(TelegramUpdateParser.MessageId(sent.Chat?.Id ?? chatId, messageId))
                : SendResult.Failed("no-message-id", "The Telegram Bot API accepted the request but returned no message id; not retried, as it may have been sent.", isRetryable: false);
        }

        var status = (int)response.StatusCode;
        var code = answer?.ErrorCode is { } errorCode ? errorCode.ToString(CultureInfo.InvariantCulture) : status.ToString(CultureInfo.InvariantCulture);
        var retryable = status >= 500 || answer?.ErrorCode >= 500 || status == 429 || answer?.ErrorCode == 429;
        var reason = answer?.Description ?? $"The Telegram Bot API answered {status} {response.ReasonPhrase}.";
        if (answer?.Parameters?.MigrateToChatId is { } migratedTo)
        {
            reason += $" The group is now supergroup {migratedTo.ToString(CultureInfo.InvariantCulture)}.";
        }

        TimeSpan? retryAfter = answer?.Parameters?.RetryAfter is { } seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : response.GetRetryAfter(_timeProvider);
        return SendResult.Failed(code, reason, retryable, retryAfter);
    }

    private static BotApiResponse? ReadApiResponse(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, TelegramJsonContext.Default.BotApiResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
