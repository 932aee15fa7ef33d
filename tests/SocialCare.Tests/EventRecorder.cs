using System.Collections.Concurrent;

namespace SocialCare;

/// <summary>Every care event the engine published, in publication order.</summary>
public sealed class EventRecorder
{
    private readonly ConcurrentQueue<CareEvent> _events = new();

    public IReadOnlyList<CareEvent> All => [.. _events];

    public IReadOnlyList<T> Of<T>()
        where T : CareEvent => [.. _events.OfType<T>()];

    public void Add(CareEvent careEvent) => _events.Enqueue(careEvent);

    public void Clear() => _events.Clear();
}

/// <summary>A host subscriber to every care event; scoped, as the engine resolves handlers per published batch.</summary>
public sealed class RecordingHandler(EventRecorder recorder) : ICareEventHandler<CareEvent>
{
    public ValueTask HandleAsync(CareEvent careEvent, CancellationToken cancellationToken)
    {
        recorder.Add(careEvent);
        return ValueTask.CompletedTask;
    }
}
