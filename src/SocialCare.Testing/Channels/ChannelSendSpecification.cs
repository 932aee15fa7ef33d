using SocialCare.Channels;
using Xunit;

namespace SocialCare.Testing.Channels;

/// <summary>
/// Sending: what every HTTP channel adapter does against a <see cref="FakePlatformServer"/> that accepts, fails,
/// throttles or refuses. An adapter may either return a platform failure to its caller (a retryable
/// <see cref="SendFailed"/>, which the outbox reschedules) or retry it internally; both are accepted where noted, but a
/// message is never accepted by the platform twice, and a failure the adapter returns says whether a retry can help.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
/// <param name="fixture">The adapter's fixture.</param>
public abstract class ChannelSendSpecification<TFixture>(TFixture fixture) : ChannelAdapterSpecification<TFixture>(fixture)
    where TFixture : ChannelAdapterFixture
{
    /// <summary>The <c>Retry-After</c> the throttling fact's platform asks for.</summary>
    protected static readonly TimeSpan ThrottleWait = TimeSpan.FromSeconds(2);

    /// <summary>An instant long before any customer-service window: 2000-01-01.</summary>
    protected static readonly DateTimeOffset LongAgo = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The most requests one send may make when the platform keeps failing (the first attempt and its retries).</summary>
    protected const int MaxAttemptsPerSend = 10;

    /// <summary>The sample message is sent with exactly one platform request and succeeds with the platform's id.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_Sample_SucceedsWithOnePlatformRequest()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);

        var result = await SendAsync(adapter, Fixture.CreateSampleMessage());

        var sent = Assert.IsType<SendSucceeded>(result, exactMatch: true);
        Assert.False(string.IsNullOrEmpty(sent.PlatformMessageId), "SendSucceeded has no platform message id.");
        Assert.Single(server.Requests);
    }

    /// <summary>
    /// The platform fails once with a server error (then accepts): the adapter returns a retryable
    /// <see cref="SendFailed"/> after that one request, or retries internally and succeeds — with exactly one accepted
    /// request.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_ServerErrorOnce_IsRetryableFailureOrRetriedOnce()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        server.RespondWith(Fixture.ServerErrorResponse());

        var result = await SendAsync(adapter, Fixture.CreateSampleMessage());

        var requests = server.Requests;
        switch (result)
        {
            case SendFailed failed:
                Assert.True(failed.IsRetryable, $"A platform server error must be a retryable failure: {failed}.");
                Assert.Single(requests);
                break;
            case SendSucceeded:
                Assert.True(requests.Count >= 2, "The send succeeded although the platform failed its only request.");
                Assert.Equal(1, AcceptedCount(requests));
                Assert.True(IsSuccess(requests[^1].StatusCode), "The adapter kept calling the platform after it accepted the message.");
                break;
        }
    }

    /// <summary>
    /// The platform keeps failing with server errors: the send ends as a retryable <see cref="SendFailed"/> after at
    /// most <see cref="MaxAttemptsPerSend"/> requests.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_ServerErrorAlways_IsRetryableFailureAfterBoundedAttempts()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        server.DefaultResponse = _ => Fixture.ServerErrorResponse();

        var result = await SendAsync(adapter, Fixture.CreateSampleMessage());

        var failed = Assert.IsType<SendFailed>(result, exactMatch: true);
        Assert.True(failed.IsRetryable, $"A platform server error must be a retryable failure: {failed}.");
        Assert.InRange(server.Requests.Count, 1, MaxAttemptsPerSend);
    }

    /// <summary>
    /// The platform throttles once with 429 and <c>Retry-After: 2</c> (then accepts): the adapter returns a retryable
    /// <see cref="SendFailed"/> whose <see cref="SendFailed.RetryAfter"/> is at least 2 seconds after that one request,
    /// or waits at least that long itself before retrying and succeeds — with exactly one accepted request.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_ThrottledWithRetryAfter_IsRetryableWithTheWaitOrWaitedFor()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        server.RespondWith(Fixture.ThrottledResponse(ThrottleWait));

        var result = await SendAsync(adapter, Fixture.CreateSampleMessage());

        var requests = server.Requests;
        switch (result)
        {
            case SendFailed failed:
                Assert.True(failed.IsRetryable, $"Throttling must be a retryable failure: {failed}.");
                Assert.True(failed.RetryAfter >= ThrottleWait, $"The platform asked to wait {ThrottleWait}; SendFailed.RetryAfter is {failed.RetryAfter?.ToString() ?? "null"}.");
                Assert.Single(requests);
                break;
            case SendSucceeded:
                Assert.True(requests.Count >= 2, "The send succeeded although the platform throttled its only request.");
                Assert.Equal(1, AcceptedCount(requests));
                var waited = requests[1].ReceivedAt - requests[0].ReceivedAt;
                Assert.True(waited >= ThrottleWait - TimeSpan.FromMilliseconds(100), $"The adapter retried after {waited}; the platform asked to wait {ThrottleWait}.");
                break;
        }
    }

    /// <summary>
    /// The platform refuses the message for good (400): the send is a <see cref="SendFailed"/> that is not retryable, with
    /// a reason, after exactly one request.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_Refused_IsNotRetryableFailure()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        server.RespondWith(Fixture.RefusedResponse());

        var result = await SendAsync(adapter, Fixture.CreateSampleMessage());

        var failed = Assert.IsType<SendFailed>(result, exactMatch: true);
        Assert.False(failed.IsRetryable, $"A refusal must not be retryable: {failed}.");
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason), "SendFailed has no reason.");
        Assert.Single(server.Requests);
    }

    /// <summary>
    /// A text one character longer than <see cref="ChannelCapabilities.MaxTextLength"/> is a <see cref="SendFailed"/>
    /// that is not retryable, and the platform is not called at all.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_TextLongerThanMaxTextLength_FailsWithoutCallingThePlatform()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        var message = Fixture.CreateSampleMessage() with { Text = new string('a', adapter.Capabilities.MaxTextLength + 1) };

        var result = await SendAsync(adapter, message);

        var failed = Assert.IsType<SendFailed>(result, exactMatch: true);
        Assert.False(failed.IsRetryable, $"A text over the limit must not be retryable: {failed}.");
        Assert.Empty(server.Requests);
    }

    /// <summary>A text of exactly <see cref="ChannelCapabilities.MaxTextLength"/> characters is sent.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_TextOfMaxTextLength_Succeeds()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        var message = Fixture.CreateSampleMessage() with { Text = new string('a', adapter.Capabilities.MaxTextLength) };

        Assert.IsType<SendSucceeded>(await SendAsync(adapter, message), exactMatch: true);
        Assert.Single(server.Requests);
    }

    /// <summary>
    /// On a platform with a customer-service window (<see cref="ChannelCapabilities.CustomerServiceWindow"/>), a free-form
    /// text to a customer who last wrote long before it (<see cref="OutboundMessage.LastCustomerMessageAt"/> on
    /// 2000-01-01) is a <see cref="SendFailed"/> that is not retryable, and the platform is not called. Skipped when the
    /// platform has no window.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_FreeFormOutsideServiceWindow_FailsWithoutCallingThePlatform()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        Assert.SkipWhen(adapter.Capabilities.CustomerServiceWindow is null, "The platform has no customer-service window (ChannelCapabilities.CustomerServiceWindow is null).");
        var message = Fixture.CreateSampleMessage() with { LastCustomerMessageAt = LongAgo, Template = null };

        var result = await SendAsync(adapter, message);

        var failed = Assert.IsType<SendFailed>(result, exactMatch: true);
        Assert.False(failed.IsRetryable, $"A free-form reply outside the service window must not be retryable (only a template can be sent): {failed}.");
        Assert.Empty(server.Requests);
    }

    /// <summary>
    /// On a platform with a customer-service window and templates, a template is sent even when the customer last wrote
    /// long before the window. Skipped when the platform has no window or no templates.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_TemplateOutsideServiceWindow_IsSent()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        Assert.SkipUnless(adapter.Capabilities is { CustomerServiceWindow: not null, SupportsTemplates: true }, "The platform has no customer-service window or no templates.");
        var message = Fixture.CreateSampleMessage() with { LastCustomerMessageAt = LongAgo, Text = null, Template = new MessageTemplate("hello_world", "en_US", []) };

        Assert.IsType<SendSucceeded>(await SendAsync(adapter, message), exactMatch: true);
        Assert.Single(server.Requests);
    }

    /// <summary>
    /// <see cref="IChannelAdapter.CheckOutbound"/> answers without calling the platform: nothing for the sample message
    /// (and for a template outside the service window, where the platform has both), a not-retryable refusal for a text
    /// over <see cref="ChannelCapabilities.MaxTextLength"/> (and for a free-form text outside the window, where there is
    /// one) — the same code and reason <see cref="IChannelAdapter.SendAsync"/> then returns. The engine calls it before it
    /// stores an agent's reply, so an adapter that leaves the default (refuse nothing) lets a reply be queued that can
    /// only fail.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task CheckOutbound_RefusesWhatSendRefuses_WithoutCallingThePlatform()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        var sample = Fixture.CreateSampleMessage();
        var tooLong = sample with { Text = new string('a', adapter.Capabilities.MaxTextLength + 1) };

        Assert.Null(adapter.CheckOutbound(sample));
        var refused = adapter.CheckOutbound(tooLong);
        Assert.True(refused is { IsRetryable: false }, $"CheckOutbound must refuse a text over MaxTextLength, not retryable; it answered {refused?.ToString() ?? "null"}.");
        if (adapter.Capabilities.CustomerServiceWindow is not null)
        {
            Assert.NotNull(adapter.CheckOutbound(sample with { LastCustomerMessageAt = LongAgo, Template = null }));
            if (adapter.Capabilities.SupportsTemplates)
            {
                Assert.Null(adapter.CheckOutbound(sample with { LastCustomerMessageAt = LongAgo, Text = null, Template = new MessageTemplate("hello_world", "en_US", []) }));
            }
        }

        Assert.Empty(server.Requests);
        var sent = Assert.IsType<SendFailed>(await SendAsync(adapter, tooLong), exactMatch: true);
        Assert.Equal((refused!.ErrorCode, refused.Reason), (sent.ErrorCode, sent.Reason));
        Assert.Empty(server.Requests);
    }

    /// <summary>A send with an already cancelled token throws <see cref="OperationCanceledException"/> and the platform accepts nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Send_Cancelled_ThrowsOperationCanceled()
    {
        var (adapter, server) = await Fixture.CreateSendingAdapterAsync(Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await adapter.SendAsync(Fixture.CreateSampleMessage(), cancelled.Token));

        Assert.Equal(0, AcceptedCount(server.Requests));
    }

    private static bool IsSuccess(int statusCode) => statusCode is >= 200 and < 300;

    private static int AcceptedCount(IReadOnlyList<RecordedRequest> requests) => requests.Count(r => IsSuccess(r.StatusCode));
}
