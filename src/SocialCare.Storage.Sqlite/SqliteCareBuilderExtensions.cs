using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.Storage;
using SocialCare.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite store: <c>care.UseSqlite("Data Source=care.db")</c>.</summary>
public static class SqliteCareBuilderExtensions
{
    /// <summary>Keeps care data in a SQLite file; replaces any store registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A connection string naming a file, e.g. <c>Data Source=care.db</c>.</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UseSqlite(this ISocialCareBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqlite(o => o.ConnectionString = connectionString);
    }

    /// <summary>Keeps care data in a SQLite file configured by a callback; replaces any store registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (at least <see cref="SqliteCareStoreOptions.ConnectionString"/>).</param>
    /// <returns>The builder.</returns>
    public static ISocialCareBuilder UseSqlite(this ISocialCareBuilder builder, Action<SqliteCareStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<SqliteCareStoreOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteCareStoreOptions>, SqliteCareStoreOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new SqliteCareStore(
            sp.GetRequiredService<IOptions<SqliteCareStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<ICareStore>(sp => sp.GetRequiredService<SqliteCareStore>()));
        return builder;
    }
}

internal sealed class SqliteCareStoreOptionsValidator : IValidateOptions<SqliteCareStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteCareStoreOptions options)
    {
        try
        {
            SqliteCareStore.CheckOptions(options);
            return ValidateOptionsResult.Success;
        }
        catch (CareStoreConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
