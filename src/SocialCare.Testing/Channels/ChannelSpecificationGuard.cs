using System.Reflection;
using Xunit;

namespace SocialCare.Testing.Channels;

/// <summary>
/// Fails when an adapter's test project forgot a channel adapter specification suite. Call it from one test:
/// <c>[Fact] public void AllSuitesRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(MyTests).Assembly);</c>
/// </summary>
public static class ChannelSpecificationGuard
{
    /// <summary>The suites every adapter runs: each abstract class of this package derived from <see cref="ChannelAdapterSpecification{TFixture}"/>.</summary>
    /// <returns>The generic suite definitions.</returns>
    public static IReadOnlyList<Type> Suites() =>
        [.. typeof(ChannelAdapterSpecification<>).Assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && t.IsGenericTypeDefinition && t != typeof(ChannelAdapterSpecification<>) && DerivesFrom(t, typeof(ChannelAdapterSpecification<>)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Asserts the test assembly has a concrete test class for every suite.</summary>
    /// <param name="testAssembly">The adapter's test assembly.</param>
    public static void AssertAllSuitesImplemented(Assembly testAssembly)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        var concrete = testAssembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }).ToList();
        var missing = Suites().Where(suite => !concrete.Any(t => DerivesFrom(t, suite))).Select(s => s.Name.Split('`')[0]).ToList();
        Assert.True(
            missing.Count == 0,
            $"{testAssembly.GetName().Name} does not run these channel adapter specification suites: {string.Join(", ", missing)}. " +
            "Add a class deriving from each, e.g. public sealed class MyWebhookTests(MyFixture f) : ChannelWebhookSpecification<MyFixture>(f);");
    }

    private static bool DerivesFrom(Type type, Type genericDefinition)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == genericDefinition)
            {
                return true;
            }
        }

        return false;
    }
}
