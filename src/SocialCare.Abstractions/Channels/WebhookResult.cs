namespace SocialCare.Channels;

/// <summary>
/// What a channel adapter made of a webhook request: <see cref="WebhookEvents"/>, <see cref="WebhookHandshake"/>,
/// <see cref="WebhookRejected"/> or <see cref="WebhookUnparseable"/>. Create them with the static methods.
/// </summary>
public abstract record WebhookResult
{
    private protected WebhookResult()
    {
    }

    /// <summary>The request was genuine and carried these events (possibly none, for a notification nobody needs).</summary>
    /// <param name="events">The normalized events, in the order the platform sent them.</param>
    /// <returns>The result.</returns>
    public static WebhookEvents Events(IReadOnlyList<InboundEvent> events) => new(events);

    /// <summary>A verification challenge (typically a GET) the host answers with exactly this response.</summary>
    /// <param name="body">The response body, for example the echoed challenge.</param>
    /// <param name="contentType">The response content type.</param>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>The result.</returns>
    public static WebhookHandshake Handshake(string body, string contentType = "text/plain", int statusCode = 200) => new(statusCode, contentType, body);

    /// <summary>The request is not genuine: a missing or wrong signature or token. The host stores nothing.</summary>
    /// <param name="statusCode">The HTTP status code to answer, for example 401 or 403.</param>
    /// <param name="reason">Why, for the host's logs; never echoes secrets.</param>
    /// <returns>The result.</returns>
    public static WebhookRejected Rejected(int statusCode, string reason) => new(statusCode, reason);

    /// <summary>
    /// The request is genuine but its payload has a shape the adapter does not understand. The host keeps it as a
    /// dead letter with the reason and acknowledges it, so the platform does not retry forever; it is never dropped.
    /// </summary>
    /// <param name="reason">What was not understood.</param>
    /// <returns>The result.</returns>
    public static WebhookUnparseable Unparseable(string reason) => new(reason);
}

/// <summary>The request was genuine and carried these events.</summary>
/// <param name="InboundEvents">The normalized events, in the order the platform sent them.</param>
public sealed record WebhookEvents(IReadOnlyList<InboundEvent> InboundEvents) : WebhookResult
{
    /// <summary>
    /// What the host answers with in its 200 once the request is durably kept: every event accepted, or the request
    /// stored as a dead letter because the engine refused an event. Null means an empty 200. It is never sent when the
    /// request could not be stored (the host answers 503 and the platform redelivers).
    /// </summary>
    public WebhookResponse? Response { get; init; }
}

/// <summary>
/// A body the host sends in its 200 answer to a webhook it has durably kept, for platforms that accept an
/// answer in the webhook response, for example Telegram's <c>answerCallbackQuery</c> (one Bot API call whose result is
/// not reported back).
/// </summary>
/// <param name="ContentType">The response content type, for example <c>application/json</c>. Not empty.</param>
/// <param name="Body">The response body. Not empty.</param>
/// <exception cref="ArgumentException">The content type or the body is null or empty.</exception>
public sealed record WebhookResponse(string ContentType, string Body)
{
    private readonly string _contentType = NotEmpty(ContentType, nameof(ContentType));
    private readonly string _body = NotEmpty(Body, nameof(Body));

    /// <summary>The response content type, for example <c>application/json</c>. Not empty.</summary>
    public string ContentType
    {
        get => _contentType;
        init => _contentType = NotEmpty(value, nameof(ContentType));
    }

    /// <summary>The response body. Not empty.</summary>
    public string Body
    {
        get => _body;
        init => _body = NotEmpty(value, nameof(Body));
    }

    private static string NotEmpty(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        return value;
    }
}

/// <summary>A verification challenge the host answers with exactly this response.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="ContentType">The response content type.</param>
/// <param name="Body">The response body.</param>
public sealed record WebhookHandshake(int StatusCode, string ContentType, string Body) : WebhookResult;

/// <summary>The request is not genuine; the host answers <see cref="StatusCode"/> and stores nothing.</summary>
/// <param name="StatusCode">The HTTP status code, for example 401 or 403.</param>
/// <param name="Reason">Why, for the host's logs.</param>
public sealed record WebhookRejected(int StatusCode, string Reason) : WebhookResult;

/// <summary>The payload has a shape the adapter does not understand; the host dead-letters it.</summary>
/// <param name="Reason">What was not understood.</param>
public sealed record WebhookUnparseable(string Reason) : WebhookResult
{
    /// <summary>
    /// What the host answers with in its 200 once the dead letter is stored, for a platform that still expects an
    /// answer to a request SocialCare could not read (for example Telegram's <c>answerCallbackQuery</c> for a game
    /// button); null means an empty 200. Never sent when the dead letter could not be stored.
    /// </summary>
    public WebhookResponse? Response { get; init; }
}
