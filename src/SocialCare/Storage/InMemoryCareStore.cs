using System.Collections.Concurrent;

namespace SocialCare.Storage;

/// <summary>
/// The reference store: everything in process memory, thread-safe, scoped by workspace, with the same unit-of-work,
/// optimistic-concurrency and unique-key semantics every provider must have. Data is lost when the process ends; use it
/// for tests, samples and as the yardstick other providers are measured against.
/// </summary>
/// <remarks>
/// Messages are kept as encoded rows in native memory (see docs/storage.md). Dispose the store to free them at once
/// — the service provider does so for the store <c>AddSocialCare</c> registers; a store nobody disposes frees them when
/// it is collected. A disposed store refuses new workspaces and sessions, commits and message reads with
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class InMemoryCareStore : ICareStore, IOutboxStore, IDeadLetterStore, IDisposable
{
    private readonly ConcurrentDictionary<WorkspaceId, InMemoryWorkspace> _workspaces = new();
    private readonly InMemoryOutbox _outbox = new();
    private volatile bool _disposed;

    /// <summary>Frees the memory the stored messages occupy; sessions still open fail when they commit or read a message.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var workspace in _workspaces.Values)
        {
            lock (workspace.Gate)
            {
                workspace.Disposed = true;
                workspace.Messages.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Id.IsEmpty)
        {
            throw new CareValidationException("Workspace.Id", "must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(workspace.Name))
        {
            throw new CareValidationException("Workspace.Name", "must not be empty.");
        }

        return ValueTask.FromResult(_workspaces.TryAdd(workspace.Id, new InMemoryWorkspace(workspace, _outbox)));
    }

    /// <inheritdoc />
    public ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_workspaces.TryGetValue(workspaceId, out var data) ? data.Workspace : null);

    /// <inheritdoc />
    public ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (workspaceId.IsEmpty)
        {
            throw new ArgumentException("The workspace id must not be empty.", nameof(workspaceId));
        }

        if (!_workspaces.TryGetValue(workspaceId, out var data))
        {
            throw new WorkspaceNotFoundException(workspaceId);
        }

        return ValueTask.FromResult<ICareSession>(new InMemoryCareSession(data));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckClaim(owner, lease, maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_outbox.Claim(owner, now, lease, maxCount));
    }

    /// <inheritdoc />
    public ValueTask<bool> MarkSendStartedAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_outbox.MarkSendStarted(workspaceId, messageId, owner, now));
    }

    /// <inheritdoc />
    public ValueTask<bool> RescheduleAsync(WorkspaceId workspaceId, MessageId messageId, string owner, DateTimeOffset dueAt, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_outbox.Reschedule(workspaceId, messageId, owner, dueAt, lastError));
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(WorkspaceId workspaceId, MessageId messageId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_outbox.Complete(workspaceId, messageId, owner));
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_outbox.Count());

    /// <inheritdoc />
    public ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetter(deadLetter);
        cancellationToken.ThrowIfCancellationRequested();
        _outbox.AddDeadLetter(deadLetter);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken)
    {
        OutboxArguments.CheckDeadLetterCount(maxCount);
        return ValueTask.FromResult(_outbox.ListDeadLetters(maxCount));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken) => ValueTask.FromResult(_outbox.DeleteDeadLetter(id));
}

/// <summary>One workspace's committed data and its indexes. Guarded by <see cref="Gate"/>.</summary>
internal sealed class InMemoryWorkspace(Workspace workspace, InMemoryOutbox outbox)
{
    public InMemoryOutbox Outbox { get; } = outbox;

    public Lock Gate { get; } = new();

    public Workspace Workspace { get; } = workspace;

    public Dictionary<ContactId, Contact> Contacts { get; } = [];

    public Dictionary<ContactHandle, ContactId> Handles { get; } = [];

    public Dictionary<ConversationId, Conversation> Conversations { get; } = [];

    /// <summary>The most recently created conversation per (channel account, handle, visibility).</summary>
    public Dictionary<ThreadKey, ConversationId> LatestConversation { get; } = [];

    /// <summary>The one active (not resolved) conversation per (channel account, handle, visibility).</summary>
    public Dictionary<ThreadKey, ConversationId> ActiveConversation { get; } = [];

    /// <summary>The messages, as encoded rows (see <see cref="MessageTable"/>), by id, by platform id and by conversation.</summary>
    public MessageTable Messages { get; } = new(workspace.Id);

    /// <summary>Set (under <see cref="Gate"/>) when the store is disposed: commits are refused from then on.</summary>
    public bool Disposed { get; set; }
}

internal readonly record struct ThreadKey(ChannelAccount Channel, ContactHandle Handle, ConversationVisibility Visibility)
{
    public static ThreadKey Of(Conversation c) => new(c.Channel, c.Handle, c.Visibility);
}

internal readonly record struct PlatformKey(ChannelAccount Channel, string PlatformMessageId);
