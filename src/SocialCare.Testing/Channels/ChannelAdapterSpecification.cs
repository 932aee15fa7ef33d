using SocialCare.Channels;
using Xunit;

namespace SocialCare.Testing.Channels;

/// <summary>
/// The base of the channel adapter specification suites: the fixture and checked calls into the adapter. Derive from a
/// suite (<see cref="ChannelWebhookSpecification{TFixture}"/>, <see cref="ChannelSendSpecification{TFixture}"/>), not
/// from this class, in an adapter's test project.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class ChannelAdapterSpecification<TFixture> : IClassFixture<TFixture>
    where TFixture : ChannelAdapterFixture
{
    /// <summary>Creates the suite.</summary>
    /// <param name="fixture">The adapter's fixture.</param>
    protected ChannelAdapterSpecification(TFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Fixture = fixture;
    }

    /// <summary>The adapter's fixture.</summary>
    protected TFixture Fixture { get; }

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Calls <see cref="IChannelAdapter.HandleAsync"/>, failing the test (naming <paramref name="what"/>) if it throws.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <param name="request">The request.</param>
    /// <param name="what">What the request is, for the failure message.</param>
    /// <returns>The result.</returns>
    protected static async Task<WebhookResult> HandleAsync(IChannelAdapter adapter, WebhookRequest request, string what)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        try
        {
            var result = await adapter.HandleAsync(request, Ct);
            Assert.True(result is not null, $"HandleAsync returned null for {what}.");
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !Ct.IsCancellationRequested)
        {
            Assert.Fail($"HandleAsync threw for {what}; it must never throw for bad input (return WebhookResult.Rejected or Unparseable). {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>Calls <see cref="IChannelAdapter.SendAsync"/>, failing the test if it throws (only cancellation may throw).</summary>
    /// <param name="adapter">The adapter.</param>
    /// <param name="message">The message.</param>
    /// <returns>The result.</returns>
    protected static async Task<SendResult> SendAsync(IChannelAdapter adapter, OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        try
        {
            var result = await adapter.SendAsync(message, Ct);
            Assert.True(result is not null, "SendAsync returned null.");
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !Ct.IsCancellationRequested)
        {
            Assert.Fail($"SendAsync threw; platform failures must be returned as SendResult.Failed, only cancellation throws. {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>A copy of a request with another body and the same method, URL, headers, registration and account.</summary>
    /// <param name="request">The original.</param>
    /// <param name="body">The new body.</param>
    /// <returns>The copy.</returns>
    protected static WebhookRequest WithBody(WebhookRequest request, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new WebhookRequest(request.Method, request.Url, request.Headers, body)
        {
            RegistrationName = request.RegistrationName,
            Account = request.Account,
        };
    }

    /// <summary>Asserts a result is a refusal with a 4xx status code and a reason.</summary>
    /// <param name="result">The result.</param>
    /// <param name="what">What the request was, for the failure message.</param>
    protected static void AssertRejected(WebhookResult result, string what)
    {
        var rejected = Assert.IsType<WebhookRejected>(result, exactMatch: true);
        Assert.True(rejected.StatusCode is >= 400 and < 500, $"{what} was rejected with status {rejected.StatusCode}; use a 4xx status (401 or 403).");
        Assert.False(string.IsNullOrWhiteSpace(rejected.Reason), $"{what} was rejected without a reason.");
    }
}
