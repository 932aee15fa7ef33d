namespace SocialCare;

/// <summary>
/// Takes normalized inbound events from channel adapters through the ingestion pipeline into conversations. Events of one
/// customer on one channel account apply in the order they are handed in; other customers proceed in parallel.
/// </summary>
public interface ICareIngestor
{
    /// <summary>
    /// Ingests one event: validates it, runs every pipeline step in one unit of work, commits, then publishes the care
    /// events. When this returns, the event is durably stored (or was a duplicate, or matched nothing).
    /// </summary>
    /// <param name="inboundEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the work; nothing is committed when cancelled before the commit.</param>
    /// <returns>What became of the event.</returns>
    /// <exception cref="InvalidInboundEventException">The event is malformed; nothing was stored.</exception>
    /// <exception cref="WorkspaceNotFoundException">The event's workspace does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">Concurrent writers kept winning past <see cref="SocialCareOptions.MaxConflictRetries"/>.</exception>
    ValueTask<IngestResult> IngestAsync(InboundEvent inboundEvent, CancellationToken cancellationToken = default);
}
