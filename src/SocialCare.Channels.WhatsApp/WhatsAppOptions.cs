using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.MetaGraph;

namespace SocialCare.Channels.WhatsApp;

/// <summary>
/// One WhatsApp Business phone number connected to SocialCare. Register one per number with
/// <c>care.AddWhatsApp(name, o => …)</c>; they are validated when the host starts.
/// </summary>
public sealed class WhatsAppOptions
{
    /// <summary>The default Graph API base address.</summary>
    public static readonly Uri DefaultGraphApiBaseUrl = new("https://graph.facebook.com/v21.0/");

    /// <summary>The SocialCare workspace this number's conversations belong to. Required.</summary>
    public string WorkspaceId { get; set; } = string.Empty;

    /// <summary>The Cloud API phone-number id (not the phone number itself): <c>metadata.phone_number_id</c> in webhooks. Required.</summary>
    public string PhoneNumberId { get; set; } = string.Empty;

    /// <summary>The Meta app secret that signs webhooks (<c>X-Hub-Signature-256</c>). Required.</summary>
    public string AppSecret { get; set; } = string.Empty;

    /// <summary>The verify token you entered in the app's webhook settings; checked on the subscription handshake. Required.</summary>
    public string VerifyToken { get; set; } = string.Empty;

    /// <summary>The system-user access token used to send messages. Required.</summary>
    public string AccessToken { get; set; } = string.Empty;

    /// <summary>The Graph API base address, including the version. Default <c>https://graph.facebook.com/v21.0/</c>.</summary>
    public Uri GraphApiBaseUrl { get; set; } = DefaultGraphApiBaseUrl;

    /// <summary>
    /// How sends from this number are protected (timeout, retry, circuit breaker, rate limit). Pre-set with the Graph
    /// API's throttling codes (4, 17, 32, 613, 130429, 131056), read from Graph error JSON, the Cloud API's default
    /// throughput of 80 messages per second per number, and its pair rate limit: to one customer, a burst of up to 10
    /// messages, then one every 6 seconds (<see cref="ChannelResilienceOptions.RecipientInterval"/>,
    /// <see cref="ChannelResilienceOptions.RecipientBurst"/>). Adjust as needed.
    /// </summary>
    public ChannelResilienceOptions Resilience { get; } = CreateResilience();

    private static ChannelResilienceOptions CreateResilience()
    {
        var resilience = GraphErrors.CreateResilience(WhatsAppChannelAdapter.ThrottlingCodes);
        resilience.RecipientInterval = TimeSpan.FromSeconds(6);
        resilience.RecipientBurst = 10;
        return resilience;
    }
}

internal sealed class WhatsAppOptionsValidator : IValidateOptions<WhatsAppOptions>
{
    public ValidateOptionsResult Validate(string? name, WhatsAppOptions options)
    {
        List<string>? failures = null;
        var section = string.IsNullOrEmpty(name) ? "SocialCare:WhatsApp" : $"SocialCare:WhatsApp:{name}";
        void Fail(string message) => (failures ??= []).Add(message);

        if (!SocialCare.WorkspaceId.TryParse(options.WorkspaceId, out _))
        {
            Fail($"{section}:{nameof(options.WorkspaceId)} must be a workspace id (1 to 64 ASCII letters, digits, '-', '_', '.'); it is '{options.WorkspaceId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.PhoneNumberId) || !options.PhoneNumberId.All(char.IsAsciiDigit))
        {
            Fail($"{section}:{nameof(options.PhoneNumberId)} must be the Cloud API phone-number id (digits); it is '{options.PhoneNumberId}'.");
        }

        if (string.IsNullOrEmpty(options.AppSecret))
        {
            Fail($"{section}:{nameof(options.AppSecret)} is required (the Meta app secret that signs webhooks).");
        }

        if (string.IsNullOrEmpty(options.VerifyToken))
        {
            Fail($"{section}:{nameof(options.VerifyToken)} is required (the verify token of the webhook subscription).");
        }

        if (string.IsNullOrEmpty(options.AccessToken))
        {
            Fail($"{section}:{nameof(options.AccessToken)} is required (the access token used to send messages).");
        }

        if (options.GraphApiBaseUrl is null || !options.GraphApiBaseUrl.IsAbsoluteUri || options.GraphApiBaseUrl.Scheme is not ("https" or "http"))
        {
            Fail($"{section}:{nameof(options.GraphApiBaseUrl)} must be an absolute http(s) URL; it is '{options.GraphApiBaseUrl}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The names of the WhatsApp registrations, so the adapter can find a number's options by its id.</summary>
internal sealed class WhatsAppRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
