using System.Reflection;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>
/// Fails when a provider's test project forgot a storage specification suite. Call it from one test:
/// <c>[Fact] public void AllSuitesRun() => StorageSpecificationGuard.AssertAllSuitesImplemented(typeof(MyTests).Assembly);</c>
/// </summary>
public static class StorageSpecificationGuard
{
    /// <summary>The suites every provider runs: each abstract class of this package derived from <see cref="CareStoreSpecification{TFixture}"/>.</summary>
    /// <returns>The generic suite definitions.</returns>
    public static IReadOnlyList<Type> Suites() =>
        [.. typeof(CareStoreSpecification<>).Assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && t.IsGenericTypeDefinition && t != typeof(CareStoreSpecification<>) && DerivesFrom(t, typeof(CareStoreSpecification<>)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Asserts the test assembly has a concrete test class for every suite.</summary>
    /// <param name="testAssembly">The provider's test assembly.</param>
    public static void AssertAllSuitesImplemented(Assembly testAssembly)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        var concrete = testAssembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }).ToList();
        var missing = Suites().Where(suite => !concrete.Any(t => DerivesFrom(t, suite))).Select(s => s.Name.Split('`')[0]).ToList();
        Assert.True(
            missing.Count == 0,
            $"{testAssembly.GetName().Name} does not run these storage specification suites: {string.Join(", ", missing)}. " +
            "Add a class deriving from each, e.g. public sealed class MyContactTests(MyFixture f) : ContactSpecification<MyFixture>(f);");
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
