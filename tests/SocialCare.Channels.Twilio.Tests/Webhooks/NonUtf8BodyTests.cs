using System.Text;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>
/// A CONSTRUCTED form whose value is not UTF-8 after percent-decoding: correctly signed (over the body read with U+FFFD
/// for each invalid sequence) it is unparseable, never events; with a wrong signature it is still refused.
/// </summary>
public sealed class NonUtf8BodyTests : IDisposable
{
    private const string Form = "ToCountry=US&Body=%C3%28&To=%2B1111&From=%2B2222&MessageSid=SM1&AccountSid=4444&NumMedia=0";

    private readonly TwilioHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task HandleAsync_CorrectlySignedBodyWithInvalidUtf8_IsUnparseableNamingUtf8()
    {
        var unparseable = Assert.IsType<WebhookUnparseable>(await _host.Handle(TwilioHost.SignedPost(Form)));

        Assert.Contains("not UTF-8", unparseable.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RawInvalidUtf8SignedWithAnotherToken_Rejected401()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("To=%2B1111&Body="), 0xC3, 0x28, 0xFF];

        var rejected = Assert.IsType<WebhookRejected>(await _host.Handle(TwilioHost.SignedPost(body, token: "another-token")));

        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("UTF-8", rejected.Reason, StringComparison.Ordinal);
    }
}
