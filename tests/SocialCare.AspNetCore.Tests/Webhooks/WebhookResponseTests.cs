using System.Net;
using System.Text;

namespace SocialCare.AspNetCore.Webhooks;

/// <summary>
/// An adapter's answer (<see cref="WebhookEvents.Response"/>, <see cref="WebhookUnparseable.Response"/>, e.g.
/// Telegram's answerCallbackQuery) is the body of the 200 only once the request is kept: every event stored, or the
/// request dead-lettered. A request that could not be stored answers 503 without it.
/// </summary>
public sealed class WebhookResponseTests : IAsyncLifetime
{
    private const string AnswerJson = "{\"method\":\"answerCallbackQuery\",\"callback_query_id\":\"é-4382bfdwdsb323b2d9\"}";

    private static readonly ChannelAccount Account = new(TestChannelAdapter.TestKind, "acct-1");
    private static readonly ContactHandle Customer = new(TestChannelAdapter.TestKind, "cust-1");
    private static readonly WebhookResponse Answer = new("application/json", AnswerJson);

    private WebhookHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WebhookHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static InboundMessage Message(string id, string? text) => new()
    {
        WorkspaceId = WebhookHost.Workspace,
        Channel = Account,
        Customer = Customer,
        OccurredAt = WebhookHost.Start.AddMinutes(-1),
        PlatformMessageId = id,
        Text = text,
    };

    private Task<Message?> StoredAsync(string id) =>
        _host.InStoreAsync(s => s.FindMessageAsync(Account, id, CancellationToken.None).AsTask());

    [Fact]
    public async Task Post_EventsWithResponse_Answers200WithExactContentTypeAndBody_AfterStoringTheEvents()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Events([Message("m1", "pressed"), Message("m2", "again")]) with { Response = Answer };

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(AnswerJson), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("pressed", (await StoredAsync("m1"))?.Text);
        Assert.Equal("again", (await StoredAsync("m2"))?.Text);
        Assert.Empty(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_EventsWithoutResponse_Answers200WithEmptyBody()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Events([Message("m1", "hello")]);

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(response.Content.Headers.ContentType);
        Assert.NotNull(await StoredAsync("m1"));
    }

    [Fact]
    public async Task Post_EventRefusedAndDeadLettered_Answers200WithTheResponse_AfterKeepingTheDeadLetter()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Events([Message("m1", "fine"), Message("m2", text: null)]) with { Response = Answer };

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(AnswerJson), await response.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("Event 2 of 2 (InboundMessage) was refused", Assert.Single(await _host.DeadLettersAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnparseableWithResponse_Answers200WithExactContentTypeAndBody_AfterKeepingTheDeadLetter()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("callback_query 77 has no data") with { Response = Answer };

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([4, 2]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(AnswerJson), await response.Content.ReadAsByteArrayAsync());
        var kept = Assert.Single(await _host.DeadLettersAsync());
        Assert.Equal("callback_query 77 has no data", kept.Reason);
        Assert.Equal([4, 2], kept.Body.ToArray());
    }

    [Fact]
    public async Task Post_UnparseableWithoutResponse_Answers200WithEmptyBody()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("field 'kind' has unknown value 'poll'");

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(response.Content.Headers.ContentType);
        Assert.Single(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_StoreFails_Answers503WithoutTheResponse()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Events([Message("m1", "pressed")]) with { Response = Answer };
        _host.FailingStep.Failing = true;

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("answerCallbackQuery", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await _host.DeadLettersAsync());
    }
}
