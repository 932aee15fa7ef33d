namespace SocialCare.Channels.Telegram.Webhooks;

/// <summary>The parsed fixtures are events the engine accepts, and chat-scoped ids make its dedupe right.</summary>
public sealed class EngineIngestionTests : IDisposable
{
    private readonly TelegramHost _host = new(s => s.AddSocialCare(care => care.AddWorkspace("acme", "Acme")));

    public void Dispose() => _host.Dispose();

    private ICareIngestor Ingestor => _host.Services.GetRequiredService<ICareIngestor>();

    [Theory]
    [InlineData("tg-docs-message-text.json")]
    [InlineData("tg-docs-message-audio.json")]
    [InlineData("tg-docs-callback-query-inline.json")]
    [InlineData("tlx-update-dice.json")]
    [InlineData("tlx-update-message-supergroup-reply-command.json")]
    [InlineData("tlx-update-message-private-text.json")]
    public async Task Ingest_FixtureMessage_AcceptedThenDuplicateOnRedelivery(string fixture)
    {
        var first = await Ingestor.IngestAsync(await _host.EventOf(fixture));
        var again = await Ingestor.IngestAsync(await _host.EventOf(fixture));

        Assert.Equal(IngestOutcome.Accepted, first.Outcome);
        Assert.Equal(IngestOutcome.Duplicate, again.Outcome);
    }

    [Fact]
    public async Task Ingest_SameMessageIdInAnotherChat_IsANewMessage()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"update_id":2,"message":{"message_id":1365,"from":{"id":2222222},"chat":{"id":2222222,"type":"private"},"date":1441645532,"text":"/start"}}""");

        var first = await Ingestor.IngestAsync(await _host.EventOf("tg-docs-message-text.json"));
        var other = await Ingestor.IngestAsync(Assert.Single(Assert.IsType<WebhookEvents>(await _host.Handle(body)).InboundEvents));

        Assert.Equal(IngestOutcome.Accepted, first.Outcome);
        Assert.Equal(IngestOutcome.Accepted, other.Outcome);
    }
}
