using Npgsql;

namespace SocialCare.Storage.PostgreSql;

/// <summary>One claimed item of work.</summary>
internal sealed record ClaimedWork(long Id, WorkspaceId WorkspaceId, string Payload, int Attempts);

/// <summary>
/// Durable work several instances share (the SLA timers and outbox of later issues): each due item is claimed by one
/// instance at a time with <c>FOR UPDATE SKIP LOCKED</c>, leased until a time, and completed by its claimer; a claim
/// whose lease ran out (its instance died) becomes claimable again.
/// </summary>
internal sealed class PostgreSqlWorkQueue(PostgreSqlCareStore store)
{
    private readonly string _s = store.Sql.S;

    public async ValueTask<long> EnqueueAsync(string queue, WorkspaceId workspaceId, string payload, DateTimeOffset due, CancellationToken ct)
    {
        await store.InitializeAsync(ct).ConfigureAwait(false);
        var command = store.DataSource.CreateCommand($"INSERT INTO {_s}.work_items (queue, workspace_id, due, payload) VALUES (@q, @ws, @due, @p) RETURNING id");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("q", queue);
        command.Parameters.AddWithValue("ws", workspaceId.Value);
        command.Parameters.AddWithValue("due", due.UtcTicks);
        command.Parameters.AddWithValue("p", payload);
        return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    public async ValueTask<List<ClaimedWork>> ClaimAsync(string queue, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await store.InitializeAsync(ct).ConfigureAwait(false);
        var command = store.DataSource.CreateCommand(
            $"WITH due AS (SELECT id FROM {_s}.work_items WHERE queue = @q AND due <= @now AND (claimed_until IS NULL OR claimed_until < @now) " +
            "ORDER BY due, id LIMIT @max FOR UPDATE SKIP LOCKED) " +
            $"UPDATE {_s}.work_items w SET claimed_by = @owner, claimed_until = @until, attempts = w.attempts + 1 FROM due WHERE w.id = due.id " +
            "RETURNING w.id, w.workspace_id, w.payload, w.attempts");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("q", queue);
        command.Parameters.AddWithValue("now", now.UtcTicks);
        command.Parameters.AddWithValue("max", max);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("until", (now + lease).UtcTicks);
        var claimed = new List<ClaimedWork>();
        var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            claimed.Add(new ClaimedWork(reader.GetInt64(0), new WorkspaceId(reader.GetString(1)), reader.GetString(2), reader.GetInt32(3)));
        }

        return claimed;
    }

    public async ValueTask<bool> CompleteAsync(long id, string owner, CancellationToken ct)
    {
        var command = store.DataSource.CreateCommand($"DELETE FROM {_s}.work_items WHERE id = @id AND claimed_by = @owner");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }
}
