using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using SocialCare.Channels.Testing;
using SocialCare.Storage;

namespace SocialCare.AspNetCore.Webhooks;

/// <summary>The real WhatsApp adapter behind the endpoints, with the shared fixtures sent over HTTP.</summary>
public sealed class WhatsAppWebhookTests : IAsyncLifetime
{
    private const string TextFixture = "whatsapp/bwa-message-text.json";
    private const string TextMessageId = "wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==";
    private static readonly ChannelAccount Account = new(ChannelKind.WhatsApp, WebhookHost.PhoneNumberId);
    private static readonly ContactHandle Customer = new(ChannelKind.WhatsApp, "1111111111111");

    private WebhookHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WebhookHost.StartAsync(o => o.MaxRequestBodySize = 4096);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Get_SubscribeWithRightToken_EchoesChallengeExactly()
    {
        using var response = await _host.Client.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1158201444");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("1158201444", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_SubscribeWithWrongToken_Returns403()
    {
        using var response = await _host.Client.GetAsync("/webhooks/whatsapp/bwa?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("let-me-in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_SignedFixture_Returns200WithConversationAndMessageStored()
    {
        using var response = await _host.PostWhatsAppAsync(Fixtures.Bytes(TextFixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inbox = _host.Services.GetRequiredService<ICareInbox>();
        var conversation = Assert.Single((await inbox.ListAsync(WebhookHost.Workspace, new ConversationQuery())).Items);
        Assert.Equal(Account, conversation.Channel);
        var message = Assert.Single((await inbox.GetMessagesAsync(WebhookHost.Workspace, new MessageQuery { ConversationId = conversation.Id })).Items);
        Assert.Equal(TextMessageId, message.PlatformMessageId);
        Assert.Equal("hi everyone!", message.Text);
        Assert.Equal(MessageDirection.Inbound, message.Direction);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1672947578), message.SentAt);
        Assert.Equal(WebhookHost.Start, message.ReceivedAt);
    }

    [Fact]
    public async Task Post_ToRegistrationRoute_Returns200()
    {
        using var response = await _host.PostWhatsAppAsync(Fixtures.Bytes(TextFixture), "/webhooks/whatsapp/bwa");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await _host.InStoreAsync(s => s.FindMessageAsync(Account, TextMessageId, CancellationToken.None).AsTask()));
    }

    [Fact]
    public async Task Post_ToUnknownRegistration_Returns404AndStoresNothing()
    {
        using var response = await _host.PostWhatsAppAsync(Fixtures.Bytes(TextFixture), "/webhooks/whatsapp/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(await _host.InStoreAsync(s => s.FindMessageAsync(Account, TextMessageId, CancellationToken.None).AsTask()));
    }

    [Fact]
    public async Task Post_SameFixtureThreeTimes_StoresOneMessage()
    {
        var body = Fixtures.Bytes(TextFixture);
        for (var i = 0; i < 3; i++)
        {
            using var response = await _host.PostWhatsAppAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var inbox = _host.Services.GetRequiredService<ICareInbox>();
        var conversation = Assert.Single((await inbox.ListAsync(WebhookHost.Workspace, new ConversationQuery())).Items);
        Assert.Single((await inbox.GetMessagesAsync(WebhookHost.Workspace, new MessageQuery { ConversationId = conversation.Id })).Items);
    }

    [Fact]
    public async Task Post_BadSignature_Returns401AndStoresNothing()
    {
        var body = Fixtures.Bytes(TextFixture);

        using var response = await _host.PostWhatsAppAsync(body, signature: WebhookHost.Sign(body, "not-the-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized.", await response.Content.ReadAsStringAsync());
        await AssertNothingStoredAsync();
        Assert.Empty(await _host.DeadLettersAsync());
        var warning = Assert.Single(_host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Category == "SocialCare.AspNetCore.Webhooks");
        Assert.Contains("401", warning.Message, StringComparison.Ordinal);
        Assert.All(_host.Logs.GetSnapshot(), r =>
        {
            Assert.DoesNotContain(WebhookHost.AppSecret, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hi everyone", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Post_OneByteChangedAfterSigning_Returns401()
    {
        var body = Fixtures.Bytes(TextFixture);
        var signature = WebhookHost.Sign(body);
        body[^3] ^= 0x01;

        using var response = await _host.PostWhatsAppAsync(body, signature: signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Post_SignedPayloadForUnregisteredNumber_Returns200AndKeepsDeadLetterWithExactBody()
    {
        var body = Encoding.UTF8.GetBytes(
            """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
            "metadata":{"display_phone_number":"1","phone_number_id":"5550001"},"statuses":[{"id":"wamid.1","status":"sent","timestamp":"1700000000","recipient_id":"1"}]}}]}]}
            """);

        using var response = await _host.PostWhatsAppAsync(body, "/webhooks/whatsapp/bwa?source=meta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadLetter = Assert.Single(await _host.DeadLettersAsync());
        Assert.Equal(ChannelKind.WhatsApp, deadLetter.Channel);
        Assert.Equal("bwa", deadLetter.RegistrationName);
        Assert.Contains("5550001", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal("POST", deadLetter.Method);
        Assert.Equal(new Uri(_host.Client.BaseAddress!, "/webhooks/whatsapp/bwa?source=meta").AbsoluteUri, deadLetter.Url);
        Assert.Equal("application/json", deadLetter.ContentType);
        Assert.Equal(body, deadLetter.Body.ToArray());
        Assert.Equal(WebhookHost.Start, deadLetter.ReceivedAt);
        Assert.Equal(7, deadLetter.Id.Version);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Post_BodyOverLimit_Returns413AndStoresNothing()
    {
        // The fixture padded with JSON whitespace past the 4 KiB limit, genuinely signed.
        byte[] body = [.. Fixtures.Bytes(TextFixture), .. Enumerable.Repeat((byte)' ', 4096)];

        using var response = await _host.PostWhatsAppAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync();
        Assert.Empty(await _host.DeadLettersAsync());
    }

    [Fact]
    public async Task Post_WhileStoreFails_Returns503WithoutDeadLetter_AndRedeliveryStoresOnce()
    {
        var body = Fixtures.Bytes(TextFixture);
        _host.FailingStep.Failing = true;

        using (var failed = await _host.PostWhatsAppAsync(body))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await AssertNothingStoredAsync();
        Assert.Empty(await _host.DeadLettersAsync());
        Assert.Contains(_host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Exception is InvalidOperationException);

        _host.FailingStep.Failing = false;
        using (var redelivered = await _host.PostWhatsAppAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        }

        using (var again = await _host.PostWhatsAppAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var inbox = _host.Services.GetRequiredService<ICareInbox>();
        var conversation = Assert.Single((await inbox.ListAsync(WebhookHost.Workspace, new ConversationQuery())).Items);
        var message = Assert.Single((await inbox.GetMessagesAsync(WebhookHost.Workspace, new MessageQuery { ConversationId = conversation.Id })).Items);
        Assert.Equal(TextMessageId, message.PlatformMessageId);
    }

    private async Task AssertNothingStoredAsync()
    {
        Assert.Null(await _host.InStoreAsync(s => s.FindContactAsync(Customer, CancellationToken.None).AsTask()));
        Assert.Empty((await _host.InStoreAsync(s => s.QueryConversationsAsync(new ConversationQuery(), CancellationToken.None).AsTask())).Items);
        Assert.Null(await _host.InStoreAsync(s => s.FindMessageAsync(Account, TextMessageId, CancellationToken.None).AsTask()));
    }
}
