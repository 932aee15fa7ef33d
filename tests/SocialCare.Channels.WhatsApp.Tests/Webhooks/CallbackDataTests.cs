using System.Text;

namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>
/// Sends carry the stored message id as <c>biz_opaque_callback_data</c>, and Cloud API statuses hand it back: the
/// status then names our message even before its platform id is recorded. (Constructed from the bwa-status-sent
/// fixture by adding the field in code; the fixture file is unchanged.)
/// </summary>
public sealed class CallbackDataTests : IDisposable
{
    private readonly WhatsAppHost _host = new();

    public void Dispose() => _host.Dispose();

    private async Task<InboundStatus> StatusWithCallbackAsync(string callback)
    {
        var json = Encoding.UTF8.GetString(Fixtures.Bytes("whatsapp/bwa-status-sent.json"))
            .Replace("\"status\": \"sent\",", $"\"status\": \"sent\",\n                \"biz_opaque_callback_data\": \"{callback}\",", StringComparison.Ordinal);
        Assert.Contains("biz_opaque_callback_data", json, StringComparison.Ordinal);
        var result = await _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(Encoding.UTF8.GetBytes(json)), CancellationToken.None);
        return Assert.IsType<InboundStatus>(Assert.Single(Assert.IsType<WebhookEvents>(result).InboundEvents));
    }

    [Fact]
    public async Task Status_WithOurMessageIdAsCallbackData_CarriesItAsOutboundMessageId()
    {
        var status = await StatusWithCallbackAsync("0193a5c4-0000-7000-8000-000000000001");

        Assert.Equal(MessageId.Parse("0193a5c4-0000-7000-8000-000000000001"), status.OutboundMessageId);
        Assert.Equal("wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==", status.PlatformMessageId);
    }

    [Fact]
    public async Task Status_WithCallbackDataSetByAnotherSender_HasNoOutboundMessageId()
    {
        var status = await StatusWithCallbackAsync("campaign-42");

        Assert.Null(status.OutboundMessageId);
    }
}
