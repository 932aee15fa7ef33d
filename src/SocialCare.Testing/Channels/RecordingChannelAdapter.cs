using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SocialCare.Channels;

namespace SocialCare.Testing.Channels;

/// <summary>
/// A fake <see cref="IChannelAdapter"/> for host and engine tests. It records every webhook request and every
/// outbound message, parses a small documented JSON webhook format, and lets the test script what webhooks and sends
/// return — including a send that reached the platform and then crashed, to test dispatchers. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="HandleAsync"/> answers, in this order: the next result queued with <see cref="EnqueueWebhookResult"/>;
/// else <see cref="WebhookHandler"/> when set; else it verifies the optional signature (<see cref="WebhookSecret"/>)
/// and parses the body in this format (unknown properties, missing fields or bad JSON are
/// <see cref="WebhookUnparseable"/>; the adapter never throws for bad input):
/// </para>
/// <code>
/// {
///   "workspace": "ws-a", "account": "acct-1",
///   "messages": [ { "id": "m-1", "from": "customer-1", "text": "Hello", "at": "2026-03-01T09:00:00Z", "replyTo": "fake-1" } ],
///   "statuses": [ { "id": "fake-1", "to": "customer-1", "status": "delivered", "at": "2026-03-01T09:00:05Z" } ]
/// }
/// </code>
/// <para>
/// <see cref="SendAsync"/> records the message in <see cref="Sent"/> and answers, in this order: the next outcome
/// queued with <see cref="EnqueueSendResult"/> or <see cref="EnqueueSendException"/>; else <see cref="SendHandler"/>
/// when set; else a text longer than <see cref="ChannelCapabilities.MaxTextLength"/> fails (not retryable) and
/// anything else succeeds as <c>fake-{n}</c>, n counting the sends from 1. Only cancellation throws (besides
/// scripted exceptions); a cancelled send is not recorded.
/// </para>
/// </remarks>
public sealed class RecordingChannelAdapter : IChannelAdapter
{
    /// <summary>The header carrying the signature when <see cref="WebhookSecret"/> is set: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the body.</summary>
    public const string SignatureHeader = "X-Fake-Signature";

    /// <summary>The default kind, <c>fake</c>.</summary>
    public static readonly ChannelKind DefaultKind = new("fake");

