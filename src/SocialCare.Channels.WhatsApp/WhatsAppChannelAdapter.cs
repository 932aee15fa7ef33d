using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.MetaGraph;
using SocialCare.Channels.WhatsApp.Diagnostics;
using SocialCare.Channels.WhatsApp.Webhooks;

namespace SocialCare.Channels.WhatsApp;

/// <summary>
/// The WhatsApp Cloud API adapter. One instance serves every number registered with <c>care.AddWhatsApp(…)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks: a GET with <c>hub.mode=subscribe</c> and the right <c>hub.verify_token</c> is answered with the echoed
/// <c>hub.challenge</c>; a wrong token is rejected with 403. A POST must carry <c>X-Hub-Signature-256</c> made with a
/// registered app secret over the raw body, or it is rejected with 401 before anything is parsed.
/// </para>
/// <para>
/// A genuine payload addressed to a <c>phone_number_id</c> that is not registered is <see cref="WebhookUnparseable"/>
/// (not a refusal): Meta did send it, so the host keeps it as a dead letter naming the number, and a misconfiguration
/// shows up in the dead letters instead of Meta retrying and eventually disabling the webhook. Likewise any message
/// type, status or change field the adapter does not understand makes the whole payload unparseable, with the reason;
/// nothing in it is dropped silently.
/// </para>
/// <para>
/// Sending: one message per call (text, one attachment with an optional caption, or a template) through
/// <c>POST {GraphApiBaseUrl}/{phone-number-id}/messages</c>; the stored message id travels as
/// <c>biz_opaque_callback_data</c>. Graph errors become <see cref="SendFailed"/> with the Graph error code; throttling
/// codes (4, 17, 32, 613, 130429, 131056), HTTP 429 and 5xx are retryable, and are first retried within the number's
/// resilience pipeline (<see cref="WhatsAppOptions.Resilience"/>); an open circuit or an exhausted rate limit is a
/// retryable failure with its wait. A timeout is not retryable: the Cloud API has no idempotency key, so the outcome
/// is unknown and a retry could send the reply twice.
/// </para>
/// </remarks>
public sealed class WhatsAppChannelAdapter : IChannelAdapter
{
    /// <summary>The Graph throttling codes plus WhatsApp's throughput (130429) and spam rate limit (131056).</summary>
    internal static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(GraphErrors.ThrottlingCodes, StringComparer.Ordinal) { "130429", "131056" };

    /// <summary>The error code of a free-form send refused because the customer service window is closed.</summary>
    public const string ServiceWindowClosedCode = "service-window-closed";

