using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SocialCare.Storage;

namespace SocialCare.AspNetCore.Webhooks;

/// <summary>The endpoints' own behaviour, with the test adapter deciding the verdict.</summary>
public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private static readonly ChannelAccount Account = new(TestChannelAdapter.TestKind, "acct-1");
    private static readonly ContactHandle Customer = new(TestChannelAdapter.TestKind, "cust-1");

    private WebhookHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WebhookHost.StartAsync(o => o.MaxRequestBodySize = 1024);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static InboundMessage Message(string id, string? text, DateTimeOffset at) => new()
    {
        WorkspaceId = WebhookHost.Workspace,
        Channel = Account,
        Customer = Customer,
        OccurredAt = at,
        PlatformMessageId = id,
        Text = text,
    };

    [Fact]
    public async Task Post_UnknownChannel_Returns404ProblemNamingKnownChannels()
    {
        using var response = await _host.Client.PostAsync("/webhooks/telegraph", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("telegraph", problem, StringComparison.Ordinal);
        Assert.Contains("test, whatsapp", problem, StringComparison.Ordinal);
        Assert.Empty(_host.TestAdapter.Requests);
    }

    [Fact]
    public async Task Post_HandsAdapterTheExactRequest()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, (byte)'{', 0xFF, 0x00, (byte)'}', (byte)'\r', (byte)'\n'];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/test/main?sig=a%2Bb&x=1") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Signature", "abc");
        request.Headers.Add("X-Multi", ["one", "two"]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_host.TestAdapter.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal(new Uri(_host.Client.BaseAddress!, "/webhooks/test/main?sig=a%2Bb&x=1").AbsoluteUri, received.Url.OriginalString);
        Assert.Equal("a+b", received.GetQuery("sig"));
        Assert.Equal("main", received.RegistrationName);
        Assert.Null(received.Account);
        Assert.Equal("abc", received.GetHeader("x-signature"));
        Assert.Equal("one, two", received.GetHeader("X-Multi"));
        Assert.Equal("application/octet-stream", received.GetHeader("Content-Type"));
        Assert.Equal(body, received.Body.ToArray());
    }

    [Fact]
    public async Task Post_WithoutRegistration_HasNoRegistrationName()
    {
        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Assert.Single(_host.TestAdapter.Requests).RegistrationName);
    }

    [Fact]
    public async Task Get_Handshake_AnswersExactStatusContentTypeAndBody()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Handshake("{\"challenge\":\"é42\"}", "application/json", 202);

        using var response = await _host.Client.GetAsync("/webhooks/test?challenge=42");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"challenge\":\"é42\"}"u8.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Post_Unparseable_Returns200AndKeepsDeadLetterWithExactBytes()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("field 'kind' has unknown value 'poll'");
        _host.Time.Advance(TimeSpan.FromMinutes(3));
        byte[] body = [0xFF, 0xFE, (byte)'x', 0x00, 0x80];

        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-test");
        using var response = await _host.Client.PostAsync("/webhooks/test/main?a=1", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadLetter = Assert.Single(await _host.DeadLettersAsync());
        Assert.Equal(TestChannelAdapter.TestKind, deadLetter.Channel);
        Assert.Equal("main", deadLetter.RegistrationName);
        Assert.Equal("field 'kind' has unknown value 'poll'", deadLetter.Reason);
        Assert.Equal(WebhookHost.Start.AddMinutes(3), deadLetter.ReceivedAt);
        Assert.Equal("POST", deadLetter.Method);
        Assert.EndsWith("/webhooks/test/main?a=1", deadLetter.Url, StringComparison.Ordinal);
        Assert.Equal("application/x-test", deadLetter.ContentType);
        Assert.Equal(body, deadLetter.Body.ToArray());
        Assert.Equal(7, deadLetter.Id.Version);
    }

    [Fact]
    public async Task Post_Rejected_AnswersAdapterStatusAndShortBody()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Rejected(403, "token 's3cr3t' is wrong");

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Forbidden.", await response.Content.ReadAsStringAsync());
        Assert.Empty(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_Events_IngestedInOrderBefore200()
    {
        var at = WebhookHost.Start.AddMinutes(-10);
        _host.TestAdapter.Verdict = _ => WebhookResult.Events(
        [
            Message("m1", "first", at),
            new InboundEdit { WorkspaceId = WebhookHost.Workspace, Channel = Account, Customer = Customer, OccurredAt = at.AddMinutes(1), PlatformMessageId = "m1", Text = "first, edited" },
            Message("m2", "second", at.AddMinutes(2)),
        ]);

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = await _host.InStoreAsync(s => s.FindMessageAsync(Account, "m1", CancellationToken.None).AsTask());
        var second = await _host.InStoreAsync(s => s.FindMessageAsync(Account, "m2", CancellationToken.None).AsTask());
        Assert.Equal("first, edited", first?.Text);
        Assert.True(first!.Sequence < second!.Sequence);
    }

    [Fact]
    public async Task Post_AdapterProducesInvalidEvent_KeepsDeadLetterAndReturns200()
    {
        var at = WebhookHost.Start.AddMinutes(-10);
        _host.TestAdapter.Verdict = _ => WebhookResult.Events([Message("m1", "fine", at), Message("m2", text: null, at)]);
        var body = Encoding.UTF8.GetBytes("two messages");

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadLetter = Assert.Single(await _host.DeadLettersAsync());
        Assert.StartsWith("Event 2 of 2 (InboundMessage) was refused: InboundMessage.Text", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(body, deadLetter.Body.ToArray());
        Assert.NotNull(await _host.InStoreAsync(s => s.FindMessageAsync(Account, "m1", CancellationToken.None).AsTask()));
        Assert.Null(await _host.InStoreAsync(s => s.FindMessageAsync(Account, "m2", CancellationToken.None).AsTask()));
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Returns413WithoutCallingAdapter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/test") { Content = new ByteArrayContent(new byte[2048]) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_host.TestAdapter.Requests);
        Assert.Empty(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_BodyAtLimit_IsAccepted()
    {
        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent(new byte[1024]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1024, Assert.Single(_host.TestAdapter.Requests).Body.Length);
    }

    [Fact]
    public async Task Post_CountsEachRequestByChannelAndOutcome()
    {
        using var collector = new MetricCollector<long>(_host.Services.GetRequiredService<IMeterFactory>(), "SocialCare", SocialCareWebhookDiagnostics.WebhooksReceived);
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("unknown");

        using (await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1])))
        {
        }

        using (await _host.Client.PostAsync("/webhooks/nope", new ByteArrayContent([1])))
        {
        }

        await collector.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(30)); // a bound, not a sleep: fails instead of hanging
        var measurements = collector.GetMeasurementSnapshot();
        Assert.Contains(measurements, m => m.Value == 1 && Tag(m, "socialcare.channel.kind") == "test" && Tag(m, "socialcare.outcome") == "unparseable");
        Assert.Contains(measurements, m => m.Value == 1 && Tag(m, "socialcare.channel.kind") == "unknown" && Tag(m, "socialcare.outcome") == "unknown_channel");
    }

    private static string? Tag(CollectedMeasurement<long> measurement, string name) =>
        measurement.Tags.TryGetValue(name, out var value) ? value as string : null;
}
