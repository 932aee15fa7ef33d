using System.Net;
using SocialCare.Storage;

namespace SocialCare.AspNetCore.Webhooks;

/// <summary>When a dead letter cannot be kept, the platform must retry: nothing it sent may be acknowledged and lost.</summary>
public sealed class DeadLetterFailureTests : IAsyncLifetime
{
    private readonly SwitchableDeadLetters _deadLetters = new();
    private WebhookHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await WebhookHost.StartAsync(services: s => s.AddSingleton<IDeadLetterStore>(sp =>
        {
            _deadLetters.Inner = (IDeadLetterStore)sp.GetRequiredService<ICareStore>();
            return _deadLetters;
        }));

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Post_UnparseableWhileDeadLettersCannotBeStored_Returns503_AndTheRedeliveryIsKept()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("field 'kind' has unknown value 'poll'");
        _deadLetters.Failing = true;

        using (var refused = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1, 2, 3])))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        _deadLetters.Failing = false;
        using var redelivered = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        var kept = Assert.Single(await _host.DeadLettersAsync());
        Assert.Equal([1, 2, 3], kept.Body.ToArray());
    }

    [Fact]
    public async Task Post_UnparseableWithResponseWhileDeadLettersCannotBeStored_Returns503WithoutTheResponse()
    {
        _host.TestAdapter.Verdict = _ => WebhookResult.Unparseable("callback_query 77 has no data")
            with { Response = new WebhookResponse("application/json", "{\"method\":\"answerCallbackQuery\",\"callback_query_id\":\"77\"}") };
        _deadLetters.Failing = true;

        using var refused = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.DoesNotContain("answerCallbackQuery", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        _deadLetters.Failing = false;
        Assert.Empty(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_AdapterThatThrows_KeepsTheRequestAsDeadLetterNamingTheError_AndAnswers200()
    {
        _host.TestAdapter.Verdict = _ => throw new FormatException("index out of range in the parser");

        using var response = await _host.Client.PostAsync("/webhooks/test", new ByteArrayContent([7, 8, 9]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var kept = Assert.Single(await _host.DeadLettersAsync());
        Assert.Equal("The test adapter threw FormatException: index out of range in the parser", kept.Reason);
        Assert.Equal([7, 8, 9], kept.Body.ToArray());
    }

    private sealed class SwitchableDeadLetters : IDeadLetterStore
    {
        public IDeadLetterStore Inner { get; set; } = null!;

        public bool Failing { get; set; }

        public ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("disk full") : Inner.AddDeadLetterAsync(deadLetter, cancellationToken);

        public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
            Inner.ListDeadLettersAsync(maxCount, cancellationToken);

        public ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken) =>
            Inner.DeleteDeadLetterAsync(id, cancellationToken);
    }
}
