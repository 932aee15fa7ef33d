using Npgsql;

namespace SocialCare.Storage.PostgreSql;

/// <summary>A versioned update: it must change exactly one row (the statement fails with division by zero otherwise).</summary>
internal sealed record VersionedRow(string Entity, string Table, Guid Id, long BaseVersion);

/// <summary>One statement of a unit of work, with the conflict its unique-constraint violation means.</summary>
internal sealed record PostgreSqlWrite(PositionalSql Sql, (string Name, object? Value)[] Values, Func<ConcurrencyConflictException> Conflict, VersionedRow? Versioned = null);

/// <summary>
/// Applies a unit of work as one batch without an explicit transaction: PostgreSQL runs the statements of a batch (up to
/// its single Sync) as one implicit transaction and commits it, durably, before answering — write and COMMIT in one
/// round trip. Any failing statement rolls the whole batch back and is reported as the conflict it means.
/// </summary>
/// <remarks>
/// Grouping several units into one batch (each failing alone, the rest resent) was measured and dropped: PostgreSQL
/// already groups the WAL flushes of concurrent commits, and the hand-off serialised the producers (see
/// benchmarks/results/storage-durable-ingest.md, "PostgreSQL, round 2").
/// </remarks>
internal static class PostgreSqlCommitter
{
    private const string UniqueViolation = "23505";
    private const string DivisionByZero = "22012";

    /// <summary>An update that fails (division by zero) unless it changed exactly one row, so a stale version rolls the batch back.</summary>
    public static string ExpectOneRow(string update) => $"WITH u AS ({update} RETURNING 1) SELECT 1 / count(*) FROM u";

    /// <summary>Commits the writes of one unit of work, all or nothing.</summary>
    /// <exception cref="ConcurrencyConflictException">A unique key was taken or a version was stale; nothing was kept.</exception>
    public static async Task ApplyAsync(NpgsqlConnection connection, PostgreSqlStatements sql, string workspaceId, List<PostgreSqlWrite> writes, CancellationToken ct)
    {
        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        foreach (var write in writes)
        {
            var command = new NpgsqlBatchCommand(write.Sql.Text);
            write.Sql.Bind(command.Parameters, workspaceId, write.Values);
            batch.BatchCommands.Add(command);
        }

        try
        {
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (FailedIndex(batch, ex) is var index and >= 0)
        {
            throw await ConflictAsync(connection, sql, workspaceId, writes[index], ex, ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            throw new ConcurrencyConflictException("unit of work", workspaceId, null, null, ex.MessageText);
        }
    }

    /// <summary>
    /// The failing statement. Npgsql names it only with "Include Failed Batched Command" (off by default: it would put
    /// parameter values into exceptions); otherwise it is the first one whose completion never arrived.
    /// </summary>
    private static int FailedIndex(NpgsqlBatch batch, PostgresException ex)
    {
        if (ex.BatchCommand is { } failed)
        {
            return batch.BatchCommands.IndexOf(failed);
        }

        for (var i = 0; i < batch.BatchCommands.Count; i++)
        {
            if (batch.BatchCommands[i].StatementType == StatementType.Unknown)
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task<Exception> ConflictAsync(NpgsqlConnection connection, PostgreSqlStatements sql, string workspaceId, PostgreSqlWrite write, PostgresException ex, CancellationToken ct)
    {
        if (ex.SqlState == UniqueViolation)
        {
            return write.Conflict();
        }

        if (ex.SqlState == DivisionByZero && write.Versioned is { } row)
        {
            var command = new NpgsqlCommand(sql.Version(row.Table), connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.AddWithValue("ws", workspaceId);
            command.Parameters.AddWithValue("id", row.Id);
            var actual = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
            return new ConcurrencyConflictException(row.Entity, row.Id.ToString("D"), row.BaseVersion, actual);
        }

        return ex;
    }
}
