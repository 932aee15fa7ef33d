using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SocialCare.Storage.PostgreSql;

namespace SocialCare.Storage.Benchmarks;

/// <summary>Where the benchmarks keep data: SQLite files under a temp directory, PostgreSQL from SOCIALCARE_POSTGRES.</summary>
internal static class BenchmarkStores
{
    public static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), "socialcare-storage-bench");

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("SOCIALCARE_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("PostgreSQL benchmarks need SOCIALCARE_POSTGRES (source .ci/setup-postgres.sh to start a server).");

    public static void Use(ISocialCareBuilder care, string store, string name)
    {
        Directory.CreateDirectory(DataDirectory);
        if (store == "Sqlite")
        {
            care.UseSqlite($"Data Source={Path.Combine(DataDirectory, name + ".db")}");
        }
        else
        {
            care.UsePostgreSql(o =>
            {
                // SOCIALCARE_BENCH_PG_OPTIONS: extra Npgsql settings for the store under test only (e.g. "Multiplexing=true")
                o.ConnectionString = Environment.GetEnvironmentVariable("SOCIALCARE_BENCH_PG_OPTIONS") is { Length: > 0 } extra
                    ? PostgresConnectionString + ";" + extra
                    : PostgresConnectionString;
                o.Schema = name;
            });
        }
    }

    public static void Drop(string store, string name)
    {
        if (store == "Sqlite")
        {
            Directory.CreateDirectory(DataDirectory); // the first run on a machine finds no directory yet
            foreach (var file in Directory.EnumerateFiles(DataDirectory, name + ".db*"))
            {
                File.Delete(file);
            }
        }
        else
        {
            using var dataSource = NpgsqlDataSource.Create(PostgresConnectionString);
            using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{name}\" CASCADE");
            command.ExecuteNonQuery();
        }
    }

    public static PostgreSqlCareStoreOptions PostgresOptions(string schema) => new() { ConnectionString = PostgresConnectionString, Schema = schema };
}
