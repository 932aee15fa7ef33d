using SocialCare.Storage;
using SocialCare.Testing.Storage;
using Xunit;

namespace SocialCare.Testing.Tests;

/// <summary>The reference store runs the whole storage specification suite.</summary>
public sealed class InMemoryCareStoreFixture : CareStoreFixture
{
    protected override ValueTask<ICareStore> CreateStoreCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult<ICareStore>(new InMemoryCareStore());
}

public sealed class InMemoryWorkspaceTests(InMemoryCareStoreFixture f) : WorkspaceSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryContactTests(InMemoryCareStoreFixture f) : ContactSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryConversationTests(InMemoryCareStoreFixture f) : ConversationSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryConversationQueryTests(InMemoryCareStoreFixture f) : ConversationQuerySpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryMessageTests(InMemoryCareStoreFixture f) : MessageSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryUnitOfWorkTests(InMemoryCareStoreFixture f) : UnitOfWorkSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryWorkspaceScopingTests(InMemoryCareStoreFixture f) : WorkspaceScopingSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryRoundTripTests(InMemoryCareStoreFixture f) : RoundTripSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryOutboxTests(InMemoryCareStoreFixture f) : OutboxSpecification<InMemoryCareStoreFixture>(f);

public sealed class InMemoryDeadLetterTests(InMemoryCareStoreFixture f) : DeadLetterSpecification<InMemoryCareStoreFixture>(f);

public sealed class StorageSpecificationGuardTests
{
    [Fact]
    public void AllSuites_AreRunAgainstTheInMemoryStore() => StorageSpecificationGuard.AssertAllSuitesImplemented(typeof(StorageSpecificationGuardTests).Assembly);

    [Fact]
    public void Guard_AssemblyWithoutSuites_FailsNamingTheMissingSuites()
    {
        var ex = Assert.ThrowsAny<Exception>(() => StorageSpecificationGuard.AssertAllSuitesImplemented(typeof(string).Assembly));
        Assert.Contains("ContactSpecification", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OutboxSpecification", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DeadLetterSpecification", ex.Message, StringComparison.Ordinal);
        Assert.Equal(10, StorageSpecificationGuard.Suites().Count);
    }
}
