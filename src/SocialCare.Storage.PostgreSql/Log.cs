using Microsoft.Extensions.Logging;

namespace SocialCare.Storage.PostgreSql;

internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "PostgreSQL care store: migrated schema {Schema} from version {From} to {To}.")]
    public static partial void Migrated(ILogger logger, string schema, int from, int to);
}
