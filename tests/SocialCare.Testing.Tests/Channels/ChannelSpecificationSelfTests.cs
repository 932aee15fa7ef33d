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
public sealed class ReferenceAdapterFixture : ChannelAdapterFixture
{
    private const string Secret = "reference-secret";

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
        return ValueTask.FromResult<IChannelAdapter>(new ReferenceHttpAdapter(new RecordingChannelAdapter { WebhookSecret = Secret }, client));
    }
}

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

/// <summary>A minimal correct HTTP adapter: POST {base}messages with {"to","text"}; no internal retries.</summary>
internal sealed class ReferenceHttpAdapter(RecordingChannelAdapter webhooks, HttpClient client) : IChannelAdapter
{
    public ChannelKind Kind => webhooks.Kind;

    public ChannelCapabilities Capabilities { get; } = new() { MaxTextLength = 100, SupportsPrivate = true };

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken) => webhooks.HandleAsync(request, cancellationToken);

    public async ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (message.Text is not { Length: > 0 } text || text.Length > Capabilities.MaxTextLength)
        {
            return SendResult.Failed("too-long", $"The text must have 1 to {Capabilities.MaxTextLength} characters.", isRetryable: false);
        }

        try
        {
            using var content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["to"] = message.Recipient.ExternalId, ["text"] = text }), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("messages", content, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return SendResult.Sent(json.RootElement.GetProperty("id").GetString()!);
            }

            var retryable = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests;
            return SendResult.Failed(status.ToString(CultureInfo.InvariantCulture), $"The platform answered {status}.", retryable, response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Failed("network", ex.Message, isRetryable: true);
        }
    }
}
