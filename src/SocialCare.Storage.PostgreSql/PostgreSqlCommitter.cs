using Npgsql;

namespace SocialCare.Storage.PostgreSql;

/// <summary>A versioned update: it must change exactly one row (the statement fails with division by zero otherwise).</summary>
internal sealed record VersionedRow(string Entity, string Table, Guid Id, long BaseVersion);

/// <summary>One statement of a unit of work, with the conflict its unique-constraint violation means.</summary>
internal sealed record PostgreSqlWrite(PositionalSql Sql, (string Name, object? Value)[] Values, Func<ConcurrencyConflictException> Conflict, VersionedRow? Versioned = null);

/// <summary>The statements of one unit of work, applied all together or not at all.</summary>
internal sealed class PostgreSqlUnit(string workspaceId, List<PostgreSqlWrite> writes)
{
    public string WorkspaceId { get; } = workspaceId;

    public List<PostgreSqlWrite> Writes { get; } = writes;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Applies units of work as one batch without an explicit transaction: PostgreSQL runs the statements of a batch (up to
/// its single Sync) as one implicit transaction and commits it, durably, before answering — write and COMMIT in one
/// round trip. Any failing statement rolls the whole batch back; the unit it belongs to fails alone and the others are
/// sent again.
/// </summary>
internal static class PostgreSqlCommitter
{
    private const string UniqueViolation = "23505";
    private const string DivisionByZero = "22012";

    /// <summary>An update that fails (division by zero) unless it changed exactly one row, so a stale version rolls the batch back.</summary>
    public static string ExpectOneRow(string update) => $"WITH u AS ({update} RETURNING 1) SELECT 1 / count(*) FROM u";

    /// <summary>
    /// Commits the units; each one's <see cref="PostgreSqlUnit.Done"/> completes with its own outcome. Throws (with the
    /// units not yet completed) when the connection fails; the caller fails those and drops the connection.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, PostgreSqlStatements sql, List<PostgreSqlUnit> units, CancellationToken ct)
    {
        var remaining = units;
        while (remaining.Count > 0)
        {
            var batch = new NpgsqlBatch(connection);
            await using var batchScope = batch.ConfigureAwait(false);
            var owners = new List<(PostgreSqlUnit Unit, PostgreSqlWrite Write)>();
            foreach (var unit in remaining)
            {
                foreach (var write in unit.Writes)
                {
                    var command = new NpgsqlBatchCommand(write.Sql.Text);
                    write.Sql.Bind(command.Parameters, unit.WorkspaceId, write.Values);

                    batch.BatchCommands.Add(command);
                    owners.Add((unit, write));
                }
            }

            try
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (FailedIndex(batch, ex) is var index and >= 0)
            {
                // Nothing of the batch was kept. The failing unit fails alone; the others go again.
                var (unit, write) = owners[index];
                unit.Done.TrySetException(await ConflictAsync(connection, sql, unit, write, ex, ct).ConfigureAwait(false));
                remaining = remaining.Where(u => u != unit).ToList();
                continue;
            }
            catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
            {
                Fail(remaining, new ConcurrencyConflictException("unit of work", remaining[0].WorkspaceId, null, null, ex.MessageText));
                return;
            }

            foreach (var unit in remaining)
            {
                unit.Done.TrySetResult();
            }

            return;
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

    private static void Fail(List<PostgreSqlUnit> units, Exception ex)
    {
        foreach (var unit in units)
        {
            unit.Done.TrySetException(ex);
        }
    }

    private static async Task<Exception> ConflictAsync(NpgsqlConnection connection, PostgreSqlStatements sql, PostgreSqlUnit unit, PostgreSqlWrite write, PostgresException ex, CancellationToken ct)
    {
        if (ex.SqlState == UniqueViolation)
        {
            return write.Conflict();
        }

        if (ex.SqlState == DivisionByZero && write.Versioned is { } row)
        {
            var command = new NpgsqlCommand(sql.Version(row.Table), connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.AddWithValue("ws", unit.WorkspaceId);
            command.Parameters.AddWithValue("id", row.Id);
            var actual = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
            return new ConcurrencyConflictException(row.Entity, row.Id.ToString("D"), row.BaseVersion, actual);
        }

        return ex;
    }
}
