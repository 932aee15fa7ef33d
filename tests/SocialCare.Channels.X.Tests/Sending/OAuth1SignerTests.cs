namespace SocialCare.Channels.X.Sending;

/// <summary>
/// The signer against the worked example of X's "Creating a signature" page
/// (https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature): a POST to
/// https://api.twitter.com/1.1/statuses/update.json with include_entities=true and a status.
/// </summary>
public sealed class OAuth1SignerTests
{
    private const string Url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true";
    private const string Status = "Hello Ladies + Gentlemen, a signed OAuth request!";
    private const string ConsumerKey = "xvz1evFS4wEEPTGEFPHBog";
    private const string ConsumerSecret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
    private const string Token = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
    private const string TokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
    private const string Nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
    private const long Timestamp = 1318622958;

    private const string DocumentedBaseString =
        "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26" +
        "oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26" +
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26" +
        "oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26" +
        "status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521";

    private const string DocumentedSignature = "hCtSmYh+iHYCEqBWrE7C7hYmtUk=";

    private static readonly OAuth1Credentials Credentials = new(ConsumerKey, ConsumerSecret, Token, TokenSecret);

    [Fact]
    public void BaseString_DocsExample_MatchesTheDocumentedBaseString()
    {
        KeyValuePair<string, string>[] parameters =
        [
            new("status", Status),
            new("include_entities", "true"),
            new("oauth_consumer_key", ConsumerKey),
            new("oauth_nonce", Nonce),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "1318622958"),
            new("oauth_token", Token),
            new("oauth_version", "1.0"),
        ];

        Assert.Equal(DocumentedBaseString, OAuth1Signer.BaseString("post", new Uri(Url), parameters.Reverse()));
    }

    [Fact]
    public void Sign_DocsExample_IsTheDocumentedSignature()
    {
        Assert.Equal(DocumentedSignature, OAuth1Signer.Sign(DocumentedBaseString, ConsumerSecret, TokenSecret));
    }

    [Fact]
    public void AuthorizationHeader_DocsExample_SignsQueryAndFormParametersAndEncodesEveryValue()
    {
        var header = OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status)], Credentials, Nonce, Timestamp);

        Assert.Equal(
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", " +
            "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", " +
            "oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"",
            header);
    }

    [Fact]
    public void AuthorizationHeader_OneByteChangedInAnyInput_ChangesTheSignature()
    {
        string Signature(string header) => header.Split(", ").Single(p => p.StartsWith("oauth_signature=", StringComparison.Ordinal));
        var reference = Signature(OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status)], Credentials, Nonce, Timestamp));

        Assert.NotEqual(reference, Signature(OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status + "?")], Credentials, Nonce, Timestamp)));
        Assert.NotEqual(reference, Signature(OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status)], Credentials, Nonce + "x", Timestamp)));
        Assert.NotEqual(reference, Signature(OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status)], Credentials, Nonce, Timestamp + 1)));
        Assert.NotEqual(reference, Signature(OAuth1Signer.AuthorizationHeader("POST", new Uri(Url), [new("status", Status)], Credentials with { TokenSecret = "x" }, Nonce, Timestamp)));
        Assert.NotEqual(reference, Signature(OAuth1Signer.AuthorizationHeader("GET", new Uri(Url), [new("status", Status)], Credentials, Nonce, Timestamp)));
    }

    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("An encoded string!", "An%20encoded%20string%21")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("☃", "%E2%98%83")]
    [InlineData("unreserved-._~AZaz09", "unreserved-._~AZaz09")]
    [InlineData("*'()/:?#[]@", "%2A%27%28%29%2F%3A%3F%23%5B%5D%40")]
    public void Encode_FollowsRfc3986(string value, string expected)
    {
        Assert.Equal(expected, OAuth1Signer.Encode(value));
    }

    [Fact]
    public void ParameterString_SortsByEncodedNameThenValue()
    {
        KeyValuePair<string, string>[] parameters = [new("b", "2"), new("a", "z"), new("a", "b c"), new("A", "1"), new("a_b", "0")];

        Assert.Equal("A=1&a=b%20c&a=z&a_b=0&b=2", OAuth1Signer.ParameterString(parameters));
    }

    [Theory]
    [InlineData("HTTPS://API.Twitter.com:443/2/tweets?x=1#f", "https://api.twitter.com/2/tweets")]
    [InlineData("http://localhost:8080/2/tweets", "http://localhost:8080/2/tweets")]
    public void BaseUrl_LowerCasesSchemeAndHostAndDropsDefaultPortQueryAndFragment(string url, string expected)
    {
        Assert.Equal(expected, OAuth1Signer.BaseUrl(new Uri(url)));
    }
}
