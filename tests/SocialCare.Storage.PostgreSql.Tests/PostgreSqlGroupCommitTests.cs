using Npgsql;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

/// <summary>Several units of work applied as one batch (group commit): a failing unit fails alone, the others are kept.</summary>
public sealed class PostgreSqlGroupCommitTests
{
    private const string Ws = "brand";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApplyAsync_OneUnitFailsInTheBatch_FailsAloneWithItsConflictAndTheOthersAreKept()
    {
        var cs = await PostgresTestServer.RequireAsync();
        var schema = PostgresTestServer.NewSchema();
        await using var dataSource = PostgreSqlCareStore.CreateDataSource(new PostgreSqlCareStoreOptions { ConnectionString = cs });
        try
        {
            await using var store = new PostgreSqlCareStore(dataSource, new PostgreSqlCareStoreOptions { Schema = schema });
            await store.InitializeAsync(Ct);
            var sql = store.Sql;
            Guid seeded = Guid.NewGuid(), first = Guid.NewGuid(), taken = Guid.NewGuid(), stale = Guid.NewGuid(), last = Guid.NewGuid();
            await using var connection = await dataSource.OpenConnectionAsync(Ct);
            await PostgreSqlCommitter.ApplyAsync(connection, sql, [Insert(sql, seeded, "h0")], Ct);

            var units = new List<PostgreSqlUnit>
            {
                Insert(sql, first, "h1"),
                Insert(sql, taken, "h1"), // the handle the unit before it takes
                new(Ws, [new PostgreSqlWrite(sql.UpdateContactExpectOne, [("v", 6L), ("doc", "{}"), ("id", seeded), ("base", 5L)], () => new ConcurrencyConflictException("contact", "x", 5, null), new VersionedRow("contact", "contacts", seeded, 5))]),
                Insert(sql, stale, "h0"), // the seeded contact's handle
                Insert(sql, last, "h4"),
            };
            await PostgreSqlCommitter.ApplyAsync(connection, sql, units, Ct);

            await units[0].Done.Task;
            await units[4].Done.Task;
            var handle = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => units[1].Done.Task);
            Assert.Contains("h1", handle.Message, StringComparison.Ordinal);
            var version = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => units[2].Done.Task);
            Assert.Equal(5, version.ExpectedVersion);
            Assert.Equal(1, version.ActualVersion);
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => units[3].Done.Task);

            await using var count = new NpgsqlCommand($"SELECT array_agg(id ORDER BY id) FROM \"{schema}\".contacts", connection);
            var ids = (Guid[])(await count.ExecuteScalarAsync(Ct))!;
            Assert.Equal(new[] { seeded, first, last }.Order(), ids);
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

    private static PostgreSqlUnit Insert(PostgreSqlStatements sql, Guid id, string handle) => new(Ws,
    [
        new PostgreSqlWrite(sql.InsertContact, [("id", id), ("v", 1L), ("doc", "{}")], () => new ConcurrencyConflictException("contact", id.ToString(), null, null)),
        new PostgreSqlWrite(sql.InsertHandle, [("k", "whatsapp"), ("e", handle), ("id", id)], () => new ConcurrencyConflictException("contact", handle, null, null, $"handle {handle} was taken")),
    ]);
}
