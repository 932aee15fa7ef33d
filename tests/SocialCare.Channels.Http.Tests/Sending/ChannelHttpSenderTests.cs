using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace SocialCare.Channels.Http.Sending;

public sealed class ChannelHttpSenderTests
{
    private static readonly Uri Url = new("https://api.example/messages");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<HttpRequestMessage> _requests = [];

    private HttpClient Client(Func<int, HttpResponseMessage> respond) => new(new Handler(request =>
    {
        _requests.Add(request);
        return respond(_requests.Count);
    }));

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static SendResult Read(HttpResponseMessage response, byte[] bytes) =>
        response.IsSuccessStatusCode
            ? SendResult.Sent(Encoding.UTF8.GetString(bytes))
            : SendResult.Failed(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), "platform error", isRetryable: false);

    private Task<SendResult> Send(ChannelHttpSender sender, HttpClient client, ResiliencePipeline<HttpResponseMessage>? pipeline = null, CancellationToken cancellationToken = default) =>
        sender.SendAsync(pipeline ?? ResiliencePipeline<HttpResponseMessage>.Empty, client, "account-1", "recipient-1", () => new HttpRequestMessage(HttpMethod.Post, Url), Read, cancellationToken).AsTask();

    [Fact]
    public async Task SendAsync_Answer_IsReadWithItsBody()
    {
        using var client = Client(_ => Json(HttpStatusCode.OK, "msg-1"));

        Assert.Equal(SendResult.Sent("msg-1"), await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_PlatformError_IsLeftToTheReader()
    {
        using var client = Client(_ => Json(HttpStatusCode.BadRequest, "{}"));

        Assert.Equal(SendResult.Failed("400", "platform error", isRetryable: false), await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_RetriedByThePipeline_SendsAFreshRequestPerAttemptAndInspectsEach()
    {
        var inspected = 0;
        var sender = new ChannelHttpSender("Test API") { OnAttemptResponse = (_, _) => { inspected++; return Task.CompletedTask; } };
        using var client = Client(attempt => attempt == 1
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero) } }
            : Json(HttpStatusCode.OK, "msg-2"));
        var pipeline = new ChannelResiliencePipelineFactory(_time).Create("test", new ChannelResilienceOptions { UseJitter = false });

        var result = await Send(sender, client, pipeline);

        Assert.Equal(SendResult.Sent("msg-2"), result);
        Assert.Equal(2, _requests.Count);
        Assert.NotSame(_requests[0], _requests[1]);
        Assert.Equal(2, inspected);
    }

    [Fact]
    public async Task SendAsync_NetworkError_IsRetryable()
    {
        using var client = Client(_ => throw new HttpRequestException("connection refused"));

        Assert.Equal(
            SendResult.Failed("network", "Could not reach the Test API: connection refused", isRetryable: true),
            await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_HttpErrorWithStatus_UsesTheStatusAsCode()
    {
        using var client = Client(_ => throw new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway));

        var failed = Assert.IsType<SendFailed>(await Send(new ChannelHttpSender("Test API"), client));

        Assert.Equal(("502", true), (failed.ErrorCode, failed.IsRetryable));
    }

    [Fact]
    public async Task SendAsync_OpenCircuit_IsRetryableAfterTheBreak()
    {
        using var client = Client(_ => throw new BrokenCircuitException("open", TimeSpan.FromSeconds(12)));

        Assert.Equal(
            SendResult.Failed("circuit-open", "Recent sends to the Test API kept failing; sending is paused for a while.", isRetryable: true, TimeSpan.FromSeconds(12)),
            await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_RateLimited_IsRetryableAfterTheWait()
    {
        var limited = new ChannelRateLimitedException("account-1", TimeSpan.FromSeconds(3));
        using var client = Client(_ => throw limited);

        Assert.Equal(
            SendResult.Failed("rate-limited", limited.Message, isRetryable: true, TimeSpan.FromSeconds(3)),
            await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_Timeout_IsNotRetryableByDefault()
    {
        using var client = Client(_ => throw new TimeoutRejectedException());

        Assert.Equal(
            SendResult.Failed("timeout", "The Test API did not answer in time; the message may or may not have been sent, so it is not retried.", isRetryable: false),
            await Send(new ChannelHttpSender("Test API"), client));
    }

    [Fact]
    public async Task SendAsync_HttpClientTimeout_IsATimeoutWithTheGivenReasonAndRetryability()
    {
        using var client = Client(_ => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout."));
        var sender = new ChannelHttpSender("Test API") { TimeoutReason = "No answer; the platform de-duplicates.", IsTimeoutRetryable = true };

        Assert.Equal(SendResult.Failed("timeout", "No answer; the platform de-duplicates.", isRetryable: true), await Send(sender, client));
    }

    [Fact]
    public async Task SendAsync_Cancelled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        using var client = Client(_ =>
        {
            cancellation.Cancel();
            throw new TaskCanceledException();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(new ChannelHttpSender("Test API"), client, cancellationToken: cancellation.Token));
    }

    [Fact]
    public void GetRetryAfter_ReadsDeltaOrDateOnTheGivenClock()
    {
        using var none = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        using var delta = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)) } };
        using var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(2)) } };
        using var past = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(-2)) } };

        Assert.Null(none.GetRetryAfter(_time));
        Assert.Equal(TimeSpan.FromSeconds(30), delta.GetRetryAfter(_time));
        Assert.Equal(TimeSpan.FromMinutes(2), date.GetRetryAfter(_time));
        Assert.Equal(TimeSpan.Zero, past.GetRetryAfter(_time));
    }

    private sealed class Handler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond(request));
    }
}