    private readonly Lock _gate = new();
    private readonly List<OutboundMessage> _sent = [];
    private readonly List<OutboundMessage> _delivered = [];
    private readonly List<WebhookRequest> _received = [];
    private readonly Queue<WebhookResult> _webhookResults = new();
    private readonly Queue<(SendResult? Result, Exception? Exception, bool AfterDelivery)> _sendOutcomes = new();
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<OutboundMessage>> Done)> _waiters = [];

    /// <inheritdoc />
    public ChannelKind Kind { get; init; } = DefaultKind;

    /// <inheritdoc />
    /// <remarks>Default: 4096 characters, private and public conversations, images and files, no window, no templates.</remarks>
    public ChannelCapabilities Capabilities { get; init; } = new()
    {
        MaxTextLength = 4096,
        SupportsPrivate = true,
        SupportsPublic = true,
        SupportedAttachments = [AttachmentKind.Image, AttachmentKind.File],
    };

    /// <summary>
    /// When set, a webhook POST must carry <see cref="SignatureHeader"/> computed with this secret (see
    /// <see cref="Sign"/>), or it is rejected with 401 before anything is parsed.
    /// </summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Answers webhooks instead of the built-in format when no scripted result is queued.</summary>
    public Func<WebhookRequest, WebhookResult>? WebhookHandler { get; set; }

    /// <summary>Answers sends instead of the default when no scripted outcome is queued.</summary>
    public Func<OutboundMessage, SendResult>? SendHandler { get; set; }

    /// <summary>Every message <see cref="SendAsync"/> was called with (each attempt), in order (a snapshot).</summary>
    public IReadOnlyList<OutboundMessage> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>
    /// The messages the fake platform accepted, in order (a snapshot): sends that returned <see cref="SendSucceeded"/>
    /// and sends scripted to throw after delivery. A dispatcher that delivers a message twice shows it here twice.
    /// </summary>
    public IReadOnlyList<OutboundMessage> Delivered
    {
        get
        {
            lock (_gate)
            {
                return [.. _delivered];
            }
        }
    }

    /// <summary>Every webhook request <see cref="HandleAsync"/> was called with, in order (a snapshot).</summary>
    public IReadOnlyList<WebhookRequest> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The signature header value for a body: <c>sha256=</c> and the lower-case hex HMAC-SHA256 with the secret.</summary>
    /// <param name="body">The raw body.</param>
    /// <param name="secret">The secret.</param>
    /// <returns>The header value.</returns>
    public static string Sign(ReadOnlySpan<byte> body, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>A webhook POST in the built-in format, signed when a secret is given.</summary>
    /// <param name="body">The raw body.</param>
    /// <param name="secret">The secret to sign with, or null for no signature header.</param>
    /// <returns>The request, addressed to <c>https://care.example/webhooks/fake</c>.</returns>
    public static WebhookRequest CreateWebhookRequest(ReadOnlyMemory<byte> body, string? secret = null)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
        if (secret is not null)
        {
            headers.Add(new(SignatureHeader, Sign(body.Span, secret)));
        }

        return new WebhookRequest("POST", new Uri("https://care.example/webhooks/fake"), headers, body);
    }

    /// <summary>Queues the result of the next webhook.</summary>
    /// <param name="result">The result.</param>
    public void EnqueueWebhookResult(WebhookResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            _webhookResults.Enqueue(result);
        }
    }

    /// <summary>Queues the result of the next send (a <see cref="SendSucceeded"/> counts as delivered).</summary>
    /// <param name="result">The result.</param>
    public void EnqueueSendResult(SendResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            _sendOutcomes.Enqueue((result, null, false));
        }
    }

    /// <summary>
    /// Makes the next send throw <paramref name="exception"/> after recording it. With
    /// <paramref name="afterDelivery"/> the platform is taken to have accepted the message first (it is added to
    /// <see cref="Delivered"/>): a crash between the platform's answer and the caller storing it.
    /// </summary>
    /// <param name="exception">The exception to throw.</param>
    /// <param name="afterDelivery">Whether the platform accepted the message before the call failed.</param>
    public void EnqueueSendException(Exception exception, bool afterDelivery = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            _sendOutcomes.Enqueue((null, exception, afterDelivery));
        }
    }

    /// <summary>Waits, without polling, until at least <paramref name="count"/> sends were recorded.</summary>
    /// <param name="count">The number of sends.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The messages sent by then.</returns>
    public Task<IReadOnlyList<OutboundMessage>> WaitForSendsAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        TaskCompletionSource<IReadOnlyList<OutboundMessage>> done;
        lock (_gate)
        {
            if (_sent.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<OutboundMessage>>([.. _sent]);
            }

            done = new TaskCompletionSource<IReadOnlyList<OutboundMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        Func<WebhookRequest, WebhookResult>? handler;
        lock (_gate)
        {
            _received.Add(request);
            if (_webhookResults.TryDequeue(out var scripted))
            {
                return ValueTask.FromResult(scripted);
            }

            handler = WebhookHandler;
        }

        return ValueTask.FromResult(handler is null ? Handle(request) : handler(request));
    }

    /// <inheritdoc />
    public ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        SendResult result;
        lock (_gate)
        {
            _sent.Add(message);
            var number = _sent.Count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _sent.Count)
                {
                    _waiters[i].Done.TrySetResult([.. _sent]);
                    _waiters.RemoveAt(i);
                }
            }

            if (_sendOutcomes.TryDequeue(out var scripted))
            {
                if (scripted.Exception is { } exception)
                {
                    if (scripted.AfterDelivery)
                    {
                        _delivered.Add(message);
                    }

                    return ValueTask.FromException<SendResult>(exception);
                }

                result = scripted.Result!;
            }
            else if (SendHandler is { } handler)
            {
                result = handler(message);
            }
            else if (CheckOutbound(message) is { } refused)
            {
                result = refused;
            }
            else
            {
                result = SendResult.Sent("fake-" + number.ToString(CultureInfo.InvariantCulture));
            }

            if (result is SendSucceeded)
            {
                _delivered.Add(message);
            }
        }

        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// Refuses a text longer than <see cref="ChannelCapabilities.MaxTextLength"/> (code <c>too-long</c>, not retryable), as
    /// <see cref="SendAsync"/> does when no outcome is scripted and no <see cref="SendHandler"/> is set; scripted outcomes
    /// and the handler apply only to sends.
    /// </summary>
    /// <param name="message">The message as it would be sent.</param>
    /// <returns>Null, or the refusal.</returns>
    public SendFailed? CheckOutbound(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Text is { } text && text.Length > Capabilities.MaxTextLength
            ? SendResult.Failed("too-long", $"The text has {text.Length} characters; the limit is {Capabilities.MaxTextLength}.", isRetryable: false)
            : null;
    }

    private WebhookResult Handle(WebhookRequest request)
    {
        if (WebhookSecret is { } secret)
        {
            var signature = request.GetHeader(SignatureHeader);
            if (string.IsNullOrEmpty(signature))
            {
                return WebhookResult.Rejected(401, $"The request has no {SignatureHeader} header.");
            }

            var expected = Encoding.ASCII.GetBytes(Sign(request.Body.Span, secret));
            if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(signature)))
            {
                return WebhookResult.Rejected(401, $"The {SignatureHeader} signature does not match the body.");
            }
        }

        try
        {
            return Parse(request.Body);
        }
        catch (JsonException ex)
        {
            return WebhookResult.Unparseable("The body is not JSON: " + ex.Message);
        }
        catch (FormatException ex)
        {
            return WebhookResult.Unparseable(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return WebhookResult.Unparseable(ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return WebhookResult.Unparseable("A property has the wrong JSON type: " + ex.Message);
        }
    }

    private WebhookResult Parse(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return WebhookResult.Unparseable($"The body is a JSON {root.ValueKind}; the fake format is an object.");
        }

        string? workspace = null, account = null;
        JsonElement? messages = null, statuses = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "workspace": workspace = property.Value.GetString(); break;
                case "account": account = property.Value.GetString(); break;
                case "messages": messages = property.Value; break;
                case "statuses": statuses = property.Value; break;
                default: return WebhookResult.Unparseable($"Unknown property '{property.Name}' in the fake webhook format.");
            }
        }

        if (string.IsNullOrEmpty(workspace) || string.IsNullOrEmpty(account) || (messages is null && statuses is null))
        {
            return WebhookResult.Unparseable("The fake webhook format needs 'workspace', 'account' and 'messages' or 'statuses'.");
        }

        var workspaceId = new WorkspaceId(workspace);
        var channel = new ChannelAccount(Kind, account);
        var events = new List<InboundEvent>();
        foreach (var m in messages is { } ms ? ms.EnumerateArray() : default)
        {
            events.Add(new InboundMessage
            {
                WorkspaceId = workspaceId,
                Channel = channel,
                Customer = new ContactHandle(Kind, Required(m, "from")),
                OccurredAt = At(m),
                PlatformMessageId = Required(m, "id"),
                Text = Optional(m, "text"),
                ReplyToPlatformMessageId = Optional(m, "replyTo"),
            });
        }

        foreach (var s in statuses is { } ss ? ss.EnumerateArray() : default)
        {
            var status = Required(s, "status") switch
            {
                "sent" => DeliveryStatus.Sent,
                "delivered" => DeliveryStatus.Delivered,
                "read" => DeliveryStatus.Read,
                "failed" => DeliveryStatus.Failed,
                var other => throw new FormatException($"Unknown status '{other}'."),
            };
            events.Add(new InboundStatus
            {
                WorkspaceId = workspaceId,
                Channel = channel,
                Customer = new ContactHandle(Kind, Required(s, "to")),
                OccurredAt = At(s),
                PlatformMessageId = Required(s, "id"),
                Status = status,
            });
        }

        return WebhookResult.Events(events);
    }

    private static string Required(JsonElement item, string name) =>
        Optional(item, name) is { Length: > 0 } value ? value : throw new FormatException($"An item has no '{name}'.");

    private static string? Optional(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset At(JsonElement item) =>
        DateTimeOffset.Parse(Required(item, "at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
