using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.Twilio.Diagnostics;
using SocialCare.Channels.Twilio.Sending;
using SocialCare.Channels.Twilio.Webhooks;

namespace SocialCare.Channels.Twilio;

/// <summary>
/// The Twilio Messaging adapter (SMS, MMS; <see cref="ChannelKind.Sms"/>). One instance serves every number
/// registered with <c>care.AddTwilio(…)</c>; the channel account id is the number in E.164 form.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks are form-encoded POSTs signed with <c>X-Twilio-Signature</c>: base64 HMAC-SHA1 with the auth token over
/// the webhook URL (<see cref="TwilioOptions.WebhookUrl"/>, or the request URL as received) followed by the form
/// parameters sorted by name, then value. The URL with and without its port both count, as in Twilio's own
/// validators. A missing or wrong signature is rejected with 401 before anything is parsed. A request with a
/// <c>bodySHA256</c> query parameter (Twilio's JSON-bodied webhooks) is verified the same way over the URL alone plus the
/// body's SHA-256, then reported as unparseable: Messaging webhooks are never JSON.
/// </para>
/// <para>
/// An incoming message (<c>MessageSid</c>, <c>From</c> the customer, <c>To</c> the number, <c>Body</c>,
/// <c>NumMedia</c> with <c>MediaUrl{i}</c>/<c>MediaContentType{i}</c>) becomes an <see cref="InboundMessage"/>; a
/// status callback (<c>MessageStatus</c> sent, delivered, read, undelivered, failed, canceled with <c>ErrorCode</c>)
/// becomes an <see cref="InboundStatus"/>; accepted, scheduled, queued and sending give no event (SocialCare already
/// holds the reply as queued). Twilio webhooks carry no timestamp, so every event's
/// <see cref="InboundEvent.OccurredAt"/> is the time it was received, from the <see cref="TimeProvider"/>. A number
/// that is not registered, or any other shape, is <see cref="WebhookUnparseable"/> with the reason.
/// </para>
/// <para>
/// Sending: <c>POST {ApiBaseUrl}2010-04-01/Accounts/{AccountSid}/Messages.json</c>, form-encoded (<c>To</c>,
/// <c>From</c> or <c>MessagingServiceSid</c>, <c>Body</c>, one <c>MediaUrl</c> per attachment, <c>StatusCallback</c>
/// when <see cref="TwilioOptions.WebhookUrl"/> is set), with HTTP Basic <c>AccountSid:AuthToken</c>. Twilio's error
/// JSON becomes <see cref="SendFailed"/> with its code; HTTP 429, 5xx and code 20429 are retryable. A timeout is not:
/// the Messages API has no idempotency key, so a retry could send the reply twice.
/// </para>
/// </remarks>
public sealed class TwilioChannelAdapter : IChannelAdapter
{
    private const int MaxMedia = 10;

