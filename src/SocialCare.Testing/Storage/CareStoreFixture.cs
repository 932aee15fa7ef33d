using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>
/// What a provider's test project supplies to the storage specification suite: a way to create a fresh, empty
/// <see cref="ICareStore"/> for each test, and the capabilities the provider has. One fixture instance serves one
/// test class; stores it created are disposed with it.
/// </summary>
public abstract class CareStoreFixture : IAsyncLifetime
{
    private readonly List<ICareStore> _stores = [];
    private readonly Lock _gate = new();

    /// <summary>What the provider supports. A test that needs a capability the provider lacks is skipped, with the reason.</summary>
    public virtual CareStoreCapabilities Capabilities => CareStoreCapabilities.All;

    /// <summary>Creates a fresh, empty store (its own database, schema or file), tracked for disposal.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The store.</returns>
    public async ValueTask<ICareStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var store = await CreateStoreCoreAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _stores.Add(store);
        }

        return store;
    }

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<ICareStore> stores;
        lock (_gate)
        {
            stores = [.. _stores];
            _stores.Clear();
        }

        foreach (var store in stores)
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        await DisposeResourcesAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a fresh, empty store. Called once per test.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The store.</returns>
    protected abstract ValueTask<ICareStore> CreateStoreCoreAsync(CancellationToken cancellationToken);

    /// <summary>Releases what the fixture holds besides the stores (a server, a temporary directory).</summary>
    /// <returns>A task.</returns>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;
}

/// <summary>Optional abilities of a store. Tests needing an ability the store lacks are skipped visibly with a reason.</summary>
public sealed record CareStoreCapabilities
{
    /// <summary>Everything: the in-memory reference store's capabilities.</summary>
    public static CareStoreCapabilities All { get; } = new();

    /// <summary>
    /// <see cref="ConversationQuery.TextContains"/> folds case beyond ASCII exactly like
    /// <see cref="StringComparison.OrdinalIgnoreCase"/> (some databases fold case by their collation instead).
    /// </summary>
    public bool UnicodeCaseInsensitiveTextSearch { get; init; } = true;

    /// <summary>Text may contain U+0000 (some databases refuse it in text columns).</summary>
    public bool NulCharactersInText { get; init; } = true;
}
