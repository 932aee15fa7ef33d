using System.Text;

namespace SocialCare.Channels;

public sealed class WebhookContractTests
{
    [Fact]
    public void Constructor_HeadersInAnyCase_LooksThemUpCaseInsensitively()
    {
        var request = new WebhookRequest(
            "POST",
            new Uri("https://care.example/webhooks/whatsapp"),
            [new("X-Hub-Signature-256", "sha256=ab"), new("content-type", "application/json")],
            Encoding.UTF8.GetBytes("{}"));

        Assert.Equal("sha256=ab", request.GetHeader("x-hub-signature-256"));
        Assert.Equal("application/json", request.GetHeader("Content-Type"));
        Assert.Null(request.GetHeader("Authorization"));
    }

    [Fact]
    public void Constructor_RepeatedHeader_JoinsValues()
    {
        var request = new WebhookRequest("GET", new Uri("https://care.example/"), [new("Accept", "a"), new("accept", "b")], default);

        Assert.Equal("a, b", request.GetHeader("ACCEPT"));
    }

    [Fact]
    public void Headers_EnumerateOncePerNameInFirstSeenOrder_WithJoinedValues()
    {
        IEnumerable<KeyValuePair<string, string>> Lazy()
        {
            yield return new("X-One", "1");
            yield return new("Accept", "a");
            yield return new("x-one", "2");
        }

        var request = new WebhookRequest("POST", new Uri("https://care.example/hook"), Lazy(), Array.Empty<byte>());

        Assert.Equal([new("X-One", "1, 2"), new("Accept", "a")], request.Headers.ToArray());
        Assert.Equal(2, request.Headers.Count);
        Assert.Equal(["X-One", "Accept"], request.Headers.Keys);
        Assert.True(request.Headers.ContainsKey("X-ONE"));
        Assert.Equal("a", request.Headers["accept"]);
        var missing = Assert.Throws<KeyNotFoundException>(() => request.Headers["Authorization"]);
        Assert.Contains("Authorization", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(200)]
    public void Headers_ManyNames_EachFoundInAnyCaseAndRepeatsJoined(int names)
    {
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < names; i++)
        {
            headers.Add(new($"X-Header-{i}", $"v{i}"));
        }

        headers.Add(new("x-header-0", "again"));
        headers.Add(new($"X-HEADER-{names - 1}", "last"));

        var request = new WebhookRequest("POST", new Uri("https://care.example/hook"), headers, Array.Empty<byte>());

        Assert.Equal(names, request.Headers.Count);
        for (var i = 1; i < names - 1; i++)
        {
            Assert.Equal($"v{i}", request.GetHeader($"x-HEADER-{i}"));
        }

        Assert.Equal("v0, again", request.GetHeader("X-Header-0"));
        Assert.Equal(names == 1 ? "v0, again, last" : $"v{names - 1}, last", request.GetHeader($"x-header-{names - 1}"));
        Assert.Null(request.GetHeader($"X-Header-{names}"));
    }

    [Fact]
    public void Constructor_QueryString_ParsesAndDecodesFirstValueWins()
    {
        var request = new WebhookRequest(
            "GET",
            new Uri("https://care.example/hook?hub.mode=subscribe&hub.verify_token=a%20b+c&hub.challenge=1158201444&hub.mode=other&flag"),
            [],
            default);

        Assert.Equal("subscribe", request.GetQuery("hub.mode"));
        Assert.Equal("a b c", request.GetQuery("hub.verify_token"));
        Assert.Equal("1158201444", request.GetQuery("hub.challenge"));
        Assert.Equal(string.Empty, request.GetQuery("flag"));
        Assert.Null(request.GetQuery("HUB.MODE"));
    }

    [Fact]
    public void Constructor_RelativeUrl_ThrowsNamingTheUrl()
    {
        var ex = Assert.Throws<ArgumentException>(() => new WebhookRequest("GET", new Uri("/hook", UriKind.Relative), [], default));

        Assert.Equal("url", ex.ParamName);
    }

    [Fact]
    public void Factories_CreateEachResultKind()
    {
        Assert.IsType<WebhookEvents>(WebhookResult.Events([]));
        Assert.Equal(new WebhookHandshake(200, "text/plain", "42"), WebhookResult.Handshake("42"));
        Assert.Equal(new WebhookRejected(401, "bad signature"), WebhookResult.Rejected(401, "bad signature"));
        Assert.Equal(new WebhookUnparseable("unknown"), WebhookResult.Unparseable("unknown"));
        Assert.Equal(new SendSucceeded("wamid.1"), SendResult.Sent("wamid.1"));
        Assert.Equal(new SendFailed("130429", "throttled", true, TimeSpan.FromSeconds(3)), SendResult.Failed("130429", "throttled", true, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Supports_ListedKind_True()
    {
        var capabilities = new ChannelCapabilities { MaxTextLength = 4096, SupportedAttachments = [AttachmentKind.Image] };

        Assert.True(capabilities.Supports(AttachmentKind.Image));
        Assert.False(capabilities.Supports(AttachmentKind.Video));
    }
}
