using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare.Diagnostics;

namespace SocialCare.Outbound;

/// <summary>
/// Runs the outbox dispatcher in the background: dispatches while there is due work, then waits for a reply queued
/// in this process or the poll interval, on the engine's <see cref="TimeProvider"/>. Stops cleanly with the host.
/// </summary>
internal sealed class OutboxDispatcherService(
    IOutboxDispatcher dispatcher,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OutboxDispatcherService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await dispatcher.DispatchDueAsync(stoppingToken).ConfigureAwait(false);
                if (claimed >= settings.BatchSize)
                {
                    continue; // more may be due right now
                }

                await signal.WaitAsync(settings.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A store outage must not stop the dispatcher for the life of the host.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.DispatcherFailed(_logger, settings.PollInterval, ex);
                try
                {
                    await Task.Delay(settings.PollInterval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
