namespace SocialCare.EndToEnd;

/// <summary>Finds the shared fixtures folder (<c>shared/fixtures</c>) beside the repository and reads fixtures as exact bytes.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path.Combine(Root.Value, relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"No folder 'shared/fixtures' was found above '{AppContext.BaseDirectory}'. The tests read the shared webhook " +
            "fixtures from the folder that holds the repository; check out 'shared/' beside it.");
    }
}
