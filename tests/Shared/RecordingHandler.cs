using System.Net;
using System.Text;

namespace SocialCare.Channels.Testing;

/// <summary>One request as the platform API would have received it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The request URI.</param>
/// <param name="Authorization">The raw <c>Authorization</c> header value, or <see langword="null"/>.</param>
/// <param name="ContentType">The media type of the body, or <see langword="null"/>.</param>
/// <param name="Body">The body as text (empty without content).</param>
/// <param name="At">When it was sent, by the clock given to the handler (default without one).</param>
internal sealed record SentRequest(HttpMethod Method, Uri? Uri, string? Authorization, string? ContentType, string Body, DateTimeOffset At);

/// <summary>
/// The primary handler of a channel's named HttpClient in SendTests: records every request and answers with a canned
/// response, an exception, or never (until cancelled). One source file, linked into every channel test project.
/// </summary>
internal sealed class RecordingHandler(Func<DateTimeOffset>? clock = null) : HttpMessageHandler
{
    private Func<CancellationToken, Task<HttpResponseMessage>>? _first;
    private Func<CancellationToken, Task<HttpResponseMessage>>? _respond;

    /// <summary>The requests in the order they were sent.</summary>
    public List<SentRequest> Requests { get; } = [];

    /// <summary>Completes when the first request reaches the handler.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers every request with a JSON body, after <paramref name="headers"/> adjusted the response.</summary>
    public void Respond(HttpStatusCode status, string body, Action<HttpResponseMessage>? headers = null) => _respond = _ =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        headers?.Invoke(response);
        return Task.FromResult(response);
    };

    /// <summary>Answers the next request only like this, then as before.</summary>
    public void RespondFirst(HttpStatusCode status, string body, Action<HttpResponseMessage>? headers = null)
    {
        var then = _respond;
        Respond(status, body, headers);
        _first = _respond;
        _respond = then;
    }

    /// <summary>Fails every request with <paramref name="exception"/>.</summary>
    public void Throw(Exception exception) => _respond = _ => throw exception;

    /// <summary>Never answers: every request waits until it is cancelled.</summary>
    public void Hang() => _respond = async ct =>
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? string.Join(", ", values) : null;
        lock (Requests)
        {
            Requests.Add(new(request.Method, request.RequestUri, authorization, request.Content?.Headers.ContentType?.MediaType, body, clock?.Invoke() ?? default));
        }

        if (_first is { } first)
        {
            _first = null;
            return await first(cancellationToken);
        }

        return await _respond!(cancellationToken);
    }
}
