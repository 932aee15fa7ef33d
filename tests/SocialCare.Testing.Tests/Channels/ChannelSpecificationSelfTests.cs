using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SocialCare.Channels;
using SocialCare.Testing.Channels;

namespace SocialCare.Testing.Tests.Channels;

/// <summary>
/// The channel specification suites run against a small, correct reference adapter: webhooks through
/// <see cref="RecordingChannelAdapter"/>'s signed built-in format, sends as JSON POSTs to the fake platform.
/// </summary>
public class ReferenceAdapterFixture : ChannelAdapterFixture
{
    private const string Secret = "reference-secret";

    /// <summary>What the adapter gets wrong (for the tests that prove the suites catch it).</summary>
    internal Flaws Flaws { get; init; }

    /// <summary>Whether the adapter retries 5xx and 429 itself (honouring Retry-After) instead of returning them.</summary>
    internal bool RetriesInternally { get; init; }

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(
        """{"workspace":"ws-a","account":"acct-1","messages":[{"id":"m-1","from":"c-1","text":"Hello","at":"2026-03-01T09:00:00Z"}],"statuses":[{"id":"fake-1","to":"c-1","status":"delivered","at":"2026-03-01T09:00:01Z"}]}"""u8.ToArray());

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => RecordingChannelAdapter.CreateWebhookRequest(body, Secret);

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => RecordingChannelAdapter.CreateWebhookRequest(body, "not-the-secret");

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => RecordingChannelAdapter.CreateWebhookRequest(body);

    public override OutboundMessage CreateSampleMessage() => RecordingChannelAdapterTests.Message("Hello from the reference adapter");

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(200, $$"""{"id":"ref-{{request.Sequence}}"}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var client = new HttpClient { BaseAddress = platformBaseAddress };
        RegisterForDisposal(client);
        var webhooks = new RecordingChannelAdapter { WebhookSecret = Flaws.HasFlag(Flaws.AcceptsUnsigned) ? null : Secret };
        return ValueTask.FromResult<IChannelAdapter>(new ReferenceHttpAdapter(webhooks, client, Flaws, RetriesInternally));
    }
}

public sealed class RetryingReferenceAdapterFixture : ReferenceAdapterFixture
{
    public RetryingReferenceAdapterFixture() => RetriesInternally = true;
}

public sealed class RetryingReferenceAdapterSendTests(RetryingReferenceAdapterFixture f) : ChannelSendSpecification<RetryingReferenceAdapterFixture>(f);

public sealed class ReferenceAdapterWebhookTests(ReferenceAdapterFixture f) : ChannelWebhookSpecification<ReferenceAdapterFixture>(f);

public sealed class ReferenceAdapterSendTests(ReferenceAdapterFixture f) : ChannelSendSpecification<ReferenceAdapterFixture>(f);

public sealed class ChannelSpecificationGuardTests
{
    [Fact]
    public void AllSuites_AreRunAgainstTheReferenceAdapter() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(ChannelSpecificationGuardTests).Assembly);

    [Fact]
    public void Guard_AssemblyWithoutSuites_FailsNamingTheMissingSuites()
    {
        var ex = Assert.ThrowsAny<Exception>(() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(string).Assembly));
        Assert.Contains("ChannelSendSpecification", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ChannelWebhookSpecification", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ChannelSpecificationGuard.Suites().Count);
    }
}

[Flags]
public enum Flaws
{
    None = 0,
    AcceptsUnsigned = 1,
    ThrowsOnGarbage = 2,
    IgnoresMaxTextLength = 4,
    ServerErrorNotRetryable = 8,
    DropsRetryAfter = 16,
    RetriesWithoutWaiting = 32,
    RetriesRefusals = 64,
    HasNoCapabilities = 128,
    NoOutboundCheck = 256,
}

/// <summary>
/// A minimal correct HTTP adapter, unless given flaws: POST {base}messages with {"to","text"}; 5xx and 429 returned as
/// retryable failures, or retried internally (up to 3 times, waiting Retry-After).
/// </summary>
internal sealed class ReferenceHttpAdapter(RecordingChannelAdapter webhooks, HttpClient client, Flaws flaws = Flaws.None, bool retriesInternally = false) : IChannelAdapter
{
    public ChannelKind Kind => webhooks.Kind;

    public ChannelCapabilities Capabilities { get; } = flaws.HasFlag(Flaws.HasNoCapabilities)
        ? new() { MaxTextLength = 0, SupportsPrivate = false }
        : new() { MaxTextLength = 100, SupportsPrivate = true };

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken) =>
        flaws.HasFlag(Flaws.ThrowsOnGarbage) && request.Body.Length > 0 && request.Body.Span[0] != (byte)'{'
            ? throw new JsonException("garbage")
            : webhooks.HandleAsync(request, cancellationToken);

    public SendFailed? CheckOutbound(OutboundMessage message) => flaws.HasFlag(Flaws.NoOutboundCheck) ? null : Refusal(message);

    public async ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Refusal(message) is { } refused)
        {
            return refused;
        }

        var text = message.Text!;

        for (var attempt = 1; ; attempt++)
        {
            var result = await SendOnceAsync(message.Recipient.ExternalId, text, cancellationToken);
            var again = result is SendFailed failed
                && attempt < 4
                && ((retriesInternally && failed.IsRetryable) || (flaws.HasFlag(Flaws.RetriesRefusals) && !failed.IsRetryable));
            if (!again)
            {
                return result;
            }

            var wait = ((SendFailed)result).RetryAfter;
            if (wait is { } delay && !flaws.HasFlag(Flaws.RetriesWithoutWaiting))
            {
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private SendFailed? Refusal(OutboundMessage message) =>
        message.Text is not { Length: > 0 } text || (text.Length > Capabilities.MaxTextLength && !flaws.HasFlag(Flaws.IgnoresMaxTextLength))
            ? SendResult.Failed("too-long", $"The text must have 1 to {Capabilities.MaxTextLength} characters.", isRetryable: false)
            : null;

    private async Task<SendResult> SendOnceAsync(string to, string text, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["to"] = to, ["text"] = text }), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("messages", content, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return SendResult.Sent(json.RootElement.GetProperty("id").GetString()!);
            }

            var retryable = (status >= 500 && !flaws.HasFlag(Flaws.ServerErrorNotRetryable)) || response.StatusCode is HttpStatusCode.TooManyRequests;
            var retryAfter = flaws.HasFlag(Flaws.DropsRetryAfter) ? null : response.Headers.RetryAfter?.Delta;
            return SendResult.Failed(status.ToString(CultureInfo.InvariantCulture), $"The platform answered {status}.", retryable, retryAfter);
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Failed("network", ex.Message, isRetryable: true);
        }
    }
}
