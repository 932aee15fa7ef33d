using Microsoft.Extensions.Logging;

namespace SocialCare.Storage.Sqlite;

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "SQLite care store {DataSource}: migrated the schema from version {From} to {To}.")]
    public static partial void Migrated(ILogger logger, string dataSource, int from, int to);

    [LoggerMessage(101, LogLevel.Error, "SQLite care store: a group commit of {Count} units of work failed; each was told.")]
    public static partial void GroupCommitFailed(ILogger logger, int count, Exception exception);
}
