using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare.Diagnostics;
using SocialCare.Storage;

namespace SocialCare.Workspaces;

/// <summary>Creates the workspaces named in <see cref="SocialCareOptions.Workspaces"/> once, on first use.</summary>
internal sealed class WorkspaceSeeder(ICareStore store, IOptions<SocialCareOptions> options, TimeProvider time, ILoggerFactory? loggerFactory = null)
{
    private readonly ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WorkspaceSeeder>();

    private readonly Lock _gate = new();
    private Task? _seeding;

    public ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        var seeding = _seeding;
        if (seeding is { IsCompletedSuccessfully: true } || options.Value.Workspaces.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            if (_seeding is null || _seeding.IsFaulted || _seeding.IsCanceled)
            {
                _seeding = SeedAsync();
            }

            seeding = _seeding;
        }

        return new ValueTask(seeding.WaitAsync(cancellationToken));
    }

    private async Task SeedAsync()
    {
        foreach (var workspace in options.Value.Workspaces)
        {
            var toCreate = workspace.CreatedAt == default ? workspace with { CreatedAt = time.GetUtcNow() } : workspace;
            if (await store.CreateWorkspaceAsync(toCreate, CancellationToken.None).ConfigureAwait(false))
            {
                Log.WorkspaceCreated(logger, workspace.Id);
            }
        }
    }
}
