using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SocialCare.Testing.Channels;

/// <summary>
/// A fake messaging platform for send tests: a real Kestrel HTTP server on <c>http://127.0.0.1:{free port}</c> that
/// records every request exactly (method, request target, headers, raw body bytes) in arrival order, and answers with
/// scripted responses (<see cref="RespondWith(FakeResponse)"/>, first in first out), then with
/// <see cref="DefaultResponse"/>. An optional rate limit (<see cref="EnforceRateLimit"/>) answers 429 once a partition
/// (by default the request path) has used its permits in the sliding window, like a platform's per-number limit.
/// </summary>
/// <remarks>
/// Point the adapter under test at <see cref="BaseAddress"/>. The rate-limit window and <see cref="RecordedRequest.ReceivedAt"/>
/// use the <see cref="TimeProvider"/> given to <see cref="StartAsync"/> (the system clock by
/// default); the HTTP traffic itself is real. All members are thread-safe.
/// </remarks>
public sealed class FakePlatformServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<RecordedRequest>> Done)> _waiters = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private WebApplication? _app;
    private RateLimit? _rateLimit;
    private Func<RecordedRequest, FakeResponse> _defaultResponse = static _ => FakeResponse.Json(200, "{}");
    private int _throttled;

    private FakePlatformServer(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>The server's address with a trailing slash, for example <c>http://127.0.0.1:50123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// Answers a request when no scripted response is left. Called under the server's lock, so keep it quick. Default:
    /// 200 with the JSON body <c>{}</c>.
    /// </summary>
    public Func<RecordedRequest, FakeResponse> DefaultResponse
    {
        get
        {
            lock (_gate)
            {
                return _defaultResponse;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                _defaultResponse = value;
            }
        }
    }

    /// <summary>Every request received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many requests the rate limit refused with 429.</summary>
    public int ThrottledCount => Volatile.Read(ref _throttled);

    /// <summary>How many scripted responses are still waiting for a request.</summary>
    public int PendingResponses
    {
        get
        {
            lock (_gate)
            {
                return _scripted.Count;
            }
        }
    }

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <param name="timeProvider">The clock for the rate-limit window and the receive times; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static async Task<FakePlatformServer> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var server = new FakePlatformServer(timeProvider ?? TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>Queues a response for the next request that is not throttled.</summary>
    /// <param name="response">The response.</param>
    public void RespondWith(FakeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (_gate)
        {
            _scripted.Enqueue(response);
        }
    }

    /// <summary>Queues a JSON (or empty) response for the next request that is not throttled.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="json">The JSON body, or null for none.</param>
    /// <param name="retryAfter">When set, a <c>Retry-After</c> header in whole seconds (rounded up).</param>
    public void RespondWith(int statusCode, string? json = null, TimeSpan? retryAfter = null) =>
        RespondWith(json is null ? FakeResponse.Status(statusCode, retryAfter) : FakeResponse.Json(statusCode, json, retryAfter));

    /// <summary>
    /// Enforces a rate limit: each partition may make <paramref name="permits"/> requests in any sliding window of
    /// <paramref name="period"/>; a request over the limit is recorded as <see cref="RecordedRequest.Throttled"/>, counted
    /// in <see cref="ThrottledCount"/>, and answered with <paramref name="throttledResponse"/> (default: 429 with
    /// <c>Retry-After</c> until a permit frees up, and the JSON body <c>{"error":"rate limit exceeded"}</c>). Throttled
    /// requests use no permit and no scripted response. Replaces any earlier limit and forgets its windows.
    /// </summary>
    /// <param name="permits">The requests allowed per window, at least 1.</param>
    /// <param name="period">The window, positive.</param>
    /// <param name="partitionKey">The partition of a request; default its <see cref="RecordedRequest.Path"/> (for example one sending number).</param>
    /// <param name="throttledResponse">The answer to a throttled request, given the wait until a permit frees up.</param>
    public void EnforceRateLimit(int permits, TimeSpan period, Func<RecordedRequest, string>? partitionKey = null, Func<TimeSpan, FakeResponse>? throttledResponse = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        lock (_gate)
        {
            _rateLimit = new RateLimit(permits, period, partitionKey ?? (static r => r.Path), throttledResponse ?? DefaultThrottledResponse);
            _windows.Clear();
        }
    }

    /// <summary>Stops enforcing the rate limit.</summary>
    public void RemoveRateLimit()
    {
        lock (_gate)
        {
            _rateLimit = null;
            _windows.Clear();
        }
    }

    /// <summary>Waits, without polling, until the server has received at least <paramref name="count"/> requests.</summary>
    /// <param name="count">The number of requests.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The requests received by then.</returns>
    public Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        TaskCompletionSource<IReadOnlyList<RecordedRequest>> done;
        lock (_gate)
        {
            if (_requests.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<RecordedRequest>>([.. _requests]);
            }

            done = new TaskCompletionSource<IReadOnlyList<RecordedRequest>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static FakeResponse DefaultThrottledResponse(TimeSpan wait) => FakeResponse.Json(429, """{"error":"rate limit exceeded"}""", wait);

    private async Task HandleAsync(HttpContext context)
    {
        var http = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = http.Path.ToUriComponent() + http.QueryString.ToUriComponent();
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in http.Headers)
        {
            headers[name] = values.ToString();
        }

        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);

        FakeResponse response;
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var request = new RecordedRequest(_requests.Count + 1, http.Method, target, headers, buffer.ToArray(), now);
            response = Answer(request, now);
            request.StatusCode = response.StatusCode;
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _requests.Count)
                {
                    _waiters[i].Done.TrySetResult([.. _requests]);
                    _waiters.RemoveAt(i);
                }
            }
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentLength = response.Body.Length;
        if (!response.Body.IsEmpty)
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private FakeResponse Answer(RecordedRequest request, DateTimeOffset now)
    {
        if (_rateLimit is { } limit)
        {
            var key = limit.PartitionKey(request);
            if (!_windows.TryGetValue(key, out var window))
            {
                window = new Queue<DateTimeOffset>();
                _windows[key] = window;
            }

            while (window.Count > 0 && window.Peek() <= now - limit.Period)
            {
                window.Dequeue();
            }

            if (window.Count >= limit.Permits)
            {
                request.Throttled = true;
                Interlocked.Increment(ref _throttled);
                return limit.ThrottledResponse(window.Peek() + limit.Period - now);
            }

            window.Enqueue(now);
        }

        return _scripted.TryDequeue(out var scripted) ? scripted : _defaultResponse(request);
    }

    private sealed record RateLimit(int Permits, TimeSpan Period, Func<RecordedRequest, string> PartitionKey, Func<TimeSpan, FakeResponse> ThrottledResponse);
}
