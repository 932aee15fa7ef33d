using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare;
using SocialCare.AspNetCore;
using SocialCare.Channels;
using SocialCare.Storage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the SocialCare webhook endpoints: <c>app.MapSocialCareWebhooks()</c>.</summary>
public static class SocialCareEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> (handshakes) and <c>POST</c> (events) on <c>{prefix}/{channel}</c> and
    /// <c>{prefix}/{channel}/{registration}</c>, where <c>{channel}</c> is a registered adapter's kind ("whatsapp") and
    /// <c>{registration}</c> the name of one of its registrations. A request is answered 200 only after every event it
    /// carries is stored; see the package README for each status code.
    /// </summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <param name="prefix">The route prefix. Default <c>/webhooks</c>.</param>
    /// <returns>The route group, to add authorization, rate limiting or other conventions.</returns>
    /// <exception cref="InvalidOperationException">SocialCare is not added, or two adapters serve the same kind.</exception>
    /// <exception cref="OptionsValidationException">The <see cref="SocialCareWebhookOptions"/> are invalid.</exception>
    public static RouteGroupBuilder MapSocialCareWebhooks(this IEndpointRouteBuilder endpoints, string prefix = "/webhooks")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        var services = endpoints.ServiceProvider;
        var ingestor = services.GetService<ICareIngestor>() ?? throw new InvalidOperationException(
            "SocialCare is not added: call services.AddSocialCare(care => care.AddWhatsApp(…)) before app.MapSocialCareWebhooks().");
        var options = services.GetRequiredService<IOptions<SocialCareWebhookOptions>>().Value;
        var validation = new SocialCareWebhookOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SocialCareWebhookOptions), validation.Failures);
        }

        var dispatcher = new WebhookDispatcher(
            services.GetServices<IChannelAdapter>(),
            ingestor,
            services.GetRequiredService<IDeadLetterStore>(),
            services.GetRequiredService<TimeProvider>(),
            options,
            new WebhookInstrumentation(services.GetService<IMeterFactory>()),
            (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger("SocialCare.AspNetCore.Webhooks") ?? NullLogger.Instance);

        var group = endpoints.MapGroup(prefix);
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        RequestDelegate handler = dispatcher.HandleAsync;
        group.MapMethods($"/{{{WebhookDispatcher.ChannelRouteValue}}}", methods, handler).WithDisplayName("SocialCare webhook");
        group.MapMethods($"/{{{WebhookDispatcher.ChannelRouteValue}}}/{{{WebhookDispatcher.RegistrationRouteValue}}}", methods, handler)
            .WithDisplayName("SocialCare webhook (registration)");
        return group;
    }
}
