using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using SocialCare.AspNetCore.Diagnostics;
using SocialCare.Channels;
using SocialCare.Storage;

namespace SocialCare.AspNetCore;

/// <summary>
/// Handles one webhook request: finds the adapter, reads the raw body within the size limit, lets the adapter verify
/// and parse it, then answers the handshake, refuses, dead-letters, or ingests every event in order before answering 200.
/// </summary>
internal sealed class WebhookDispatcher
{
    public const string ChannelRouteValue = "channel";
    public const string RegistrationRouteValue = "registration";

    private readonly Dictionary<string, IChannelAdapter> _adapters;
    private readonly string _knownChannels;
    private readonly ICareIngestor _ingestor;
    private readonly IDeadLetterStore _deadLetters;
    private readonly TimeProvider _timeProvider;
    private readonly SocialCareWebhookOptions _options;
    private readonly WebhookInstrumentation _instrumentation;
    private readonly ILogger _logger;

    public WebhookDispatcher(
        IEnumerable<IChannelAdapter> adapters,
        ICareIngestor ingestor,
        IDeadLetterStore deadLetters,
        TimeProvider timeProvider,
        SocialCareWebhookOptions options,
        WebhookInstrumentation instrumentation,
        ILogger logger)
    {
        _adapters = new Dictionary<string, IChannelAdapter>(StringComparer.Ordinal);
        foreach (var adapter in adapters)
        {
            if (!_adapters.TryAdd(adapter.Kind.Name, adapter) && !ReferenceEquals(_adapters[adapter.Kind.Name], adapter))
            {
                throw new InvalidOperationException(
                    $"Two channel adapters serve '{adapter.Kind}' ({_adapters[adapter.Kind.Name].GetType().FullName} and {adapter.GetType().FullName}); " +
                    "a webhook route can address only one. Register each platform's adapter once.");
            }
        }

        _knownChannels = _adapters.Count == 0 ? "none" : string.Join(", ", _adapters.Keys.Order(StringComparer.Ordinal));
        _ingestor = ingestor;
        _deadLetters = deadLetters;
        _timeProvider = timeProvider;
        _options = options;
        _instrumentation = instrumentation;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var channelName = context.Request.RouteValues[ChannelRouteValue] as string ?? string.Empty;
        if (!_adapters.TryGetValue(channelName, out var adapter))
        {
            Log.UnknownChannel(_logger, channelName);
            _instrumentation.Received("unknown", WebhookOutcome.UnknownChannel, Activity.Current);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown channel",
                detail: $"No channel adapter serves '{channelName}'. Known channels: {_knownChannels}.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var channel = adapter.Kind;
        var registration = context.Request.RouteValues[RegistrationRouteValue] as string;
        using var activity = WebhookInstrumentation.ActivitySource.StartActivity(SocialCareWebhookDiagnostics.WebhookActivityName, ActivityKind.Server);
        activity?.SetTag("socialcare.channel.kind", channel.Name);

        var outcome = await DispatchAsync(context, adapter, registration, activity).ConfigureAwait(false);
        _instrumentation.Received(channel.Name, outcome, activity);
    }

    private async Task<string> DispatchAsync(HttpContext context, IChannelAdapter adapter, string? registration, Activity? activity)
    {
        var channel = adapter.Kind;
        var cancellationToken = context.RequestAborted;
        var receivedAt = _timeProvider.GetUtcNow();
        var http = context.Request;
        var response = context.Response;

        try
        {
            var body = await ReadBodyAsync(context, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                Log.TooLarge(_logger, channel, registration, _options.MaxRequestBodySize);
                await WriteTextAsync(response, StatusCodes.Status413PayloadTooLarge, "Payload too large.").ConfigureAwait(false);
                return WebhookOutcome.TooLarge;
            }

            var url = RequestUrl(context);
            var request = new WebhookRequest(http.Method, url, Headers(http.Headers), body) { RegistrationName = registration };
            WebhookResult result;
            try
            {
                result = await adapter.HandleAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Adapters must not throw for a payload (their contract); one that does has a bug. Keep the request so
                // it can be replayed once the adapter is fixed, and stop the platform from retrying it forever.
                var deadLetterId = await DeadLetterAsync(request, channel, receivedAt, $"The {channel} adapter threw {e.GetType().Name}: {e.Message}", cancellationToken).ConfigureAwait(false);
                Log.AdapterFailed(_logger, channel, registration, deadLetterId, e);
                response.StatusCode = StatusCodes.Status200OK;
                return WebhookOutcome.AdapterFailed;
            }

            switch (result)
            {
                case WebhookHandshake handshake:
                    response.StatusCode = handshake.StatusCode;
                    response.ContentType = handshake.ContentType;
                    await response.WriteAsync(handshake.Body, cancellationToken).ConfigureAwait(false);
                    return WebhookOutcome.Handshake;

                case WebhookRejected rejected:
                    var status = rejected.StatusCode is >= 400 and <= 499 ? rejected.StatusCode : StatusCodes.Status403Forbidden;
                    Log.Rejected(_logger, channel, registration, status, rejected.Reason);
                    await WriteTextAsync(response, status, ReasonPhrases.GetReasonPhrase(status) + ".").ConfigureAwait(false);
                    return WebhookOutcome.Rejected;

                case WebhookUnparseable unparseable:
                    var id = await DeadLetterAsync(request, channel, receivedAt, unparseable.Reason, cancellationToken).ConfigureAwait(false);
                    Log.Unparseable(_logger, channel, registration, id, unparseable.Reason);
                    await AnswerAsync(response, unparseable.Response, cancellationToken).ConfigureAwait(false);
                    return WebhookOutcome.Unparseable;

                case WebhookEvents events:
                    return await IngestAsync(response, request, channel, receivedAt, events, cancellationToken).ConfigureAwait(false);

                default:
                    throw new InvalidOperationException($"The {channel} adapter returned an unknown webhook result {result?.GetType().FullName ?? "null"}.");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Aborted(_logger, channel, registration);
            if (!response.HasStarted)
            {
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }

            return WebhookOutcome.Aborted;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Log.TooLarge(_logger, channel, registration, _options.MaxRequestBodySize);
            await WriteTextAsync(response, StatusCodes.Status413PayloadTooLarge, "Payload too large.").ConfigureAwait(false);
            return WebhookOutcome.TooLarge;
        }
        catch (Exception e) when (!response.HasStarted)
        {
            // The store is down, writers kept conflicting, the workspace is missing: nothing was dead-lettered, and
            // the platform redelivers on 503; events already stored are absorbed by dedupe.
            Log.StoreFailed(_logger, channel, registration, StatusCodes.Status503ServiceUnavailable, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            await WriteTextAsync(response, StatusCodes.Status503ServiceUnavailable, "Temporarily unable to store the webhook; retry later.").ConfigureAwait(false);
            return WebhookOutcome.Failed;
        }
    }

    private async Task<string> IngestAsync(
        HttpResponse response,
        WebhookRequest request,
        ChannelKind channel,
        DateTimeOffset receivedAt,
        WebhookEvents result,
        CancellationToken cancellationToken)
    {
        var events = result.InboundEvents;
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                await _ingestor.IngestAsync(events[i], cancellationToken).ConfigureAwait(false);
            }
            catch (CareValidationException e)
            {
                // The adapter produced an event the engine refuses: keep the whole request so it can be replayed once
                // fixed (events before this one are stored and will be absorbed as duplicates), and stop the retries.
                var type = events[i].GetType().Name;
                var reason = $"Event {i + 1} of {events.Count} ({type}) was refused: {e.Message}";
                var id = await DeadLetterAsync(request, channel, receivedAt, reason, cancellationToken).ConfigureAwait(false);
                Log.InvalidEvent(_logger, channel, request.RegistrationName, i + 1, type, e.Field, id);
                await AnswerAsync(response, result.Response, cancellationToken).ConfigureAwait(false);
                return WebhookOutcome.Invalid;
            }
        }

        Log.Accepted(_logger, channel, request.RegistrationName, events.Count);
        await AnswerAsync(response, result.Response, cancellationToken).ConfigureAwait(false);
        return WebhookOutcome.Accepted;
    }

    /// <summary>
    /// The 200 for a request that is durably kept (stored or dead-lettered), with the adapter's answer if it gave one:
    /// only now, because a platform may act on the answer (Telegram runs it as a Bot API call).
    /// </summary>
    private static async Task AnswerAsync(HttpResponse response, WebhookResponse? answer, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        if (answer is not null)
        {
            response.ContentType = answer.ContentType;
            await response.WriteAsync(answer.Body, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Guid> DeadLetterAsync(WebhookRequest request, ChannelKind channel, DateTimeOffset receivedAt, string reason, CancellationToken cancellationToken)
    {
        var deadLetter = new DeadLetter
        {
            Id = Guid.CreateVersion7(_timeProvider.GetUtcNow()),
            Channel = channel,
            RegistrationName = request.RegistrationName,
            ReceivedAt = receivedAt,
            Reason = reason,
            Method = request.Method,
            Url = request.Url.OriginalString,
            ContentType = request.GetHeader("Content-Type"),
            Body = request.Body,
        };
        await _deadLetters.AddDeadLetterAsync(deadLetter, cancellationToken).ConfigureAwait(false);
        return deadLetter.Id;
    }

    /// <summary>Reads the raw body bytes; null when they exceed the limit.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var max = _options.MaxRequestBodySize;
        var declared = context.Request.ContentLength;
        if (declared > max)
        {
            return null;
        }

        // Let the server enforce the limit too (Kestrel's own default is 30 MB).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = max;
        }

        var buffer = new ArrayBufferWriter<byte>(declared is > 0 ? (int)declared.Value : 4096);
        var stream = context.Request.Body;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > max)
            {
                return null;
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The absolute URL the platform called: the raw request target as received (not re-encoded), under the public
    /// base URL when one is configured, else under the request's scheme and host.
    /// </summary>
    private Uri RequestUrl(HttpContext context)
    {
        var http = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = string.Concat(http.PathBase.ToUriComponent(), http.Path.ToUriComponent(), http.QueryString.ToUriComponent());
        }

        var baseUrl = _options.PublicBaseUrl is { } publicBase
            ? publicBase.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : string.Concat(http.Scheme, "://", http.Host.ToUriComponent());
        return new Uri(baseUrl + target, UriKind.Absolute);
    }

    /// <summary>Every header value as a name/value pair (a name with several values repeats), read in one pass.</summary>
    private static KeyValuePair<string, string>[] Headers(IHeaderDictionary headers)
    {
        // One slot per name; a name with several values (rare) grows the array.
        var pairs = new KeyValuePair<string, string>[headers.Count];
        var count = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (count == pairs.Length)
                {
                    Array.Resize(ref pairs, pairs.Length * 2 + 1);
                }

                pairs[count++] = new(name, value ?? string.Empty);
            }
        }

        if (count != pairs.Length)
        {
            Array.Resize(ref pairs, count);
        }

        return pairs;
    }

    private static async Task WriteTextAsync(HttpResponse response, int statusCode, string text)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(text).ConfigureAwait(false);
    }
}
