namespace SocialCare.Channels;

public sealed class WebhookResponseTests
{
    [Fact]
    public void Constructor_ContentTypeAndBody_KeepsThem()
    {
        var response = new WebhookResponse("application/json", """{"method":"answerCallbackQuery","callback_query_id":"1"}""");

        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"method":"answerCallbackQuery","callback_query_id":"1"}""", response.Body);
    }

    [Theory]
    [InlineData(null, "{}", "ContentType")]
    [InlineData("", "{}", "ContentType")]
    [InlineData("application/json", null, "Body")]
    [InlineData("application/json", "", "Body")]
    public void Constructor_NullOrEmpty_ThrowsArgumentExceptionNamingTheParameter(string? contentType, string? body, string parameter)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new WebhookResponse(contentType!, body!));

        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void With_EmptyValue_ThrowsArgumentException()
    {
        var response = new WebhookResponse("application/json", "{}");

        Assert.Equal("Body", Assert.ThrowsAny<ArgumentException>(() => response with { Body = string.Empty }).ParamName);
        Assert.Equal("ContentType", Assert.ThrowsAny<ArgumentException>(() => response with { ContentType = string.Empty }).ParamName);
    }

    [Fact]
    public void Events_ResponseIsNullByDefault_AndCanBeSet()
    {
        var plain = WebhookResult.Events([]);
        var answered = plain with { Response = new WebhookResponse("application/json", "{}") };

        Assert.Null(plain.Response);
        Assert.Equal(new WebhookResponse("application/json", "{}"), answered.Response);
    }
}
