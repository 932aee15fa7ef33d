using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.X;

/// <summary>
/// One X (Twitter) brand account connected to SocialCare through the Account Activity API. Register one per account
/// with <c>care.AddX(name, o => …)</c>; they are validated when the host starts.
/// </summary>
public sealed class XOptions
{
    /// <summary>The default X API base address.</summary>
    public static readonly Uri DefaultApiBaseUrl = new("https://api.twitter.com/");

    /// <summary>The SocialCare workspace this account's conversations belong to. Required.</summary>
    public string WorkspaceId { get; set; } = string.Empty;

    /// <summary>
    /// The brand account's numeric user id: <c>for_user_id</c> in webhooks and the channel's account id. Required.
    /// </summary>
    public string UserId { get; set; } = string.Empty;

    /// <summary>The X app's consumer (API) key; identifies the app when sending. Required.</summary>
    public string ConsumerKey { get; set; } = string.Empty;

    /// <summary>The X app's consumer (API) secret: signs CRC responses, webhooks and sent requests. Required.</summary>
    public string ConsumerSecret { get; set; } = string.Empty;

    /// <summary>The brand account's OAuth 1.0a access token (user context) used to send. Required.</summary>
    public string AccessToken { get; set; } = string.Empty;

    /// <summary>The brand account's OAuth 1.0a access token secret used to sign sends. Required.</summary>
    public string AccessTokenSecret { get; set; } = string.Empty;

    /// <summary>The X API base address. Default <c>https://api.twitter.com/</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>
    /// How sends from this account are protected (timeout, retry, circuit breaker, rate limit). The rate limit is pre-set
    /// to X's per-user budget for direct messages (200 per 15 minutes, refilled evenly); adjust as needed.
    /// </summary>
    public ChannelResilienceOptions Resilience { get; } = new()
    {
        RateLimitPermits = 200,
        RateLimitPeriod = TimeSpan.FromMinutes(15),
    };
}

internal sealed class XOptionsValidator : IValidateOptions<XOptions>
{
    public ValidateOptionsResult Validate(string? name, XOptions options)
    {
        List<string>? failures = null;
        var section = string.IsNullOrEmpty(name) ? "SocialCare:X" : $"SocialCare:X:{name}";
        void Fail(string message) => (failures ??= []).Add(message);

        if (!SocialCare.WorkspaceId.TryParse(options.WorkspaceId, out _))
        {
            Fail($"{section}:{nameof(options.WorkspaceId)} must be a workspace id (1 to 64 ASCII letters, digits, '-', '_', '.'); it is '{options.WorkspaceId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.UserId) || !options.UserId.All(char.IsAsciiDigit))
        {
            Fail($"{section}:{nameof(options.UserId)} must be the brand account's numeric user id (for_user_id, digits; not the @handle); it is '{options.UserId}'.");
        }

        if (string.IsNullOrEmpty(options.ConsumerKey))
        {
            Fail($"{section}:{nameof(options.ConsumerKey)} is required (the X app's consumer/API key).");
        }

        if (string.IsNullOrEmpty(options.ConsumerSecret))
        {
            Fail($"{section}:{nameof(options.ConsumerSecret)} is required (the X app's consumer/API secret that signs CRC answers and webhooks).");
        }

        if (string.IsNullOrEmpty(options.AccessToken))
        {
            Fail($"{section}:{nameof(options.AccessToken)} is required (the brand account's OAuth 1.0a access token used to send).");
        }

        if (string.IsNullOrEmpty(options.AccessTokenSecret))
        {
            Fail($"{section}:{nameof(options.AccessTokenSecret)} is required (the brand account's OAuth 1.0a access token secret used to send).");
        }

        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            Fail($"{section}:{nameof(options.ApiBaseUrl)} must be an absolute http(s) URL; it is '{options.ApiBaseUrl}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The names of the X registrations, so the adapter can find an account's options by its user id.</summary>
internal sealed class XRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