    private static readonly ChannelCapabilities TwilioCapabilities = new()
    {
        MaxTextLength = 1600,
        SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File],
        SupportsPublic = false,
        SupportsPrivate = true,
        CustomerServiceWindow = null,
        SupportsTemplates = false,
    };

    private static readonly ChannelHttpSender Sender = new("Twilio API");

    private readonly IOptionsMonitor<TwilioOptions> _options;
    private readonly TwilioRegistrations _registrations;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ChannelResiliencePipelineFactory _pipelines;
    private readonly ILogger _logger;

    /// <summary>Creates the adapter; resolve it from DI after <c>care.AddTwilio(…)</c>.</summary>
    /// <param name="options">The registered numbers' options, by registration name.</param>
    /// <param name="registrations">The registration names.</param>
    /// <param name="httpClientFactory">Creates the client for sending.</param>
    /// <param name="timeProvider">The clock: receive times of webhooks and <c>Retry-After</c> dates.</param>
    /// <param name="pipelines">Builds the resilience pipeline each number sends through.</param>
    /// <param name="logger">The logger.</param>
    internal TwilioChannelAdapter(
        IOptionsMonitor<TwilioOptions> options,
        IOptions<TwilioRegistrations> registrations,
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
    public ChannelKind Kind => ChannelKind.Sms;

    /// <inheritdoc />
    public ChannelCapabilities Capabilities => TwilioCapabilities;

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
        IReadOnlyList<TwilioOptions> candidates;
        if (request.RegistrationName is { } name)
        {
            if (!_registrations.Names.Contains(name))
            {
                return WebhookResult.Rejected(404, $"No Twilio number is registered under the name '{name}'.");
            }

            candidates = [_options.Get(name)];
        }
        else
        {
            candidates = [.. _registrations.Names.Select(_options.Get)];
        }

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookResult.Rejected(405, $"Twilio Messaging webhooks are POST (set the webhook's HTTP method to POST in the Twilio console); this request is {request.Method}.");
        }

        var signature = request.GetHeader(TwilioSignature.Header);
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookResult.Rejected(401, $"The request has no {TwilioSignature.Header} header.");
        }

        var bodyHash = request.GetQuery(TwilioSignature.BodyHashParameter);
        FormBody? form = null;
        string? notUtf8 = null;
        if (bodyHash is null)
        {
            form = FormBody.Parse(request.Body.Span, out notUtf8);

            // Not UTF-8: the signature is checked over the body read with U+FFFD for each invalid sequence, so a
            // correctly signed one is unparseable, not refused. It is never parsed into events.
            form ??= FormBody.ParseLossy(request.Body.Span);
        }

        string? token = null;
        foreach (var candidate in candidates.DistinctBy(c => (c.AuthToken, c.WebhookUrl?.OriginalString)))
        {
            var url = SignedUrl(candidate, request, bodyHash);
            if (TwilioSignature.Verify(candidate.AuthToken, url, form?.Pairs ?? [], signature))
            {
                token = candidate.AuthToken;
                break;
            }
        }

        if (token is null)
        {
            return WebhookResult.Rejected(401, notUtf8 is null
                ? $"The {TwilioSignature.Header} signature does not match the URL and parameters under any registered auth token and webhook URL."
                : $"The body is not UTF-8 form data ({notUtf8}), and its {TwilioSignature.Header} signature does not match under any registered auth token and webhook URL.");
        }

        if (notUtf8 is not null)
        {
            return WebhookResult.Unparseable($"The body is not UTF-8 form data ({notUtf8}); Twilio sends UTF-8 form-encoded webhooks.");
        }

        if (form is null)
        {
            return TwilioSignature.BodyHashMatches(request.Body.Span, bodyHash!)
                ? WebhookResult.Unparseable("The webhook has a JSON body (bodySHA256); Twilio Messaging webhooks are form-encoded, and the Twilio SMS adapter does not understand this one.")
                : WebhookResult.Rejected(401, "The bodySHA256 query parameter does not match the SHA-256 of the body.");
        }

        var shape = TwilioWebhookParser.Classify(form, out var reason);
        if (shape is null)
        {
            return WebhookResult.Unparseable(reason!);
        }

        var account = candidates.FirstOrDefault(c => string.Equals(c.PhoneNumber, shape.AccountNumber, StringComparison.Ordinal))
            ?? (shape.IsStatus && shape.MessagingServiceSid is { } service
                ? candidates.FirstOrDefault(c => string.Equals(c.MessagingServiceSid, service, StringComparison.Ordinal))
                : null);
        if (account is null)
        {
            return WebhookResult.Unparseable($"{(shape.IsStatus ? "From" : "To")} {shape.AccountNumber} is not a registered Twilio number (register it with care.AddTwilio).");
        }

        if (!string.Equals(account.AuthToken, token, StringComparison.Ordinal))
        {
            return WebhookResult.Rejected(401, $"The webhook for {account.PhoneNumber} is signed with another auth token than the one registered for it.");
        }

        var workspace = new WorkspaceId(account.WorkspaceId);
        var channel = new ChannelAccount(ChannelKind.Sms, account.PhoneNumber);
        var now = _timeProvider.GetUtcNow();
        InboundEvent? mapped = shape.IsStatus
            ? TwilioWebhookParser.MapStatus(form, workspace, channel, now, out reason)
            : TwilioWebhookParser.MapMessage(form, workspace, channel, now, out reason);
        if (reason is not null)
        {
            return WebhookResult.Unparseable(reason);
        }

        IReadOnlyList<InboundEvent> events = mapped is null ? [] : [mapped];
        Log.WebhookParsed(_logger, account.PhoneNumber, events.Count);
        return WebhookResult.Events(events);
    }

    /// <summary>
    /// The URL Twilio signed: the configured webhook URL, or the request URL as received. For a JSON-bodied webhook,
    /// Twilio adds <c>bodySHA256</c> to the configured URL's query, so it is added here too.
    /// </summary>
    private static string SignedUrl(TwilioOptions options, WebhookRequest request, string? bodyHash)
    {
        if (options.WebhookUrl is not { } configured)
        {
            return request.Url.OriginalString;
        }

        var url = configured.OriginalString;
        if (bodyHash is null || url.Contains(TwilioSignature.BodyHashParameter + "=", StringComparison.Ordinal))
        {
            return url;
        }

        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + TwilioSignature.BodyHashParameter + "=" + bodyHash;
    }

    /// <inheritdoc />
    public SendFailed? CheckOutbound(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Prepare(message, out _, out _);
    }

    /// <inheritdoc />
    public async ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Prepare(message, out var name, out var prepared) is { } refused)
        {
            return refused;
        }

        var form = prepared!;

        var number = message.Channel.AccountId;
        var options = _options.Get(name!);

        var baseUrl = options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.ApiBaseUrl : new Uri(options.ApiBaseUrl.AbsoluteUri + "/");
        var url = new Uri(baseUrl, $"2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}/Messages.json");
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.AccountSid + ":" + options.AuthToken));
        var pipeline = _pipelines.GetPipeline("twilio:" + name, options.Resilience);
        var client = _httpClientFactory.CreateClient(TwilioSocialCareBuilderExtensions.HttpClientName);
        var result = await Sender.SendAsync(
            pipeline,
            client,
            number,
            message.Recipient.ExternalId,
            () => new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new FormUrlEncodedContent(form),
                Headers = { Authorization = new AuthenticationHeaderValue("Basic", credentials) },
            },
            (response, bytes) => response.IsSuccessStatusCode ? ReadSent(bytes) : ReadFailure(response, bytes),
            cancellationToken).ConfigureAwait(false);

        if (result is SendFailed failed)
        {
            Log.SendFailed(_logger, number, failed.ErrorCode, failed.IsRetryable);
        }

        return result;
    }

    /// <summary>Everything a send checks before calling Twilio: the number is registered and the message can be built.</summary>
    private SendFailed? Prepare(OutboundMessage message, out string? name, out List<KeyValuePair<string, string>>? form)
    {
        var number = message.Channel.AccountId;
        form = null;
        name = message.Channel.Kind == ChannelKind.Sms
            ? _registrations.Names.FirstOrDefault(n => string.Equals(_options.Get(n).PhoneNumber, number, StringComparison.Ordinal))
            : null;
        if (name is null)
        {
            return SendResult.Failed("not-registered", $"{message.Channel} is not a registered Twilio number.", isRetryable: false);
        }

        form = BuildForm(message, _options.Get(name), out var refusal);
        return form is null ? SendResult.Failed("unsupported", refusal!, isRetryable: false) : null;
    }

    private static List<KeyValuePair<string, string>>? BuildForm(OutboundMessage message, TwilioOptions options, out string? refusal)
    {
        refusal = null;
        if (message.Template is not null)
        {
            refusal = "Twilio SMS has no templates; send the text itself.";
            return null;
        }

        if (message.Visibility != ConversationVisibility.Private)
        {
            refusal = "SMS conversations are private; there is nothing public to reply to.";
            return null;
        }

        if (string.IsNullOrEmpty(message.Text) && message.Attachments.Count == 0)
        {
            refusal = "The message has no text or attachment.";
            return null;
        }

        if (message.Text is { Length: > 1600 } text)
        {
            refusal = $"Twilio message text is limited to {TwilioCapabilities.MaxTextLength} characters; this one has {text.Length}.";
            return null;
        }

        if (message.Attachments.Count > MaxMedia)
        {
            refusal = $"Twilio sends at most {MaxMedia} media per message; this one has {message.Attachments.Count}.";
            return null;
        }

        var form = new List<KeyValuePair<string, string>> { new("To", message.Recipient.ExternalId) };
        form.Add(options.MessagingServiceSid is { } service ? new("MessagingServiceSid", service) : new("From", options.PhoneNumber));
        if (!string.IsNullOrEmpty(message.Text))
        {
            form.Add(new("Body", message.Text));
        }

        foreach (var attachment in message.Attachments)
        {
            if (!TwilioCapabilities.Supports(attachment.Kind))
            {
                refusal = $"Twilio cannot send a {attachment.Kind.ToString().ToLowerInvariant()} attachment.";
                return null;
            }

            if (attachment.Url is not { IsAbsoluteUri: true, Scheme: "https" or "http" } url)
            {
                refusal = $"The {attachment.Kind} attachment needs a public http(s) URL for Twilio to fetch; it has '{attachment.Url}'.";
                return null;
            }

            form.Add(new("MediaUrl", url.AbsoluteUri));
        }

        if (options.WebhookUrl is { } webhook)
        {
            form.Add(new("StatusCallback", webhook.OriginalString));
        }

        return form;
    }

    private static SendResult ReadSent(byte[] bytes)
    {
        try
        {
            if (JsonSerializer.Deserialize(bytes, TwilioJsonContext.Default.MessageResource)?.Sid is { Length: > 0 } sid)
            {
                return SendResult.Sent(sid);
            }
        }
        catch (JsonException)
        {
            // Falls through: accepted without a readable sid.
        }

        return SendResult.Failed("no-message-sid", "The Twilio API accepted the request but returned no message sid; not retried, as it may have been sent.", isRetryable: false);
    }

    private SendFailed ReadFailure(HttpResponseMessage response, byte[] bytes)
    {
        var error = TwilioErrors.Read(bytes);
        var status = (int)response.StatusCode;
        var code = error?.Code?.ToString(CultureInfo.InvariantCulture) ?? status.ToString(CultureInfo.InvariantCulture);
        var retryable = status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || TwilioErrors.ThrottlingCodes.Contains(code);
        var reason = error?.Message is { Length: > 0 } message
            ? (error.MoreInfo is { Length: > 0 } more ? $"{message} ({more})" : message)
            : $"The Twilio API answered {status} {response.ReasonPhrase}.";
        return SendResult.Failed(code, reason, retryable, response.GetRetryAfter(_timeProvider));
    }
}
