using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace SocialCare.Ingestion;

/// <summary>The ordered list of pipeline steps, as registered on the builder; built into one delegate chain at start.</summary>
internal sealed class IngestPipelineDefinition
{
    private readonly List<(Type Step, IngestStage? Before)> _hostSteps = [];

    public void Add([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type stepType, IngestStage? before) =>
        _hostSteps.Add((stepType, before));

    public IngestDelegate Build(IServiceProvider services, IngestDelegate terminal)
    {
        var builtIn = new (IngestStage Stage, IIngestStep? Step)[]
        {
            (IngestStage.Dedupe, services.GetRequiredService<DedupeStep>()),
            (IngestStage.Contact, services.GetRequiredService<ContactStep>()),
            (IngestStage.Thread, services.GetRequiredService<ThreadStep>()),
            (IngestStage.Append, services.GetRequiredService<AppendStep>()),
            (IngestStage.Rules, null),
            (IngestStage.Route, null),
            (IngestStage.Sla, null),
            (IngestStage.Metrics, null),
        };

        var ordered = new List<IIngestStep>();
        foreach (var (stage, step) in builtIn)
        {
            foreach (var (type, before) in _hostSteps)
            {
                if (before == stage)
                {
                    ordered.Add((IIngestStep)services.GetRequiredService(type));
                }
            }

            if (step is not null)
            {
                ordered.Add(step);
            }
        }

        foreach (var (type, before) in _hostSteps)
        {
            if (before is null)
            {
                ordered.Add((IIngestStep)services.GetRequiredService(type));
            }
        }

        var app = terminal;
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            var step = ordered[i];
            var next = app;
            app = (context, ct) => step.InvokeAsync(context, next, ct);
        }

        return app;
    }
}
