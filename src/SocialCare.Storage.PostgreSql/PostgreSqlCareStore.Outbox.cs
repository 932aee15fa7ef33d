using Npgsql;
using NpgsqlTypes;

namespace SocialCare.Storage.PostgreSql;

/// <summary>
/// The outbox and dead letters, shared by every instance on the database. A claim is one statement that locks the due
/// entries with <c>FOR UPDATE SKIP LOCKED</c> and leases them, so concurrent claimers (on any instance) never take the
/// same entry; the owner-checked updates need no lock beyond their own row.
/// </summary>
public sealed partial class PostgreSqlCareStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OutboxEntry>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckClaim(owner, lease, maxCount);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.ClaimOutbox);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("now", now.UtcTicks);
        command.Parameters.AddWithValue("max", maxCount);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("until", (now + lease).UtcTicks);
        var claimed = new List<OutboxEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add(new OutboxEntry
                {
                    WorkspaceId = new WorkspaceId(reader.GetString(0)),
                    MessageId = new MessageId(reader.GetGuid(1)),
                    DueAt = new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
                    Attempts = reader.GetInt32(3),
                    SendStarted = reader.GetBoolean(4),
                    LastError = reader.IsDBNull(5) ? null : reader.GetString(5),
                });
            }
        }

        // RETURNING gives no order; the contract's is oldest due first (ties by message id, like the index).
        claimed.Sort(static (x, y) => x.DueAt != y.DueAt ? x.DueAt.CompareTo(y.DueAt) : x.MessageId.CompareTo(y.MessageId));
        return claimed;
    }

    /// <inheritdoc />
    public async ValueTask<bool> MarkSendStartedAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return await OwnerUpdateAsync(Sql.MarkSendStarted, workspaceId, messageId, owner, cancellationToken, ("now", now.UtcTicks)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RescheduleAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return await OwnerUpdateAsync(Sql.RescheduleOutbox, workspaceId, messageId, owner, cancellationToken, ("due", dueAt.UtcTicks), ("error", lastError)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteAsync(WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return await OwnerUpdateAsync(Sql.CompleteOutbox, workspaceId, messageId, owner, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.CountOutbox);
        await using var commandScope = command.ConfigureAwait(false);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public async ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetter(deadLetter);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.InsertDeadLetter);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", deadLetter.Id);
        command.Parameters.AddWithValue("channel", deadLetter.Channel.Name);
        command.Parameters.AddWithValue("registration", (object?)deadLetter.RegistrationName ?? DBNull.Value);
        command.Parameters.AddWithValue("received", deadLetter.ReceivedAt.UtcTicks);
        command.Parameters.AddWithValue("offset", (int)deadLetter.ReceivedAt.Offset.TotalMinutes);
        command.Parameters.AddWithValue("reason", deadLetter.Reason);
        command.Parameters.AddWithValue("method", deadLetter.Method);
        command.Parameters.AddWithValue("url", deadLetter.Url);
        command.Parameters.AddWithValue("type", (object?)deadLetter.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("body", NpgsqlDbType.Bytea, deadLetter.Body.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetterCount(maxCount);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.ListDeadLetters);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("max", maxCount);
        var list = new List<DeadLetter>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new DeadLetter
                {
                    Id = reader.GetGuid(0),
                    Channel = new ChannelKind(reader.GetString(1)),
                    RegistrationName = reader.IsDBNull(2) ? null : reader.GetString(2),
                    ReceivedAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(reader.GetInt32(4))),
                    Reason = reader.GetString(5),
                    Method = reader.GetString(6),
                    Url = reader.GetString(7),
                    ContentType = reader.IsDBNull(8) ? null : reader.GetString(8),
                    Body = reader.GetFieldValue<byte[]>(9),
                });
            }
        }

        return list;
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var command = DataSource.CreateCommand(Sql.DeleteDeadLetter);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async ValueTask<bool> OwnerUpdateAsync(string sql, WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await EnsureReady().WaitAsync(ct).ConfigureAwait(false);
        var command = DataSource.CreateCommand(sql);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("ws", workspaceId.Value);
        command.Parameters.AddWithValue("id", messageId.Value);
        command.Parameters.AddWithValue("owner", owner);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }
}
