using System.Text;
using System.Text.RegularExpressions;

namespace SocialCare.Channels.X.Sending;

/// <summary>
/// How X counts the length of a Post (twitter-text version 3): the text is NFC-normalised; code points in the Latin,
/// punctuation and general ranges weigh 1, all others (CJK, emoji, …) weigh 2; every URL weighs 23 (its t.co length).
/// Emoji sequences are counted per code point, so a ZWJ sequence counts more than X would: a conservative estimate.
/// </summary>
internal static partial class PostLength
{
    /// <summary>The longest Post, in weighted characters.</summary>
    public const int Max = 280;

    private const int UrlWeight = 23;

    public static int Weighted(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormC);
        var length = 0;
        var last = 0;
        foreach (Match url in Url().Matches(normalized))
        {
            length += Count(normalized.AsSpan(last, url.Index - last)) + UrlWeight;
            last = url.Index + url.Length;
        }

        return length + Count(normalized.AsSpan(last));
    }

    private static int Count(ReadOnlySpan<char> text)
    {
        var length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            length += rune.Value is <= 4351 or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 1 : 2;
        }

        return length;
    }

    [GeneratedRegex(@"https?://[^\s]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Url();
}
