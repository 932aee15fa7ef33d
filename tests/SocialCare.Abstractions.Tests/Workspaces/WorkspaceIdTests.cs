namespace SocialCare.Workspaces;

public sealed class WorkspaceIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("acme")]
    [InlineData("ACME-eu_west.2")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")] // 64
    public void Constructor_ValidId_KeepsTheText(string value)
    {
        var id = new WorkspaceId(value);

        Assert.Equal(value, id.Value);
        Assert.Equal(value, id.ToString());
        Assert.False(id.IsEmpty);
        Assert.True(WorkspaceId.TryParse(value, out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData(null, "null or empty")]
    [InlineData("", "null or empty")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234", "65 characters")]
    [InlineData("acme corp", "' '")]
    [InlineData("acme/eu", "'/'")]
    [InlineData("açme", "'ç'")]
    [InlineData("acme\n", "'\n'")]
    public void Constructor_InvalidId_ThrowsArgumentExceptionSayingWhy(string? value, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => new WorkspaceId(value!));

        Assert.Equal("value", ex.ParamName);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(WorkspaceId.TryParse(value, out var parsed));
        Assert.True(parsed.IsEmpty);
    }

    [Fact]
    public void Default_IsEmptyWithEmptyText()
    {
        WorkspaceId id = default;

        Assert.True(id.IsEmpty);
        Assert.Equal(string.Empty, id.Value);
        Assert.Equal(string.Empty, id.ToString());
        Assert.Equal(0, id.GetHashCode());
    }

    [Fact]
    public void Equality_IsOrdinalAndCaseSensitive()
    {
        var a = new WorkspaceId("acme");

        Assert.Equal(a, new WorkspaceId("acme"));
        Assert.True(a == new WorkspaceId("acme"));
        Assert.True(a != new WorkspaceId("Acme"));
        Assert.NotEqual(a, default);
        Assert.Equal(a.GetHashCode(), new WorkspaceId("acme").GetHashCode());
        Assert.False(a.Equals((object)"acme"));
        Assert.True(a.Equals((object)new WorkspaceId("acme")));
    }
}
