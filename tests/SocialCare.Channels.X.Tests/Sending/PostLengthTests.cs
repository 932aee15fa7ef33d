namespace SocialCare.Channels.X.Sending;

public sealed class PostLengthTests
{
    [Theory]
    [InlineData("hello", 5)]
    [InlineData("café", 4)] // NFC: é is one code point whether composed or not
    [InlineData("cafe\u0301", 4)]
    [InlineData("日本語", 6)] // CJK weighs 2
    [InlineData("😀", 2)] // one astral code point, weight 2
    [InlineData("see https://example.com/a/very/long/path/that/is/longer/than/twenty-three", 27)] // URL counts 23
    public void Weighted_CountsLikeTwitterText(string text, int expected)
    {
        Assert.Equal(expected, PostLength.Weighted(text));
    }
}
