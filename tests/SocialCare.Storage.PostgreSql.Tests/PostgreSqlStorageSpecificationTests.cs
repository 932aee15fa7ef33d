using Npgsql;
using SocialCare.Storage;
using SocialCare.Storage.PostgreSql;
using SocialCare.Testing.Storage;
using Xunit;

namespace SocialCare.Storage.PostgreSql.Tests;

/// <summary>A fresh schema per test in the SOCIALCARE_POSTGRES database; all dropped with the fixture.</summary>
public sealed class PostgreSqlCareStoreFixture : CareStoreFixture
{
    private readonly List<string> _schemas = [];
    private NpgsqlDataSource? _dataSource;

    /// <summary>Text search folds case with the database's collation (ASCII only under the C locale CI uses).</summary>
    public override CareStoreCapabilities Capabilities { get; } = new() { UnicodeCaseInsensitiveTextSearch = false };

    protected override async ValueTask<ICareStore> CreateStoreCoreAsync(CancellationToken cancellationToken)
    {
        var cs = await PostgresTestServer.RequireAsync();
        lock (_schemas)
        {
            _dataSource ??= PostgreSqlCareStore.CreateDataSource(new PostgreSqlCareStoreOptions { ConnectionString = cs });
        }

        var schema = PostgresTestServer.NewSchema();
        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return new PostgreSqlCareStore(_dataSource, new PostgreSqlCareStoreOptions { Schema = schema });
    }

    protected override async ValueTask DisposeResourcesAsync()
    {
        if (_dataSource is null)
        {
            return;
        }

        foreach (var schema in _schemas)
        {
            await using var command = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }
}

public sealed class PostgreSqlWorkspaceTests(PostgreSqlCareStoreFixture f) : WorkspaceSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlContactTests(PostgreSqlCareStoreFixture f) : ContactSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlConversationTests(PostgreSqlCareStoreFixture f) : ConversationSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlConversationQueryTests(PostgreSqlCareStoreFixture f) : ConversationQuerySpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlMessageTests(PostgreSqlCareStoreFixture f) : MessageSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlUnitOfWorkTests(PostgreSqlCareStoreFixture f) : UnitOfWorkSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlWorkspaceScopingTests(PostgreSqlCareStoreFixture f) : WorkspaceScopingSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlRoundTripTests(PostgreSqlCareStoreFixture f) : RoundTripSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlOutboxTests(PostgreSqlCareStoreFixture f) : OutboxSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlDeadLetterTests(PostgreSqlCareStoreFixture f) : DeadLetterSpecification<PostgreSqlCareStoreFixture>(f);

public sealed class PostgreSqlSpecificationGuardTests
{
    [Fact]
    public void AllSuites_AreRunAgainstPostgreSql() => StorageSpecificationGuard.AssertAllSuitesImplemented(typeof(PostgreSqlSpecificationGuardTests).Assembly);
}
