using System.Text;
using System.Text.Json;

namespace SocialCare.Channels.Telegram.Webhooks;

/// <summary>
/// A button press (<c>callback_query</c>) is answered through the webhook response with answerCallbackQuery, whether it
/// is stored or dead-lettered; other updates, and bots with <see cref="TelegramOptions.AnswerCallbackQueries"/> off,
/// have no response.
/// </summary>
public sealed class CallbackAnswerTests : IDisposable
{
    private readonly TelegramHost _host = new();

    public void Dispose() => _host.Dispose();

    public static TheoryData<string> AllFixtures() =>
        [.. Directory.GetFiles(Fixtures.Path("telegram")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private static WebhookEvents Events(WebhookResult result) => Assert.IsType<WebhookEvents>(result);

    /// <summary>Asserts the response is exactly application/json answerCallbackQuery for <paramref name="callbackQueryId"/>.</summary>
    private static void AssertAnswers(WebhookResponse? response, string callbackQueryId)
    {
        Assert.NotNull(response);
        Assert.Equal("application/json", response.ContentType);
        using var answer = JsonDocument.Parse(response.Body);
        var root = answer.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(["method", "callback_query_id"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("answerCallbackQuery", root.GetProperty("method").GetString());
        Assert.Equal(callbackQueryId, root.GetProperty("callback_query_id").GetString());
    }

    [Fact]
    public async Task CallbackQuery_InlineDocsFixture_AnswersCallbackQueryWithTheFixturesId()
    {
        var bytes = Fixtures.Bytes("telegram/tg-docs-callback-query-inline.json");
        using var fixture = JsonDocument.Parse(bytes);
        var id = fixture.RootElement.GetProperty("callback_query").GetProperty("id").GetString()!;

        var result = Events(await _host.Handle(bytes));

        Assert.Equal("4382bfdwdsb323b2d9", id);
        AssertAnswers(result.Response, id);
        Assert.Equal("""{"method":"answerCallbackQuery","callback_query_id":"4382bfdwdsb323b2d9"}""", result.Response!.Body);
        Assert.Equal("callback:" + id, Assert.IsType<InboundMessage>(Assert.Single(result.InboundEvents)).PlatformMessageId);
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public async Task EveryFixture_CallbackQueriesAreAnswered_OtherUpdatesHaveNoResponse(string fixture)
    {
        var bytes = Fixtures.Bytes("telegram/" + fixture);
        using var update = JsonDocument.Parse(bytes);

        var handled = await _host.Handle(bytes);
        if (!update.RootElement.TryGetProperty("update_id", out _))
        {
            // A bare Message (tlx-message-photo-caption-entities.json) is not an Update: dead-lettered, nothing answered.
            Assert.Null(Assert.IsType<WebhookUnparseable>(handled).Response);
            return;
        }

        var result = Events(handled);
        if (update.RootElement.TryGetProperty("callback_query", out var callback))
        {
            AssertAnswers(result.Response, callback.GetProperty("id").GetString()!);
        }
        else
        {
            Assert.Null(result.Response);
        }
    }

    [Fact]
    public async Task PlainMessage_DocsFixture_HasNoResponse()
    {
        var result = Events(await _host.Handle(Fixtures.Bytes("telegram/tg-docs-message-text.json")));

        Assert.IsType<InboundMessage>(Assert.Single(result.InboundEvents));
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task CallbackQuery_OptionOff_HasNoResponseButStillTheEvent()
    {
        using var host = new TelegramHost(s => s.Configure<TelegramOptions>("support", o => o.AnswerCallbackQueries = false));

        var result = Events(await host.Handle(Fixtures.Bytes("telegram/tg-docs-callback-query-inline.json")));

        Assert.Null(result.Response);
        Assert.Equal("callback:4382bfdwdsb323b2d9", Assert.IsType<InboundMessage>(Assert.Single(result.InboundEvents)).PlatformMessageId);
    }

    [Fact]
    public async Task CallbackQuery_OptionOffForAnotherBot_StillAnswersForThisOne()
    {
        using var host = new TelegramHost(s => s.Configure<TelegramOptions>("sales", o => o.AnswerCallbackQueries = false));

        var result = Events(await host.Handle(Fixtures.Bytes("telegram/tg-docs-callback-query-inline.json")));

        AssertAnswers(result.Response, "4382bfdwdsb323b2d9");
    }

    [Fact]
    public void AnswerCallbackQueries_IsOnByDefault() => Assert.True(new TelegramOptions().AnswerCallbackQueries);

    [Fact]
    public async Task CallbackQuery_IdNeedingEscapes_IsSerializedAsValidJson()
    {
        var body = Encoding.UTF8.GetBytes("""{"update_id":8,"callback_query":{"id":"a\"b\\c","from":{"id":42},"chat_instance":"1","data":"x"}}""");

        var result = Events(await _host.Handle(body));

        AssertAnswers(result.Response, "a\"b\\c");
    }

    [Fact]
    public async Task GameCallbackWithoutData_IsUnparseable_AndStillAnswered_SoTheButtonStopsSpinning()
    {
        var body = Encoding.UTF8.GetBytes("""{"update_id":8,"callback_query":{"id":"77","from":{"id":42},"chat_instance":"1","game_short_name":"tetris"}}""");

        var result = Assert.IsType<WebhookUnparseable>(await _host.Handle(body));

        Assert.Contains("game_short_name 'tetris'", result.Reason, StringComparison.Ordinal);
        AssertAnswers(result.Response, "77");
    }

    [Fact]
    public async Task GameCallback_OptionOff_IsUnparseableWithoutAnswer()
    {
        using var host = new TelegramHost(s => s.Configure<TelegramOptions>("support", o => o.AnswerCallbackQueries = false));
        var body = Encoding.UTF8.GetBytes("""{"update_id":8,"callback_query":{"id":"77","from":{"id":42},"chat_instance":"1","game_short_name":"tetris"}}""");

        Assert.Null(Assert.IsType<WebhookUnparseable>(await host.Handle(body)).Response);
    }

    [Fact]
    public async Task CallbackWithoutId_IsUnparseableWithoutAnswer()
    {
        var body = Encoding.UTF8.GetBytes("""{"update_id":8,"callback_query":{"from":{"id":42},"chat_instance":"1","data":"x"}}""");

        var result = Assert.IsType<WebhookUnparseable>(await _host.Handle(body));

        Assert.Equal("The callback_query of update 8 has no id or no from.id.", result.Reason);
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task UnparseableNonCallbackUpdate_HasNoAnswer()
    {
        var body = Encoding.UTF8.GetBytes("""{"update_id":9,"poll":{"id":"5"}}""");

        Assert.Null(Assert.IsType<WebhookUnparseable>(await _host.Handle(body)).Response);
    }
}
