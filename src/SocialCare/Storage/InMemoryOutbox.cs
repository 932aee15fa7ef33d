namespace SocialCare.Storage;

/// <summary>The in-memory store's outbox and dead letters, shared by its workspaces. Guarded by its own lock.</summary>
internal sealed class InMemoryOutbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(WorkspaceId, MessageId), Slot> _entries = [];
    private readonly Dictionary<Guid, DeadLetter> _deadLetters = [];

    public bool Contains(WorkspaceId workspaceId, MessageId messageId)
    {
        lock (_gate)
        {
            return _entries.ContainsKey((workspaceId, messageId));
        }
    }

    public void Add(OutboxEntry entry)
    {
        lock (_gate)
        {
            _entries.Add((entry.WorkspaceId, entry.MessageId), new Slot(entry with { Attempts = 0, SendStarted = false }, null, default));
        }
    }

    public IReadOnlyList<OutboxEntry> Claim(string owner, DateTimeOffset now, TimeSpan lease, int maxCount)
    {
        lock (_gate)
        {
            var due = _entries
                .Where(e => e.Value.Entry.DueAt <= now && (e.Value.Owner is null || e.Value.LeaseUntil <= now))
                .OrderBy(e => e.Value.Entry.DueAt)
                .ThenBy(e => e.Key.Item2.Value)
                .Take(maxCount)
                .ToList();
            var claimed = new List<OutboxEntry>(due.Count);
            foreach (var (key, slot) in due)
            {
                var entry = slot.Entry with { Attempts = slot.Entry.Attempts + 1 };
                _entries[key] = new Slot(entry, owner, now + lease);
                claimed.Add(entry);
            }

            return claimed;
        }
    }

    public bool MarkSendStarted(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((workspaceId, messageId), out var slot) || slot.Owner != owner || slot.LeaseUntil <= now)
            {
                return false;
            }

            _entries[(workspaceId, messageId)] = slot with { Entry = slot.Entry with { SendStarted = true } };
            return true;
        }
    }

    public bool Reschedule(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((workspaceId, messageId), out var slot) || slot.Owner != owner)
            {
                return false;
            }

            _entries[(workspaceId, messageId)] = new Slot(slot.Entry with { DueAt = dueAt, LastError = lastError, SendStarted = false }, null, default);
            return true;
        }
    }

    public bool Complete(WorkspaceId workspaceId, MessageId messageId, string owner)
    {
        lock (_gate)
        {
            return _entries.TryGetValue((workspaceId, messageId), out var slot) && slot.Owner == owner && _entries.Remove((workspaceId, messageId));
        }
    }

    public long Count()
    {
        lock (_gate)
        {
            return _entries.Count;
        }
    }

    public void AddDeadLetter(DeadLetter deadLetter)
    {
        lock (_gate)
        {
            _deadLetters.TryAdd(deadLetter.Id, deadLetter with { Body = deadLetter.Body.ToArray() });
        }
    }

    public IReadOnlyList<DeadLetter> ListDeadLetters(int maxCount)
    {
        lock (_gate)
        {
            return [.. _deadLetters.Values.OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.Id).Take(maxCount)];
        }
    }

    public bool DeleteDeadLetter(Guid id)
    {
        lock (_gate)
        {
            return _deadLetters.Remove(id);
        }
    }

    private readonly record struct Slot(OutboxEntry Entry, string? Owner, DateTimeOffset LeaseUntil);
}
