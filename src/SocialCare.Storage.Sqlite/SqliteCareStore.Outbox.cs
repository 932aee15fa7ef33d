using Microsoft.Data.Sqlite;
using static SocialCare.Storage.Sqlite.SqliteParameters;

namespace SocialCare.Storage.Sqlite;

/// <summary>
/// The outbox and dead letters. Every change goes through the writer (<see cref="WriteAsync"/>), so a claim's select and
/// update are one statement in one durable transaction: no two claimers (threads of this store, or other processes on
/// the same file, which wait for the file's write lock) can take the same entry.
/// </summary>
public sealed partial class SqliteCareStore
{
    private const string ClaimSql =
        "UPDATE outbox SET owner = $owner, lease_until = $until, attempts = attempts + 1 " +
        "WHERE (workspace_id, message_id) IN (SELECT workspace_id, message_id FROM outbox WHERE due <= $now AND (owner IS NULL OR lease_until <= $now) ORDER BY due, message_id LIMIT $max) " +
        "RETURNING workspace_id, message_id, due, attempts, send_started, last_error";

    private const string DeadLetterColumns = "id, channel, registration, received, received_offset, reason, method, url, content_type, body";

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OutboxEntry>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckClaim(owner, lease, maxCount);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var claimed = await WriteAsync(
            l =>
            {
                var entries = new List<OutboxEntry>();
                using var reader = l.Command(ClaimSql)
                    .With("$owner", owner).With("$until", (now + lease).UtcTicks).With("$now", now.UtcTicks).With("$max", maxCount)
                    .ExecuteReader();
                while (reader.Read())
                {
                    entries.Add(new OutboxEntry
                    {
                        WorkspaceId = new WorkspaceId(reader.GetString(0)),
                        MessageId = new MessageId(new Guid(reader.GetFieldValue<byte[]>(1), bigEndian: true)),
                        DueAt = FromUtcTicks(reader.GetInt64(2)),
                        Attempts = reader.GetInt32(3),
                        SendStarted = reader.GetInt64(4) != 0,
                        LastError = reader.IsDBNull(5) ? null : reader.GetString(5),
                    });
                }

                return entries;
            },
            cancellationToken).ConfigureAwait(false);

        // RETURNING gives no order; the contract's is oldest due first (ties by message id, like the index).
        claimed.Sort(static (x, y) => x.DueAt != y.DueAt ? x.DueAt.CompareTo(y.DueAt) : x.MessageId.CompareTo(y.MessageId));
        return claimed;
    }

    /// <inheritdoc />
    public async ValueTask<bool> MarkSendStartedAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            l => l.Command("UPDATE outbox SET send_started = 1 WHERE workspace_id = $ws AND message_id = $id AND owner = $owner AND lease_until > $now")
                .With("$ws", workspaceId.Value).With("$id", Key(messageId.Value)).With("$owner", owner).With("$now", now.UtcTicks)
                .ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RescheduleAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            l => l.Command("UPDATE outbox SET due = $due, last_error = $error, send_started = 0, owner = NULL, lease_until = NULL WHERE workspace_id = $ws AND message_id = $id AND owner = $owner")
                .With("$ws", workspaceId.Value).With("$id", Key(messageId.Value)).With("$owner", owner).With("$due", dueAt.UtcTicks).With("$error", lastError)
                .ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteAsync(WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            l => l.Command("DELETE FROM outbox WHERE workspace_id = $ws AND message_id = $id AND owner = $owner")
                .With("$ws", workspaceId.Value).With("$id", Key(messageId.Value)).With("$owner", owner)
                .ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var lease = Rent();
        try
        {
            return (long)lease.Command("SELECT COUNT(*) FROM outbox").ExecuteScalar()!;
        }
        finally
        {
            Return(lease);
        }
    }

    /// <inheritdoc />
    public async ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetter(deadLetter);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var body = deadLetter.Body.ToArray();
        await WriteAsync(
            l => l.Command($"INSERT INTO dead_letters ({DeadLetterColumns}) VALUES ($id, $channel, $registration, $received, $offset, $reason, $method, $url, $type, $body) ON CONFLICT (id) DO NOTHING")
                .With("$id", Key(deadLetter.Id)).With("$channel", deadLetter.Channel.Name).With("$registration", deadLetter.RegistrationName)
                .With("$received", deadLetter.ReceivedAt.UtcTicks).With("$offset", (long)deadLetter.ReceivedAt.Offset.TotalMinutes)
                .With("$reason", deadLetter.Reason).With("$method", deadLetter.Method).With("$url", deadLetter.Url).With("$type", deadLetter.ContentType)
                .With("$body", body)
                .ExecuteNonQuery(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetterCount(maxCount);
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        var lease = Rent();
        try
        {
            var list = new List<DeadLetter>();
            using var reader = lease.Command($"SELECT {DeadLetterColumns} FROM dead_letters ORDER BY received DESC, id DESC LIMIT $max").With("$max", maxCount).ExecuteReader();
            while (reader.Read())
            {
                list.Add(ReadDeadLetter(reader));
            }

            return list;
        }
        finally
        {
            Return(lease);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureReady().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            l => l.Command("DELETE FROM dead_letters WHERE id = $id").With("$id", Key(id)).ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
    }

    private static DeadLetter ReadDeadLetter(SqliteDataReader reader) => new()
    {
        Id = new Guid(reader.GetFieldValue<byte[]>(0), bigEndian: true),
        Channel = new ChannelKind(reader.GetString(1)),
        RegistrationName = reader.IsDBNull(2) ? null : reader.GetString(2),
        ReceivedAt = FromUtcTicks(reader.GetInt64(3)).ToOffset(TimeSpan.FromMinutes(reader.GetInt64(4))),
        Reason = reader.GetString(5),
        Method = reader.GetString(6),
        Url = reader.GetString(7),
        ContentType = reader.IsDBNull(8) ? null : reader.GetString(8),
        Body = reader.IsDBNull(9) ? Array.Empty<byte>() : reader.GetFieldValue<byte[]>(9),
    };

    private static DateTimeOffset FromUtcTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
