using Npgsql;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

/// <summary>
/// A unit of work's writes and COMMIT go as one batch: the statement that fails is reported as its own typed conflict
/// (found without Npgsql's "Include Failed Batched Command"), and nothing of the unit is kept.
/// </summary>
public sealed class PostgreSqlCommitterTests
{
    private const string Ws = "brand";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApplyAsync_FailingStatement_ThrowsItsTypedConflictAndKeepsNothingOfTheUnit()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = PostgresTestServer.NewSchema();
        await using var dataSource = PostgreSqlCareStore.CreateDataSource(new PostgreSqlCareStoreOptions { ConnectionString = cs });
        try
        {
            await using var store = new PostgreSqlCareStore(dataSource, new PostgreSqlCareStoreOptions { Schema = schema });
            await store.InitializeAsync(Ct);
            var sql = store.Sql;
            Guid seeded = Guid.NewGuid(), taken = Guid.NewGuid(), last = Guid.NewGuid();
            await using var connection = await dataSource.OpenConnectionAsync(Ct);
            await PostgreSqlCommitter.ApplyAsync(connection, sql, Ws, Insert(sql, seeded, "h0"), Ct);

            // The second statement (the handle) fails: the first (the contact row) is not kept either.
            var handle = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => PostgreSqlCommitter.ApplyAsync(connection, sql, Ws, Insert(sql, taken, "h0"), Ct));
            Assert.Contains("handle h0 was taken", handle.Message, StringComparison.Ordinal);

            // A stale version: the conflict carries the expected and the actual version.
            List<PostgreSqlWrite> stale = [new PostgreSqlWrite(sql.UpdateContactExpectOne, [("v", 6L), ("doc", "{}"), ("id", seeded), ("base", 5L)], () => new ConcurrencyConflictException("contact", "x", 5, null), new VersionedRow("contact", "contacts", seeded, 5))];
            var version = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => PostgreSqlCommitter.ApplyAsync(connection, sql, Ws, stale, Ct));
            Assert.Equal(5, version.ExpectedVersion);
            Assert.Equal(1, version.ActualVersion);

            // The connection is still usable after a failed unit.
            await PostgreSqlCommitter.ApplyAsync(connection, sql, Ws, Insert(sql, last, "h4"), Ct);

            await using var count = new NpgsqlCommand($"SELECT array_agg(id ORDER BY id) FROM \"{schema}\".contacts", connection);
            var ids = (Guid[])(await count.ExecuteScalarAsync(Ct))!;
            Assert.Equal(new[] { seeded, last }.Order(), ids);
            await using var versionOf = new NpgsqlCommand($"SELECT version FROM \"{schema}\".contacts WHERE id = @id", connection);
            versionOf.Parameters.AddWithValue("id", seeded);
            Assert.Equal(1L, await versionOf.ExecuteScalarAsync(Ct));
        }
        finally
        {
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static List<PostgreSqlWrite> Insert(PostgreSqlStatements sql, Guid id, string handle) =>
    [
        new PostgreSqlWrite(sql.InsertContact, [("id", id), ("v", 1L), ("doc", "{}")], () => new ConcurrencyConflictException("contact", id.ToString(), null, null)),
        new PostgreSqlWrite(sql.InsertHandle, [("k", "whatsapp"), ("e", handle), ("id", id)], () => new ConcurrencyConflictException("contact", handle, null, null, $"handle {handle} was taken")),
    ];
}
