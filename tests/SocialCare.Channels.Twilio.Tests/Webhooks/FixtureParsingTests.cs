using System.Text;
using System.Text.Json;
using SocialCare.Channels.Twilio.Webhooks;

namespace SocialCare.Channels.Twilio.Webhooks;

/// <summary>Every real payload and signature vector in shared/fixtures/twilio is covered here.</summary>
public sealed class FixtureParsingTests : IDisposable
{
    /// <summary>The fixtures these tests cover; a new fixture file fails <see cref="EveryFixture_IsCoveredByATest"/> until it is added.</summary>
    private static readonly string[] Covered =
    [
        "bb-inbound-sms-no-media.form",
        "twilio-python-duplicate-params.signature.json",
        "twilio-python-form-params.signature.json",
    ];

    private readonly TwilioHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void EveryFixture_IsCoveredByATest()
    {
        var files = Directory.GetFiles(Fixtures.Path("twilio")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Covered.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task InboundSmsNoMedia_BotBuilderFixture_IsMessageWithSidHandlesTextAndReceiveTime()
    {
        var body = Fixtures.Bytes("twilio/bb-inbound-sms-no-media.form");
        _host.Time.Advance(TimeSpan.FromSeconds(7));

        var result = await _host.Handle(TwilioHost.SignedPost(body));

        var message = Assert.IsType<InboundMessage>(Assert.Single(Assert.IsType<WebhookEvents>(result).InboundEvents));
        Assert.Equal(new WorkspaceId("acme"), message.WorkspaceId);
        Assert.Equal(new ChannelAccount(ChannelKind.Sms, "+1111"), message.Channel); // To=%2B1111
        Assert.Equal(new ContactHandle(ChannelKind.Sms, "+2222"), message.Customer); // From=%2B2222
        Assert.Equal("3333", message.PlatformMessageId); // MessageSid, not SmsMessageSid (1111) or SmsSid (2222)
        Assert.Equal("Hello", message.Text);
        Assert.Empty(message.Attachments); // NumMedia=0
        Assert.Equal(TwilioHost.Now.AddSeconds(7), message.OccurredAt); // Twilio sends no timestamp: the receive time
        Assert.Equal(ConversationVisibility.Private, message.Visibility);
        Assert.Null(message.ReplyToPlatformMessageId);
        Assert.Null(message.Payload);
        Assert.Null(message.Profile);
        Assert.False(message.IsEcho);
    }

    [Fact]
    public async Task InboundSmsNoMedia_FixtureChangedByOneByte_IsRejected401()
    {
        var body = Fixtures.Bytes("twilio/bb-inbound-sms-no-media.form");
        var signature = TwilioHost.Sign(TwilioHost.WebhookUrl, body);
        body[Array.IndexOf(body, (byte)'H')] = (byte)'J'; // Body=Hello -> Body=Jello

        var result = await _host.Handle(TwilioHost.Post(body, signature));

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Theory]
    [InlineData("twilio-python-form-params.signature.json")]
    [InlineData("twilio-python-duplicate-params.signature.json")]
    public void Compute_TwilioPythonVector_GivesTheExpectedSignature(string fixture)
    {
        var vector = Vector.Read(fixture);

        Assert.Equal(vector.ExpectedSignature, TwilioSignature.Compute(vector.Secret, vector.Url, vector.Params));
        Assert.True(TwilioSignature.Verify(vector.Secret, vector.Url, vector.Params, vector.ExpectedSignature));
    }

    [Theory]
    [InlineData("twilio-python-form-params.signature.json")]
    [InlineData("twilio-python-duplicate-params.signature.json")]
    public async Task HandleAsync_TwilioPythonVectorAsFormPost_VerifiesThenIsUnparseableAsNotMessaging(string fixture)
    {
        var vector = Vector.Read(fixture);

        var result = await _host.Handle(TwilioHost.Post(vector.FormBody(), vector.ExpectedSignature, vector.Url));

        // Not rejected: the signature matched. The vectors carry Voice parameters (CallSid, Sid, Digits), not a message.
        Assert.Contains("no MessageSid", Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twilio-python-form-params.signature.json")]
    [InlineData("twilio-python-duplicate-params.signature.json")]
    public async Task HandleAsync_TwilioPythonVectorWithOneBodyByteChanged_IsRejected401(string fixture)
    {
        var vector = Vector.Read(fixture);
        var body = vector.FormBody();
        var digit = Array.FindLastIndex(body, b => b is >= (byte)'0' and <= (byte)'9');
        body[digit] = body[digit] == (byte)'9' ? (byte)'8' : (byte)(body[digit] + 1);

        var result = await _host.Handle(TwilioHost.Post(body, vector.ExpectedSignature, vector.Url));

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Theory]
    [InlineData("twilio-python-form-params.signature.json")]
    [InlineData("twilio-python-duplicate-params.signature.json")]
    public async Task HandleAsync_TwilioPythonVectorWithOneSignatureByteChanged_IsRejected401(string fixture)
    {
        var vector = Vector.Read(fixture);
        var signature = (vector.ExpectedSignature[0] == 'A' ? "B" : "A") + vector.ExpectedSignature[1..];

        var result = await _host.Handle(TwilioHost.Post(vector.FormBody(), signature, vector.Url));

        Assert.Equal(401, Assert.IsType<WebhookRejected>(result).StatusCode);
    }

    [Fact]
    public void Verify_DuplicateVectorInBodyOrder_SortsValuesSoOrderDoesNotMatter()
    {
        var vector = Vector.Read("twilio-python-duplicate-params.signature.json");

        // The vector lists Digits=5678 before Digits=1234; the signed data is ...Digits1234Digits5678...
        Assert.Equal("5678", vector.Params.First(p => p.Key == "Digits").Value);
        Assert.True(TwilioSignature.Verify(vector.Secret, vector.Url, [.. vector.Params.Reverse()], vector.ExpectedSignature));
        Assert.False(TwilioSignature.Verify(vector.Secret, vector.Url, [.. vector.Params.Where(p => p.Value != "1234")], vector.ExpectedSignature));
    }

    [Fact]
    public void Verify_FormVectorWithDefaultPortInTheUrl_StillVerifiesButAnotherQueryDoesNot()
    {
        var vector = Vector.Read("twilio-python-form-params.signature.json");

        // Twilio's validators accept the URL with and without the port, since Twilio's signing is inconsistent about it.
        Assert.True(TwilioSignature.Verify(vector.Secret, "https://mycompany.com:443/myapp.php?foo=1&bar=2", vector.Params, vector.ExpectedSignature));
        Assert.False(TwilioSignature.Verify(vector.Secret, "https://mycompany.com/myapp.php?foo=1&bar=3", vector.Params, vector.ExpectedSignature));
        Assert.False(TwilioSignature.Verify(vector.Secret, "http://mycompany.com/myapp.php?foo=1&bar=2", vector.Params, vector.ExpectedSignature));
    }

    /// <summary>A *.signature.json vector: the URL, the decoded POST parameters (in the vector's order) and the signature.</summary>
    private sealed record Vector(string Secret, string Url, IReadOnlyList<KeyValuePair<string, string>> Params, string ExpectedSignature)
    {
        public static Vector Read(string fixture)
        {
            using var json = JsonDocument.Parse(Fixtures.Bytes("twilio/" + fixture));
            var root = json.RootElement;
            Assert.Equal("X-Twilio-Signature", root.GetProperty("header").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("body").ValueKind);
            var parameters = root.GetProperty("params");
            List<KeyValuePair<string, string>> pairs = parameters.ValueKind == JsonValueKind.Array
                ? [.. parameters.EnumerateArray().Select(p => new KeyValuePair<string, string>(p[0].GetString()!, p[1].GetString()!))]
                : [.. parameters.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))];
            return new Vector(root.GetProperty("secret").GetString()!, root.GetProperty("url").GetString()!, pairs, root.GetProperty("expected_signature").GetString()!);
        }

        /// <summary>The parameters as the form body Twilio would post ('+' in a value is %2B, a space would be '+').</summary>
        public byte[] FormBody() => Encoding.UTF8.GetBytes(string.Join('&', Params.Select(p => Escape(p.Key) + "=" + Escape(p.Value))));

        private static string Escape(string text) => Uri.EscapeDataString(text).Replace("%20", "+", StringComparison.Ordinal);
    }
}
