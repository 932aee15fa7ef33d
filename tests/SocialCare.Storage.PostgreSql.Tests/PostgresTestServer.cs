using Npgsql;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

/// <summary>
/// The server the tests use, from SOCIALCARE_POSTGRES. Without it the tests are skipped on a developer machine (with
/// how to run them) and fail under CI=true, where .ci/setup-postgres.sh must have provided one.
/// </summary>
internal static class PostgresTestServer
{
    public const string Variable = "SOCIALCARE_POSTGRES";

    private static readonly Lazy<Task<string?>> Problem = new(CheckAsync);

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);

    public static async Task<string> RequireAsync()
    {
        var problem = await Problem.Value;
        if (problem is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"CI=true but PostgreSQL is not usable: {problem} .ci/setup-postgres.sh should start a server and export {Variable}.");
            }

            Assert.Skip($"PostgreSQL tests need a server: {problem} To run them, set {Variable}=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=socialcare_test\" (or `source .ci/setup-postgres.sh` to start a throwaway one).");
        }

        return ConnectionString!;
    }

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..20];

    private static async Task<string?> CheckAsync()
    {
        var cs = ConnectionString;
        if (string.IsNullOrWhiteSpace(cs))
        {
            return $"{Variable} is not set.";
        }

        try
        {
            await using var dataSource = NpgsqlDataSource.Create(cs);
            await using var connection = await dataSource.OpenConnectionAsync();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException)
        {
            return $"{Variable} is set but the server is unreachable ({ex.Message}).";
        }
    }
}
