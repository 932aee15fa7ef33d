using SocialCare.Testing.Channels;

namespace SocialCare.Channels.Telegram.Specification;

/// <summary>
/// The Telegram adapter under the channel adapter specification suites: one bot ("spec", id 123456789) whose webhooks
/// carry <see cref="TelegramHost.SupportSecret"/> in <c>X-Telegram-Bot-Api-Secret-Token</c>; the genuine request is the
/// tlx-update-message-private-text fixture. Telegram authenticates webhooks with that secret token, not a signature over
/// the body, so <see cref="SignatureCoversBody"/> is false and the one-byte-change fact is skipped. Telegram has no
/// verification handshake. Sends go to the fake platform as the Bot API base URL; retries are fast (10 ms base delay, no
/// jitter) and a Retry-After over 1 second is returned to the caller instead of waited for.
/// </summary>
public sealed class TelegramSpecificationFixture : ChannelAdapterFixture
{
    private static readonly Uri WebhookUrl = new("https://care.example/webhooks/telegram");

    public override bool SignatureCoversBody => false;

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Fixtures.Bytes("telegram/tlx-update-message-private-text.json"));

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => Post(body, TelegramHost.SupportSecret);

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => Post(body, TelegramHost.SalesSecret);

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => Post(body, secretToken: null);

    public override OutboundMessage CreateSampleMessage() => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = TelegramHost.SupportBot,
        Recipient = new ContactHandle(ChannelKind.Telegram, "1111111"),
        MessageId = MessageId.Parse("0193a5c4-0000-7000-8000-00000000beef"),
        Text = "Thanks for your message!",
        LastCustomerMessageAt = TimeProvider.System.GetUtcNow().AddMinutes(-5),
    };

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(
        200,
        $$$"""{"ok":true,"result":{"message_id":{{{1000 + request.Sequence}}},"from":{"id":123456789,"is_bot":true,"first_name":"Support"},"chat":{"id":1111111,"type":"private"},"date":1767268800,"text":"Thanks for your message!"}}""");

    public override FakeResponse ServerErrorResponse() => FakeResponse.Json(
        500,
        """{"ok":false,"error_code":500,"description":"Internal Server Error"}""");

    public override FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(
        429,
        $$$"""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {{{(int)retryAfter.TotalSeconds}}}","parameters":{"retry_after":{{{(int)retryAfter.TotalSeconds}}}}}""",
        retryAfter);

    public override FakeResponse RefusedResponse() => FakeResponse.Json(
        400,
        """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddTelegram("spec", o =>
        {
            o.WorkspaceId = "acme";
            o.BotToken = TelegramHost.SupportToken;
            o.SecretToken = TelegramHost.SupportSecret;
            o.ApiBaseUrl = platformBaseAddress ?? TelegramOptions.DefaultApiBaseUrl;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Resilience.UseJitter = false;
            o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(1);
        }));
        var provider = services.BuildServiceProvider(validateScopes: true);
        RegisterForDisposal(provider);
        return ValueTask.FromResult<IChannelAdapter>(provider.GetRequiredService<TelegramChannelAdapter>());
    }

    private static WebhookRequest Post(ReadOnlyMemory<byte> body, string? secretToken) =>
        new("POST", WebhookUrl, secretToken is null ? [new("Content-Type", "application/json")] : [new("Content-Type", "application/json"), new("X-Telegram-Bot-Api-Secret-Token", secretToken)], body);
}

public sealed class TelegramWebhookSpecificationTests(TelegramSpecificationFixture f) : ChannelWebhookSpecification<TelegramSpecificationFixture>(f);

public sealed class TelegramSendSpecificationTests(TelegramSpecificationFixture f) : ChannelSendSpecification<TelegramSpecificationFixture>(f);

public sealed class TelegramSpecificationGuardTests
{
    [Fact]
    public void AllChannelSuites_AreRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(TelegramSpecificationGuardTests).Assembly);
}
