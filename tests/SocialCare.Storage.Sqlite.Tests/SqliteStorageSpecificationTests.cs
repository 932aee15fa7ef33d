using SocialCare.Storage;
using SocialCare.Storage.Sqlite;
using SocialCare.Testing.Storage;
using Xunit;

namespace SocialCare.Storage.Sqlite.Tests;

/// <summary>A fresh database file per test, in a temporary directory removed with the fixture.</summary>
public sealed class SqliteCareStoreFixture : CareStoreFixture
{
    private int _files;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "socialcare-sqlite-" + Guid.NewGuid().ToString("N"));

    public override ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return ValueTask.CompletedTask;
    }

    public string NewPath() => Path.Combine(Directory, $"care-{Interlocked.Increment(ref _files)}.db");

    protected override ValueTask<ICareStore> CreateStoreCoreAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<ICareStore>(new SqliteCareStore(new SqliteCareStoreOptions { ConnectionString = $"Data Source={NewPath()}" }));

    protected override ValueTask DisposeResourcesAsync()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteWorkspaceTests(SqliteCareStoreFixture f) : WorkspaceSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteContactTests(SqliteCareStoreFixture f) : ContactSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteConversationTests(SqliteCareStoreFixture f) : ConversationSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteConversationQueryTests(SqliteCareStoreFixture f) : ConversationQuerySpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteMessageTests(SqliteCareStoreFixture f) : MessageSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteUnitOfWorkTests(SqliteCareStoreFixture f) : UnitOfWorkSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteWorkspaceScopingTests(SqliteCareStoreFixture f) : WorkspaceScopingSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteRoundTripTests(SqliteCareStoreFixture f) : RoundTripSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteOutboxTests(SqliteCareStoreFixture f) : OutboxSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteDeadLetterTests(SqliteCareStoreFixture f) : DeadLetterSpecification<SqliteCareStoreFixture>(f);

public sealed class SqliteSpecificationGuardTests
{
    [Fact]
    public void AllSuites_AreRunAgainstSqlite() => StorageSpecificationGuard.AssertAllSuitesImplemented(typeof(SqliteSpecificationGuardTests).Assembly);
}
