using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace SocialCare.Events;

/// <summary>Every care event type reaches handlers subscribed to exactly that type, not only catch-all handlers.</summary>
public sealed class TypedHandlerCoverageTests
{
    public static TheoryData<string> EventTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in ConcreteEventTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public async Task PublishAsync_EventType_ReachesAHandlerSubscribedToThatType(string typeName)
    {
        var type = ConcreteEventTypes().Single(t => t.FullName == typeName);
        var subscribe = typeof(SocialCareBuilderExtensions).GetMethods()
            .Single(m => m.Name == nameof(SocialCareBuilderExtensions.AddEventHandler) && m.GetGenericArguments().Length == 2)
            .MakeGenericMethod(type, typeof(TypedRecorder<>).MakeGenericType(type));
        await using var host = CareHost.Create(care => subscribe.Invoke(null, [care]));
        var instance = (CareEvent)RuntimeHelpers.GetUninitializedObject(type);

        await host.Services.GetRequiredService<CareEventPublisher>().PublishAsync([instance], CancellationToken.None);

        Assert.Same(instance, Assert.Single(TypedRecorder.Received, e => e.GetType() == type));
    }

    private static IEnumerable<Type> ConcreteEventTypes() =>
        typeof(CareEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(CareEvent)) && !t.IsAbstract && t.IsPublic).OrderBy(t => t.FullName);
}

internal static class TypedRecorder
{
    public static ConcurrentBag<CareEvent> Received { get; } = [];
}

internal sealed class TypedRecorder<TEvent> : ICareEventHandler<TEvent>
    where TEvent : CareEvent
{
    public ValueTask HandleAsync(TEvent careEvent, CancellationToken cancellationToken)
    {
        TypedRecorder.Received.Add(careEvent);
        return ValueTask.CompletedTask;
    }
}
