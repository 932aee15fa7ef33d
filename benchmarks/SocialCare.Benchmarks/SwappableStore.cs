using SocialCare.Storage;

namespace SocialCare.Benchmarks;

/// <summary>
/// An <see cref="ICareStore"/> that forwards to an <see cref="InMemoryCareStore"/> which the benchmark replaces with an
/// empty one before each iteration. The engine (service provider, pipeline, steps) is built once: building a new
/// service provider per iteration would JIT new DI resolvers every time, keep resetting tiered compilation's delay,
/// and leave the measured code running unoptimized. The forwarding costs one interface call per session.
/// </summary>
internal sealed class SwappableStore : ICareStore
{
    private InMemoryCareStore _inner = new();

    /// <summary>Replaces the data with an empty store holding only <paramref name="workspace"/>.</summary>
    public void Reset(Workspace workspace)
    {
        _inner.Dispose(); // frees the dropped store's message rows now rather than at some later collection
        _inner = new InMemoryCareStore();
        _inner.CreateWorkspaceAsync(workspace, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    public ValueTask<bool> CreateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) =>
        _inner.CreateWorkspaceAsync(workspace, cancellationToken);

    public ValueTask<Workspace?> GetWorkspaceAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
        _inner.GetWorkspaceAsync(workspaceId, cancellationToken);

    public ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken) =>
        _inner.BeginAsync(workspaceId, cancellationToken);
}
