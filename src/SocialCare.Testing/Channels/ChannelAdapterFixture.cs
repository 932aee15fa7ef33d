using SocialCare.Channels;
using Xunit;

namespace SocialCare.Testing.Channels;

/// <summary>
/// What an adapter's test project supplies to the channel adapter specification suites
/// (<see cref="ChannelWebhookSpecification{TFixture}"/>, <see cref="ChannelSendSpecification{TFixture}"/>): the adapter
/// under test, configured to send to a <see cref="FakePlatformServer"/>; genuine, badly signed and unsigned webhook
/// requests; a sample outbound message; and the platform's answers. One fixture serves one test class; each test gets
/// a fresh adapter (and, for sends, a fresh server), disposed with the fixture.
/// </summary>
public abstract class ChannelAdapterFixture : IAsyncLifetime
{
    private readonly List<object> _owned = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// Whether the signature covers the body, so a one-byte change to the body must be rejected. Default true; a
    /// platform that authenticates webhooks with a secret token instead (Telegram) sets false, and the fact is skipped
    /// with the reason.
    /// </summary>
    public virtual bool SignatureCoversBody => true;

    /// <summary>Creates a fresh adapter for webhook tests (no platform to send to).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The adapter.</returns>
    public async ValueTask<IChannelAdapter> CreateAdapterAsync(CancellationToken cancellationToken) =>
        Own(await CreateAdapterCoreAsync(null, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Starts a fresh <see cref="FakePlatformServer"/> answering <see cref="SuccessResponse"/> by default, and creates a
    /// fresh adapter that sends to it. Both are disposed with the fixture.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The adapter and the server.</returns>
    public async ValueTask<(IChannelAdapter Adapter, FakePlatformServer Server)> CreateSendingAdapterAsync(CancellationToken cancellationToken)
    {
        var server = Own(await FakePlatformServer.StartAsync(null, cancellationToken).ConfigureAwait(false));
        server.DefaultResponse = SuccessResponse;
        var adapter = Own(await CreateAdapterCoreAsync(server.BaseAddress, cancellationToken).ConfigureAwait(false));
        return (adapter, server);
    }

    /// <summary>
    /// A genuine, correctly signed webhook request carrying at least one customer message (a POST, addressed as the
    /// host would address it).
    /// </summary>
    /// <returns>The request.</returns>
    public abstract WebhookRequest CreateGenuineRequest();

    /// <summary>A request like the genuine one, with this body and a correct signature over it.</summary>
    /// <param name="body">The raw body.</param>
    /// <returns>The request.</returns>
    public abstract WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body);

    /// <summary>A request like the genuine one, with this body and a well-formed signature made with the wrong secret.</summary>
    /// <param name="body">The raw body.</param>
    /// <returns>The request.</returns>
    public abstract WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body);

    /// <summary>A request like the genuine one, with this body and no signature (or token) at all.</summary>
    /// <param name="body">The raw body.</param>
    /// <returns>The request.</returns>
    public abstract WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body);

    /// <summary>A correct verification handshake request (for example a GET with a challenge), or null when the platform has none.</summary>
    /// <returns>The request, or null.</returns>
    public virtual WebhookRequest? CreateHandshakeRequest() => null;

    /// <summary>
    /// A plain text message to a customer from an account the adapter created by <see cref="CreateSendingAdapterAsync"/>
    /// can send from; on a platform with a customer-service window, inside it (the customer wrote minutes ago).
    /// </summary>
    /// <returns>The message.</returns>
    public abstract OutboundMessage CreateSampleMessage();

    /// <summary>The platform's answer to an accepted send (with the platform's message id).</summary>
    /// <param name="request">The send request.</param>
    /// <returns>The response.</returns>
    public abstract FakeResponse SuccessResponse(RecordedRequest request);

    /// <summary>The platform's answer when it fails internally. Default 500 with a plain-text body.</summary>
    /// <returns>The response.</returns>
    public virtual FakeResponse ServerErrorResponse() => FakeResponse.Text(500, "Internal Server Error");

    /// <summary>The platform's answer when it throttles the sender. Default 429 with <c>Retry-After</c> and the body <c>{}</c>.</summary>
    /// <param name="retryAfter">The wait the platform asks for.</param>
    /// <returns>The response.</returns>
    public virtual FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(429, "{}", retryAfter);

    /// <summary>The platform's answer to a request it refuses for good (bad recipient, bad request). Default 400 with the body <c>{}</c>.</summary>
    /// <returns>The response.</returns>
    public virtual FakeResponse RefusedResponse() => FakeResponse.Json(400, "{}");

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<object> owned;
        lock (_gate)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        owned.Reverse();
        foreach (var item in owned)
        {
            switch (item)
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

    /// <summary>
    /// Creates a fresh adapter. Called once per test. Register what must be disposed afterwards (a service provider)
    /// with <see cref="RegisterForDisposal"/>; a disposable adapter is disposed anyway.
    /// </summary>
    /// <param name="platformBaseAddress">
    /// The fake platform's address the adapter must send every API call to (its API base URL), or null for a
    /// webhook-only test.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The adapter.</returns>
    protected abstract ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken);

    /// <summary>Disposes <paramref name="resource"/> (an <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>) with the fixture.</summary>
    /// <param name="resource">The resource.</param>
    protected void RegisterForDisposal(object resource) => Own(resource);

    /// <summary>Releases what the fixture holds besides the adapters and servers.</summary>
    /// <returns>A task.</returns>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;

    private T Own<T>(T resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource is IAsyncDisposable or IDisposable)
        {
            lock (_gate)
            {
                _owned.Add(resource);
            }
        }

        return resource;
    }
}
