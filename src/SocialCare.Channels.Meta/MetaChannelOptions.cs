using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.MetaGraph;

namespace SocialCare.Channels.Meta;

/// <summary>
/// The settings of one Facebook page (<see cref="MessengerOptions"/>) or one Instagram professional account
/// (<see cref="InstagramOptions"/>) connected to SocialCare. Validated when the host starts.
/// </summary>
public abstract class MetaChannelOptions
{
    /// <summary>The default Graph API base address.</summary>
    public static readonly Uri DefaultGraphApiBaseUrl = new("https://graph.facebook.com/v21.0/");

    private protected MetaChannelOptions()
    {
    }

    /// <summary>The SocialCare workspace this account's conversations belong to. Required.</summary>
    public string WorkspaceId { get; set; } = string.Empty;

    /// <summary>
    /// The account id: the Facebook page id for Messenger, the Instagram professional (business) account id for
    /// Instagram. It is <c>entry[].id</c> in webhooks and the sender of the account's own messages. Required.
    /// </summary>
    public string PageId { get; set; } = string.Empty;

    /// <summary>The Meta app secret that signs webhooks (<c>X-Hub-Signature-256</c>). Required.</summary>
    public string AppSecret { get; set; } = string.Empty;

    /// <summary>The verify token you entered in the app's webhook settings; checked on the subscription handshake. Required.</summary>
    public string VerifyToken { get; set; } = string.Empty;

    /// <summary>The page access token used to send messages (sent as a bearer token). Required.</summary>
    public string PageAccessToken { get; set; } = string.Empty;

    /// <summary>The Graph API base address, including the version. Default <c>https://graph.facebook.com/v21.0/</c>.</summary>
    public Uri GraphApiBaseUrl { get; set; } = DefaultGraphApiBaseUrl;

    /// <summary>
    /// Whether a reply may be sent after the 24-hour window has closed but within 7 days of the customer's last message,
    /// with <c>messaging_type=MESSAGE_TAG</c> and <c>tag=HUMAN_AGENT</c>. Only for replies written by a person; the app
    /// needs Meta's Human Agent permission. Default false.
    /// </summary>
    public bool UseHumanAgentTag { get; set; }

    /// <summary>
    /// How sends from this account are protected (timeout, retry, circuit breaker, rate limit). Pre-set with the Graph
    /// API's throttling codes (4, 17, 32, 613), read from Graph error JSON; adjust the rest as needed.
    /// </summary>
    public ChannelResilienceOptions Resilience { get; } = GraphErrors.CreateResilience(GraphErrors.ThrottlingCodes);
}

/// <summary>
/// One Facebook page connected to SocialCare for Messenger. Register one per page with
/// <c>care.AddMessenger(name, o => …)</c>.
/// </summary>
public sealed class MessengerOptions : MetaChannelOptions;

/// <summary>
/// One Instagram professional account connected to SocialCare for Instagram direct messages. Register one per account
/// with <c>care.AddInstagram(name, o => …)</c>; <see cref="MetaChannelOptions.PageId"/> is the Instagram account id.
/// </summary>
public sealed class InstagramOptions : MetaChannelOptions;

internal sealed class MetaOptionsValidator<TOptions>(string sectionRoot, string accountIdDescription) : IValidateOptions<TOptions>
    where TOptions : MetaChannelOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        List<string>? failures = null;
        var section = string.IsNullOrEmpty(name) ? sectionRoot : $"{sectionRoot}:{name}";
        void Fail(string message) => (failures ??= []).Add(message);

        if (!SocialCare.WorkspaceId.TryParse(options.WorkspaceId, out _))
        {
            Fail($"{section}:{nameof(options.WorkspaceId)} must be a workspace id (1 to 64 ASCII letters, digits, '-', '_', '.'); it is '{options.WorkspaceId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.PageId) || options.PageId.Any(char.IsWhiteSpace))
        {
            Fail($"{section}:{nameof(options.PageId)} is required ({accountIdDescription}); it is '{options.PageId}'.");
        }

        if (string.IsNullOrEmpty(options.AppSecret))
        {
            Fail($"{section}:{nameof(options.AppSecret)} is required (the Meta app secret that signs webhooks).");
        }

        if (string.IsNullOrEmpty(options.VerifyToken))
        {
            Fail($"{section}:{nameof(options.VerifyToken)} is required (the verify token of the webhook subscription).");
        }

        if (string.IsNullOrEmpty(options.PageAccessToken))
        {
            Fail($"{section}:{nameof(options.PageAccessToken)} is required (the page access token used to send messages).");
        }

        if (options.GraphApiBaseUrl is null || !options.GraphApiBaseUrl.IsAbsoluteUri || options.GraphApiBaseUrl.Scheme is not ("https" or "http"))
        {
            Fail($"{section}:{nameof(options.GraphApiBaseUrl)} must be an absolute http(s) URL; it is '{options.GraphApiBaseUrl}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The names of one platform's registrations, so the adapter can find an account's options by its id.</summary>
internal sealed class MetaRegistrations<TOptions>
    where TOptions : MetaChannelOptions
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
