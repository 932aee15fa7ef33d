using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.Meta.Diagnostics;
using SocialCare.Channels.Meta.Webhooks;
using SocialCare.Channels.MetaGraph;

namespace SocialCare.Channels.Meta;

/// <summary>What differs between Messenger and Instagram: the kind, the webhook object, limits and names.</summary>
internal sealed record MetaPlatform(
    ChannelKind Kind,
    string Name,
    string WebhookObject,
    ChannelCapabilities Capabilities,
    string HttpClientName,
    string AddMethod);

/// <summary>
/// Everything the Messenger and Instagram adapters share: handshake, signature check, parsing, sending. The public
/// adapters are thin wrappers, so each platform keeps its own kind, registrations and options type.
/// </summary>
internal sealed class MetaAdapterCore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>
    where TOptions : MetaChannelOptions
{
    private static readonly TimeSpan StandardWindow = TimeSpan.FromHours(24);
    private static readonly TimeSpan HumanAgentWindow = TimeSpan.FromDays(7);

    private static readonly ChannelHttpSender Sender = new("Graph API")
    {
        TimeoutReason = "The Graph API did not answer in time; the message may or may not have been sent, so it is not retried (the Send API has no idempotency key).",
    };

    private readonly MetaPlatform _platform;
    private readonly MetaWebhookParser _parser;
    private readonly IOptionsMonitor<TOptions> _options;
    private readonly MetaRegistrations<TOptions> _registrations;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ChannelResiliencePipelineFactory _pipelines;
    private readonly ILogger _logger;

    public MetaAdapterCore(
        MetaPlatform platform,
        IOptionsMonitor<TOptions> options,
        MetaRegistrations<TOptions> registrations,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ChannelResiliencePipelineFactory pipelines,
        ILogger logger)
    {
        _platform = platform;
        _parser = new MetaWebhookParser(platform.Kind, platform.Name, platform.WebhookObject);
        _options = options;
        _registrations = registrations;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _pipelines = pipelines;
        _logger = logger;
    }

    public MetaPlatform Platform => _platform;

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var result = Handle(request);
        switch (result)
        {
            case WebhookRejected rejected:
                Log.WebhookRejected(_logger, _platform.Name, rejected.StatusCode, rejected.Reason);
                break;
            case WebhookUnparseable unparseable:
                Log.WebhookUnparseable(_logger, _platform.Name, unparseable.Reason);
                break;
        }

        return ValueTask.FromResult(result);
    }

    private WebhookResult Handle(WebhookRequest request)
    {
        IReadOnlyList<TOptions> candidates;
        if (request.RegistrationName is { } name)
        {
            if (!_registrations.Names.Contains(name))
            {
                return WebhookResult.Rejected(404, $"No {_platform.Name} account is registered under the name '{name}'.");
            }

            candidates = [_options.Get(name)];
        }
        else
        {
            candidates = [.. _registrations.Names.Select(_options.Get)];
        }

        if (string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return MetaWebhook.Handshake(request, _platform.Name, candidates.Select(c => c.VerifyToken));
        }

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookResult.Rejected(405, $"{_platform.Name} webhooks are GET (handshake) or POST; this request is {request.Method}.");
        }

        // Only X-Hub-Signature-256 is accepted (see MetaWebhook.SignatureHeader).
        if (MetaWebhook.VerifySignature(request, candidates.Select(c => c.AppSecret), out var secret) is { } rejected)
        {
            return rejected;
        }

        var payload = _parser.Read(request.Body.Span, out var reason);
        if (payload is null)
        {
            return WebhookResult.Unparseable(reason!);
        }

        var accounts = new Dictionary<string, WorkspaceId>(StringComparer.Ordinal);
        foreach (var accountId in MetaWebhookParser.AccountIds(payload))
        {
            var account = candidates.FirstOrDefault(c => string.Equals(c.PageId, accountId, StringComparison.Ordinal));
            if (account is null)
            {
                return WebhookResult.Unparseable($"Entry id {accountId} is not a registered {_platform.Name} account (register it with {_platform.AddMethod}).");
            }

            if (!string.Equals(account.AppSecret, secret, StringComparison.Ordinal))
            {
                return WebhookResult.Rejected(401, $"The payload for {_platform.Name} account {accountId} is signed with another app's secret than the one registered for it.");
            }

            accounts[accountId] = new WorkspaceId(account.WorkspaceId);
        }

        var result = _parser.Map(payload, id => accounts[id]);
        if (result is WebhookEvents events && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.WebhookParsed(_logger, _platform.Name, string.Join(',', accounts.Keys), events.InboundEvents.Count);
        }

        return result;
    }

    public SendFailed? CheckOutbound(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Prepare(message, out _, out _, out _);
    }

    public async ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Prepare(message, out var name, out var preparedOptions, out var preparedBody) is { } refused)
        {
            return refused;
        }

        var (options, body) = (preparedOptions!, preparedBody!);
        var accountId = message.Channel.AccountId;
        var baseUrl = options.GraphApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.GraphApiBaseUrl : new Uri(options.GraphApiBaseUrl.AbsoluteUri + "/");
        var url = new Uri(baseUrl, Uri.EscapeDataString(accountId) + "/messages");
        var pipeline = _pipelines.GetPipeline(_platform.Kind.Name + ":" + name, options.Resilience);
        var client = _httpClientFactory.CreateClient(_platform.HttpClientName);
        var result = await Sender.SendAsync(
            pipeline,
            client,
            accountId,
            message.Recipient.ExternalId,
            () => new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(body, MetaJsonContext.Default.SendRequest),
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", options.PageAccessToken) },
            },
            (response, bytes) => response.IsSuccessStatusCode ? ReadSent(bytes) : ReadFailure(response, bytes),
            cancellationToken).ConfigureAwait(false);

        if (result is SendFailed failed)
        {
            Log.SendFailed(_logger, _platform.Name, accountId, failed.ErrorCode, failed.IsRetryable);
        }

        return result;
    }

    /// <summary>Everything a send checks before calling Graph: the account is registered and the message can be built (window, tag).</summary>
    private SendFailed? Prepare(OutboundMessage message, out string? name, out TOptions? options, out SendRequest? body)
    {
        var accountId = message.Channel.AccountId;
        options = null;
        body = null;
        name = message.Channel.Kind == _platform.Kind
            ? _registrations.Names.FirstOrDefault(n => string.Equals(_options.Get(n).PageId, accountId, StringComparison.Ordinal))
            : null;
        if (name is null)
        {
            return SendResult.Failed("not-registered", $"{message.Channel} is not a registered {_platform.Name} account.", isRetryable: false);
        }

        options = _options.Get(name);
        body = BuildRequest(message, options, out var refusalCode, out var refusal);
        return body is null ? SendResult.Failed(refusalCode, refusal!, isRetryable: false) : null;
    }

    private SendRequest? BuildRequest(OutboundMessage message, TOptions options, out string refusalCode, out string? refusal)
    {
        refusalCode = "unsupported";
        refusal = null;
        if (message.Visibility != ConversationVisibility.Private)
        {
            refusal = $"The {_platform.Name} adapter sends private messages only; public comments are not supported.";
            return null;
        }

        if (message.Template is not null)
        {
            refusal = $"The {_platform.Name} adapter does not send templates.";
            return null;
        }

        // The messaging window: free replies within 24 hours of the customer's last message; with the HUMAN_AGENT tag,
        // a person may answer up to 7 days after it.
        string messagingType;
        string? tag = null;
        if (message.LastCustomerMessageAt is not { } last)
        {
            refusalCode = "outside-window";
            refusal = $"The customer has never written on this {_platform.Name} conversation, so the 24-hour window is closed; {_platform.Name} lets a business reply only after a customer message.";
            return null;
        }

        var elapsed = _timeProvider.GetUtcNow() - last;
        if (elapsed <= StandardWindow)
        {
            messagingType = "RESPONSE";
        }
        else if (options.UseHumanAgentTag && elapsed <= HumanAgentWindow)
        {
            messagingType = "MESSAGE_TAG";
            tag = "HUMAN_AGENT";
        }
        else
        {
            refusalCode = "outside-window";
            var closed = (last + StandardWindow).ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);
            refusal = options.UseHumanAgentTag
                ? $"The 24-hour window closed at {closed} and the 7-day HUMAN_AGENT window at {(last + HumanAgentWindow).ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}; wait for the customer to write again."
                : $"The 24-hour window closed at {closed}; wait for the customer to write again (or enable UseHumanAgentTag for replies by a person within 7 days).";
            return null;
        }

        var capabilities = _platform.Capabilities;
        var text = string.IsNullOrEmpty(message.Text) ? null : message.Text;
        SendMessage body;
        if (message.Attachments.Count == 0)
        {
            if (text is null)
            {
                refusal = "The message has no text or attachment.";
                return null;
            }

            if (text.Length > capabilities.MaxTextLength)
            {
                refusal = $"{_platform.Name} text is limited to {capabilities.MaxTextLength} characters; this one has {text.Length}.";
                return null;
            }

            body = new SendMessage { Text = text };
        }
        else
        {
            if (message.Attachments.Count > 1 || text is not null)
            {
                refusal = $"{_platform.Name} sends text or one attachment per message; this one has {(text is null ? string.Empty : "text and ")}{message.Attachments.Count} attachment(s). Send them as separate messages.";
                return null;
            }

            var attachment = message.Attachments[0];
            if (!capabilities.Supports(attachment.Kind))
            {
                refusal = $"{_platform.Name} cannot send a {attachment.Kind.ToString().ToLowerInvariant()} attachment.";
                return null;
            }

            if (attachment.Url is not { IsAbsoluteUri: true, Scheme: "https" or "http" } url)
            {
                refusal = $"The {attachment.Kind.ToString().ToLowerInvariant()} attachment needs an absolute http(s) URL the platform can fetch.";
                return null;
            }

            body = new SendMessage
            {
                Attachment = new SendAttachment
                {
                    Type = attachment.Kind switch
                    {
                        AttachmentKind.Image => "image",
                        AttachmentKind.Video => "video",
                        AttachmentKind.Audio => "audio",
                        _ => "file",
                    },
                    Payload = new SendAttachmentPayload { Url = url.AbsoluteUri },
                },
            };
        }

        return new SendRequest
        {
            Recipient = new SendRecipient { Id = message.Recipient.ExternalId },
            MessagingType = messagingType,
            Tag = tag,
            Message = body,
        };
    }

    private static SendResult ReadSent(byte[] bytes)
    {
        try
        {
            if (JsonSerializer.Deserialize(bytes, MetaJsonContext.Default.SendResponse) is { MessageId: { Length: > 0 } id })
            {
                return SendResult.Sent(id);
            }
        }
        catch (JsonException)
        {
            // Falls through: accepted without a readable id.
        }

        return SendResult.Failed("no-message-id", "The Graph API accepted the request but returned no message_id; not retried, as it may have been sent.", isRetryable: false);
    }

    private SendFailed ReadFailure(HttpResponseMessage response, byte[] bytes) =>
        GraphErrors.ReadFailure(response, bytes, GraphErrors.ThrottlingCodes, static (error, fallback) => (error?.Message ?? fallback) + SubcodeSuffix(error), _timeProvider);

    private static string SubcodeSuffix(GraphError? error) =>
        error?.ErrorSubcode is { } subcode ? string.Create(CultureInfo.InvariantCulture, $" (error_subcode {subcode})") : string.Empty;
}
