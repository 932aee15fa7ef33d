namespace SocialCare.Channels;

public sealed class ChannelKindTests
{
    [Theory]
    [InlineData("whatsapp")]
    [InlineData("line")]
    [InlineData("google-business_messages2")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")] // 32
    public void Constructor_ValidName_KeepsIt(string name)
    {
        var kind = new ChannelKind(name);

        Assert.Equal(name, kind.Name);
        Assert.Equal(name, kind.ToString());
        Assert.False(kind.IsEmpty);
    }

    [Theory]
    [InlineData("WhatsApp", "'W'")]
    [InlineData("what sapp", "' '")]
    [InlineData("x.com", "'.'")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "33 characters")]
    public void Constructor_InvalidName_ThrowsArgumentExceptionSayingWhy(string name, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ChannelKind(name));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Constructor_NullOrEmpty_Throws(string? name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ChannelKind(name!));
    }

    [Fact]
    public void WellKnownKinds_HaveTheirLowerCaseNamesAndEqualNewInstances()
    {
        Assert.Equal(
            ["whatsapp", "messenger", "instagram", "x", "telegram", "email", "sms"],
            new[] { ChannelKind.WhatsApp, ChannelKind.Messenger, ChannelKind.Instagram, ChannelKind.X, ChannelKind.Telegram, ChannelKind.Email, ChannelKind.Sms }.Select(k => k.Name));
        Assert.Equal(ChannelKind.WhatsApp, new ChannelKind("whatsapp"));
        Assert.True(ChannelKind.WhatsApp == new ChannelKind("whatsapp"));
        Assert.True(ChannelKind.WhatsApp != ChannelKind.Messenger);
        Assert.Equal(ChannelKind.WhatsApp.GetHashCode(), new ChannelKind("whatsapp").GetHashCode());
    }

    [Fact]
    public void Default_IsEmptyAndMakesAccountsAndHandlesEmpty()
    {
        ChannelKind kind = default;

        Assert.True(kind.IsEmpty);
        Assert.Equal(string.Empty, kind.Name);
        Assert.True(new ChannelAccount(kind, "123").IsEmpty);
        Assert.True(new ChannelAccount(ChannelKind.Sms, "").IsEmpty);
        Assert.False(new ChannelAccount(ChannelKind.Sms, "+15550100").IsEmpty);
        Assert.True(new ContactHandle(kind, "123").IsEmpty);
        Assert.True(new ContactHandle(ChannelKind.Sms, null!).IsEmpty);
        Assert.Equal("sms:+15550100", new ChannelAccount(ChannelKind.Sms, "+15550100").ToString());
        Assert.Equal("x:42", new ContactHandle(ChannelKind.X, "42").ToString());
    }
}
