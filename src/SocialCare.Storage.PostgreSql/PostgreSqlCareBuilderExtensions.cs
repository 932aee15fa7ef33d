using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using SocialCare;
using SocialCare.Storage;
using SocialCare.Storage.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PostgreSQL store: <c>care.UsePostgreSql(connectionString)</c>.</summary>
public static class PostgreSqlCareBuilderExtensions
{
    /// <summary>Keeps care data in PostgreSQL; replaces any store registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UsePostgreSql(this ISocialCareBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSql(o => o.ConnectionString = connectionString);
    }

    /// <summary>Keeps care data in PostgreSQL configured by a callback; replaces any store registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (at least <see cref="PostgreSqlCareStoreOptions.ConnectionString"/>).</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UsePostgreSql(this ISocialCareBuilder builder, Action<PostgreSqlCareStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        Register(builder, configure, sp => PostgreSqlCareStore.CreateDataSource(sp.GetRequiredService<IOptions<PostgreSqlCareStoreOptions>>().Value), ownsDataSource: true);
        return builder;
    }

    /// <summary>Keeps care data in PostgreSQL through the host's data source (its pooling, logging and credentials).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source; the host owns and disposes it.</param>
    /// <param name="configure">Sets other options (the schema), if any.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UsePostgreSql(this ISocialCareBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlCareStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        Register(builder, configure ?? (static _ => { }), _ => dataSource, ownsDataSource: false);
        return builder;
    }

    private static void Register(ISocialCareBuilder builder, Action<PostgreSqlCareStoreOptions> configure, Func<IServiceProvider, NpgsqlDataSource> dataSource, bool ownsDataSource)
    {
        builder.Services.AddOptions<PostgreSqlCareStoreOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlCareStoreOptions>>(new PostgreSqlCareStoreOptionsValidator(requireConnectionString: ownsDataSource)));
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new PostgreSqlCareStore(
            dataSource(sp),
            sp.GetRequiredService<IOptions<PostgreSqlCareStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            ownsDataSource)));
        builder.Services.Replace(ServiceDescriptor.Singleton<ICareStore>(sp => sp.GetRequiredService<PostgreSqlCareStore>()));
    }
}

internal sealed class PostgreSqlCareStoreOptionsValidator(bool requireConnectionString) : IValidateOptions<PostgreSqlCareStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlCareStoreOptions options)
    {
        try
        {
            PostgreSqlCareStore.CheckOptions(options, requireConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (CareStoreConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
