namespace SocialCare.Benchmarks;

/// <summary>The shared fixture the webhook benchmarks send: <c>shared/fixtures/whatsapp/bwa-message-text.json</c> (975 bytes).</summary>
internal static class WebhookFixture
{
    /// <summary>The fixture's path, found in the first directory above the benchmark's binaries that has <c>shared/fixtures</c>.</summary>
    public static string Path()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "fixtures", "whatsapp", "bwa-message-text.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No shared/fixtures/whatsapp/bwa-message-text.json above " + AppContext.BaseDirectory);
    }
}
