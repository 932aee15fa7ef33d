using SocialCare.Ingestion;

namespace SocialCare.AspNetCore;

/// <summary>A pipeline step that stands in for a store that is down: while <see cref="Failing"/>, every event throws.</summary>
internal sealed class FailingStep : IIngestStep
{
    public bool Failing { get; set; }

    public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken) =>
        Failing ? throw new InvalidOperationException("The store is down.") : next(context, cancellationToken);
}
