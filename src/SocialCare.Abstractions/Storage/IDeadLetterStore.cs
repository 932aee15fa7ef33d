namespace SocialCare.Storage;

/// <summary>
/// A genuine webhook request no adapter could turn into events, kept with the reason so nothing a platform sent is
/// lost: the host can inspect it, fix the cause (a missing registration, a new payload shape) and replay it.
/// </summary>
public sealed record DeadLetter
{
    /// <summary>The dead letter's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The platform the request was addressed to.</summary>
    public required ChannelKind Channel { get; init; }

    /// <summary>The registration (named options) the route addressed, if any.</summary>
    public string? RegistrationName { get; init; }

    /// <summary>When SocialCare received the request.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Why it could not be processed.</summary>
    public required string Reason { get; init; }

    /// <summary>The request's HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>The request URL as received.</summary>
    public required string Url { get; init; }

    /// <summary>The request's content type, if any. Other headers are not kept (they can carry secrets).</summary>
    public string? ContentType { get; init; }

    /// <summary>The raw body bytes, exactly as received.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }
}

/// <summary>
/// Where unparseable webhook requests are kept. Dead letters belong to no workspace (a request addressed to an
/// account nobody registered has none), so this store is not workspace-scoped: expose it to operators only.
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>Keeps a dead letter durably; adding the same id twice keeps the first.</summary>
    /// <param name="deadLetter">The dead letter.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes once the dead letter is durable.</returns>
    ValueTask AddDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken);

    /// <summary>Lists dead letters, newest first.</summary>
    /// <param name="maxCount">The most to return (1 to 1000).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The newest dead letters.</returns>
    ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>Deletes a dead letter (after it was replayed or judged worthless).</summary>
    /// <param name="id">The dead letter's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when it existed.</returns>
    ValueTask<bool> DeleteDeadLetterAsync(Guid id, CancellationToken cancellationToken);
}