    private static readonly ChannelCapabilities WhatsAppCapabilities = new()
    {
        MaxTextLength = 4096,
        SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File, AttachmentKind.Sticker, AttachmentKind.Location],
        SupportsPublic = false,
        SupportsPrivate = true,
        CustomerServiceWindow = TimeSpan.FromHours(24),
        SupportsTemplates = true,
    };

    /// <summary>A timeout is not retryable: the Cloud API has no idempotency key.</summary>
    private static readonly ChannelHttpSender Sender = new("Graph API");

    private readonly IOptionsMonitor<WhatsAppOptions> _options;
    private readonly WhatsAppRegistrations _registrations;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ChannelResiliencePipelineFactory _pipelines;
    private readonly ILogger _logger;
    private readonly IDisposable? _optionsChanged;
    private int _optionsVersion;
    private RegisteredNumbers? _numbers;

    /// <summary>Creates the adapter; resolve it from DI after <c>care.AddWhatsApp(…)</c>.</summary>
    /// <param name="options">The registered numbers' options, by registration name.</param>
    /// <param name="registrations">The registration names.</param>
    /// <param name="httpClientFactory">Creates the client for sending.</param>
    /// <param name="timeProvider">The clock, for <c>Retry-After</c> dates.</param>
    /// <param name="pipelines">Builds the resilience pipeline each number sends through.</param>
    /// <param name="logger">The logger.</param>
    internal WhatsAppChannelAdapter(
        IOptionsMonitor<WhatsAppOptions> options,
        IOptions<WhatsAppRegistrations> registrations,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ChannelResiliencePipelineFactory pipelines,
        ILogger logger)
    {
        _pipelines = pipelines;
        _options = options;
        _registrations = registrations.Value;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _logger = logger;

        // The monitor has already replaced its cached options when it calls back, so the next webhook rebuilds from them.
        _optionsChanged = options.OnChange((_, _) => Interlocked.Increment(ref _optionsVersion));
    }

    /// <inheritdoc />
    public ChannelKind Kind => ChannelKind.WhatsApp;

    /// <inheritdoc />
    public ChannelCapabilities Capabilities => WhatsAppCapabilities;

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
        var numbers = Numbers();
        Candidates candidates;
        if (request.RegistrationName is { } name)
        {
            if (!numbers.ByName.TryGetValue(name, out candidates!))
            {
                return WebhookResult.Rejected(404, $"No WhatsApp number is registered under the name '{name}'.");
            }
        }
        else
        {
            candidates = numbers.All;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return MetaWebhook.Handshake(request, "WhatsApp", candidates.VerifyTokens);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return WebhookResult.Rejected(405, $"WhatsApp webhooks are GET (handshake) or POST; this request is {request.Method}.");
        }

        if (MetaWebhook.VerifySignature(request, candidates.AppSecrets.AsSpan(), out var secret) is { } rejected)
        {
            return rejected;
        }

        var payload = WhatsAppWebhookParser.Read(request.Body.Span, out var reason);
        if (payload is null)
        {
            return WebhookResult.Unparseable(reason!);
        }

        // Read has checked that every entry has changes and every change a phone_number_id.
        var accounts = default(WhatsAppAccounts);
        foreach (var entry in payload.Entry!)
        {
            foreach (var change in entry.Changes!)
            {
                var phoneNumberId = change.Value!.Metadata!.PhoneNumberId!;
                if (accounts.Contains(phoneNumberId))
                {
                    continue;
                }

                var number = candidates.Find(phoneNumberId);
                if (number is null)
                {
                    return WebhookResult.Unparseable($"phone_number_id {phoneNumberId} is not a registered WhatsApp number (register it with care.AddWhatsApp).");
                }

                if (!string.Equals(number.AppSecret, secret, StringComparison.Ordinal))
                {
                    return WebhookResult.Rejected(401, $"The payload for phone_number_id {phoneNumberId} is signed with another app's secret than the one registered for it.");
                }

                accounts.Add(phoneNumberId, number.Workspace);
            }
        }

        var result = WhatsAppWebhookParser.Map(payload, in accounts);
        if (result is WebhookEvents events && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.WebhookParsed(_logger, accounts.ToString(), events.InboundEvents.Count);
        }

        return result;
    }

    /// <summary>
    /// The registered numbers as the webhook path needs them, built once and again after an options change (not on
    /// every request: no per-request arrays, LINQ or closures over the options).
    /// </summary>
    private RegisteredNumbers Numbers()
    {
        var version = Volatile.Read(ref _optionsVersion);
        var numbers = _numbers;
        if (numbers is null || numbers.Version != version)
        {
            numbers = new RegisteredNumbers(version, _registrations.Names, _options);
            _numbers = numbers;
        }

        return numbers;
    }

    /// <summary>One registered number: its options and what the webhook path reads of them.</summary>
    private sealed class Number(WhatsAppOptions options)
    {
        private readonly WorkspaceId? _workspace = WorkspaceId.TryParse(options.WorkspaceId, out var id) ? id : null;

        public string PhoneNumberId { get; } = options.PhoneNumberId;

        public string AppSecret { get; } = options.AppSecret;

        public string VerifyToken { get; } = options.VerifyToken;

        /// <summary>The workspace; an invalid id (which options validation refuses at start) throws as it always did.</summary>
        public WorkspaceId Workspace => _workspace ?? new WorkspaceId(options.WorkspaceId);
    }

    /// <summary>The numbers a request may be addressed to: all of them, or the one its registration name names.</summary>
    private sealed class Candidates
    {
        private readonly Number[] _numbers;
        private readonly Dictionary<string, Number>? _byPhoneNumberId;

        public Candidates(Number[] numbers)
        {
            _numbers = numbers;
            AppSecrets = [.. numbers.Select(n => n.AppSecret).Distinct(StringComparer.Ordinal)];
            VerifyTokens = [.. numbers.Select(n => n.VerifyToken)];
            if (numbers.Length > 4)
            {
                _byPhoneNumberId = new Dictionary<string, Number>(StringComparer.Ordinal);
                foreach (var number in numbers)
                {
                    _byPhoneNumberId.TryAdd(number.PhoneNumberId, number);
                }
            }
        }

        /// <summary>The distinct app secrets, in registration order.</summary>
        public string[] AppSecrets { get; }

        public string[] VerifyTokens { get; }

        /// <summary>The first number registered with this phone-number id, or null.</summary>
        public Number? Find(string phoneNumberId)
        {
            if (_byPhoneNumberId is not null)
            {
                return _byPhoneNumberId.GetValueOrDefault(phoneNumberId);
            }

            foreach (var number in _numbers)
            {
                if (string.Equals(number.PhoneNumberId, phoneNumberId, StringComparison.Ordinal))
                {
                    return number;
                }
            }

            return null;
        }
    }

    private sealed class RegisteredNumbers
    {
        public RegisteredNumbers(int version, IEnumerable<string> names, IOptionsMonitor<WhatsAppOptions> options)
        {
            Version = version;
            var all = new List<Number>();
            ByName = new Dictionary<string, Candidates>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var number = new Number(options.Get(name));
                all.Add(number);
                ByName[name] = new Candidates([number]);
            }

            All = new Candidates([.. all]);
        }

        public int Version { get; }

        public Candidates All { get; }

        public Dictionary<string, Candidates> ByName { get; }
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
        cancellationToken.ThrowIfCancellationRequested();
        if (Prepare(message, out var name, out var prepared) is { } refused)
        {
            return refused;
        }

        var body = prepared!;
        var phoneNumberId = message.Channel.AccountId;
        var options = _options.Get(name!);
        var baseUrl = options.GraphApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.GraphApiBaseUrl : new Uri(options.GraphApiBaseUrl.AbsoluteUri + "/");
        var url = new Uri(baseUrl, Uri.EscapeDataString(phoneNumberId) + "/messages");
        var pipeline = _pipelines.GetPipeline("whatsapp:" + name, options.Resilience);
        var client = _httpClientFactory.CreateClient(WhatsAppSocialCareBuilderExtensions.HttpClientName);
        var result = await Sender.SendAsync(
            pipeline,
            client,
            phoneNumberId,
            message.Recipient.ExternalId,
            () => new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(body, WhatsAppJsonContext.Default.SendRequest),
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", options.AccessToken) },
            },
            (response, bytes) => response.IsSuccessStatusCode ? ReadSent(bytes) : ReadFailure(response, bytes),
            cancellationToken).ConfigureAwait(false);

        if (result is SendFailed failed)
        {
            Log.SendFailed(_logger, phoneNumberId, failed.ErrorCode, failed.IsRetryable);
        }

        return result;
    }

    /// <summary>Everything a send checks before calling Graph: the number is registered, the message can be built, the window.</summary>
    private SendFailed? Prepare(OutboundMessage message, out string? name, out SendRequest? body)
    {
        var phoneNumberId = message.Channel.AccountId;
        body = null;
        name = message.Channel.Kind == ChannelKind.WhatsApp
            ? _registrations.Names.FirstOrDefault(n => string.Equals(_options.Get(n).PhoneNumberId, phoneNumberId, StringComparison.Ordinal))
            : null;
        if (name is null)
        {
            return SendResult.Failed("not-registered", $"{message.Channel} is not a registered WhatsApp number.", isRetryable: false);
        }

        body = BuildRequest(message, out var refusal);
        if (body is null)
        {
            return SendResult.Failed("unsupported", refusal!, isRetryable: false);
        }

        return message.Template is null ? CheckServiceWindow(message, _timeProvider.GetUtcNow()) : null;
    }

    private static SendRequest? BuildRequest(OutboundMessage message, out string? refusal)
    {
        var to = message.Recipient.ExternalId;
        var context = message.ReplyToPlatformMessageId is { Length: > 0 } replyTo ? new SendContext { MessageId = replyTo } : null;
        var callback = message.MessageId.ToString();
        refusal = null;

        if (message.Template is { } template)
        {
            return new SendRequest
            {
                To = to,
                Type = "template",
                Context = context,
                BizOpaqueCallbackData = callback,
                Template = new SendTemplate
                {
                    Name = template.Name,
                    Language = new SendLanguage { Code = template.Language },
                    Components = template.Parameters.Count == 0
                        ? null
                        : [new SendComponent { Type = "body", Parameters = [.. template.Parameters.Select(p => new SendParameter { Text = p })] }],
                },
            };
        }

        if (message.Attachments.Count > 1)
        {
            refusal = $"WhatsApp sends one attachment per message; this one has {message.Attachments.Count}.";
            return null;
        }

        if (message.Attachments.Count == 0)
        {
            if (string.IsNullOrEmpty(message.Text))
            {
                refusal = "The message has no text, attachment or template.";
                return null;
            }

            if (message.Text.Length > WhatsAppCapabilities.MaxTextLength)
            {
                refusal = $"WhatsApp text is limited to {WhatsAppCapabilities.MaxTextLength} characters; this one has {message.Text.Length}.";
                return null;
            }

            return new SendRequest { To = to, Type = "text", Context = context, BizOpaqueCallbackData = callback, Text = new SendText { Body = message.Text } };
        }

        var attachment = message.Attachments[0];
        var caption = string.IsNullOrEmpty(message.Text) ? null : message.Text;
        if (attachment.Kind == AttachmentKind.Location)
        {
            if (attachment.Location is not { } place || caption is not null)
            {
                refusal = attachment.Location is null ? "A location attachment has no location." : "WhatsApp cannot caption a location; send the text separately.";
                return null;
            }

            return new SendRequest
            {
                To = to,
                Type = "location",
                Context = context,
                BizOpaqueCallbackData = callback,
                Location = new SendLocation { Latitude = place.Latitude, Longitude = place.Longitude, Name = place.Name, Address = place.Address },
            };
        }

        if (attachment.Url is not { } url)
        {
            refusal = $"The {attachment.Kind} attachment has no URL.";
            return null;
        }

        if (caption is not null && attachment.Kind is AttachmentKind.Audio or AttachmentKind.Sticker)
        {
            refusal = $"WhatsApp cannot caption {attachment.Kind.ToString().ToLowerInvariant()}; send the text separately.";
            return null;
        }

        var media = url.Scheme == "whatsapp-media"
            ? new SendMedia { Id = url.AbsoluteUri["whatsapp-media:".Length..] }
            : new SendMedia { Link = url.AbsoluteUri };
        media.Caption = caption;
        if (attachment.Kind == AttachmentKind.File)
        {
            media.Filename = attachment.Name;
        }

        var request = new SendRequest { To = to, Type = "text", Context = context, BizOpaqueCallbackData = callback };
        switch (attachment.Kind)
        {
            case AttachmentKind.Image: request.Type = "image"; request.Image = media; break;
            case AttachmentKind.Video: request.Type = "video"; request.Video = media; break;
            case AttachmentKind.Audio: request.Type = "audio"; request.Audio = media; break;
            case AttachmentKind.Sticker: request.Type = "sticker"; request.Sticker = media; break;
            default: request.Type = "document"; request.Document = media; break;
        }

        return request;
    }

    private static SendResult ReadSent(byte[] bytes)
    {
        try
        {
            var response = JsonSerializer.Deserialize(bytes, WhatsAppJsonContext.Default.SendResponse);
            if (response?.Messages is [{ Id: { Length: > 0 } id }, ..])
            {
                return SendResult.Sent(id);
            }
        }
        catch (JsonException)
        {
            // Falls through: accepted without a readable id.
        }

        return SendResult.Failed("no-message-id", "The Graph API accepted the request but returned no message id; not retried, as it may have been sent.", isRetryable: false);
    }

    private SendFailed ReadFailure(HttpResponseMessage response, byte[] bytes) =>
        GraphErrors.ReadFailure(response, bytes, ThrottlingCodes, static (error, fallback) => error?.ErrorDataDetails ?? error?.Message ?? fallback, _timeProvider);

    private static class HttpMethods
    {
        public static bool IsGet(string method) => string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase);

        public static bool IsPost(string method) => string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// WhatsApp delivers free-form messages only within 24 hours of the customer's last message; outside that window
    /// only templates. Refusing here gives the agent a clear reason instead of Graph error 131047 after the fact.
    /// </summary>
    private static SendFailed? CheckServiceWindow(OutboundMessage message, DateTimeOffset now)
    {
        var window = WhatsAppCapabilities.CustomerServiceWindow!.Value;
        if (message.LastCustomerMessageAt is not { } lastCustomerMessage)
        {
            return SendResult.Failed(
                ServiceWindowClosedCode,
                "The customer has not written to this number in this conversation, so no 24-hour customer service window is open; WhatsApp only delivers an approved template (OutboundMessage.Template) now.",
                isRetryable: false);
        }

        var closesAt = lastCustomerMessage + window;
        return now < closesAt
            ? null
            : SendResult.Failed(
                ServiceWindowClosedCode,
                string.Create(CultureInfo.InvariantCulture, $"The 24-hour customer service window closed at {closesAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (the customer last wrote at {lastCustomerMessage.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z); outside it WhatsApp only delivers an approved template (OutboundMessage.Template)."),
                isRetryable: false);
    }
}
