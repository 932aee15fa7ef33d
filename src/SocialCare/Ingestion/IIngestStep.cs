namespace SocialCare.Ingestion;

/// <summary>
/// One step of the ingestion pipeline, like ASP.NET Core middleware: do work, then call <c>next</c> to continue or
/// return without calling it to stop (a duplicate, an unmatched event). Steps are resolved once from the root service
/// provider; register them with <c>care.Use&lt;TStep&gt;()</c>.
/// </summary>
public interface IIngestStep
{
    /// <summary>Runs the step.</summary>
    /// <param name="context">The event, its unit of work, and the state built so far.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when this step and the rest are done.</returns>
    ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken);
}

/// <summary>The rest of the ingestion pipeline.</summary>
/// <param name="context">The context to pass on.</param>
/// <param name="cancellationToken">Cancels the work.</param>
/// <returns>A task that completes when the rest of the pipeline is done.</returns>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Mirrors ASP.NET Core's RequestDelegate.")]
public delegate ValueTask IngestDelegate(IngestContext context, CancellationToken cancellationToken);

/// <summary>
/// The built-in stages of the pipeline, in order. A host step can be placed before any of them; stages whose
/// capability has not shipped yet (rules, routing, SLA) are empty positions that keep their place in the order.
/// </summary>
public enum IngestStage
{
    /// <summary>Drops an event whose platform message id was already stored.</summary>
    Dedupe = 0,

    /// <summary>Resolves the customer's contact by handle, or creates it.</summary>
    Contact = 1,

    /// <summary>Finds the conversation the event belongs to, wakes or reopens it, or starts a new one.</summary>
    Thread = 2,

    /// <summary>Stores the message, or applies the status, reaction, edit or deletion to the stored one.</summary>
    Append = 3,

    /// <summary>Automation rules (tags, priority, queue, SLA policy, auto-reply).</summary>
    Rules = 4,

    /// <summary>Assignment to an agent.</summary>
    Route = 5,

    /// <summary>SLA timers.</summary>
    Sla = 6,

    /// <summary>Instruments and reporting events.</summary>
    Metrics = 7,
}
