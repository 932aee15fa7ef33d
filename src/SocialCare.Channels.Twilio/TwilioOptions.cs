using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;
using SocialCare.Channels.Twilio.Sending;

namespace SocialCare.Channels.Twilio;

/// <summary>
/// One Twilio sending number (SMS/MMS) connected to SocialCare. Register one per number with
/// <c>care.AddTwilio(name, o => …)</c>; they are validated when the host starts.
/// </summary>
public sealed class TwilioOptions
{
    /// <summary>The default Twilio REST API base address.</summary>
    public static readonly Uri DefaultApiBaseUrl = new("https://api.twilio.com/");

    /// <summary>The SocialCare workspace this number's conversations belong to. Required.</summary>
    public string WorkspaceId { get; set; } = string.Empty;

    /// <summary>The Twilio account SID (<c>AC…</c>) that owns the number; sends go to its Messages resource. Required.</summary>
    public string AccountSid { get; set; } = string.Empty;

    /// <summary>
    /// The account's auth token: it signs webhooks (<c>X-Twilio-Signature</c>) and, with <see cref="AccountSid"/>,
    /// authenticates sends (HTTP Basic). Required.
    /// </summary>
    public string AuthToken { get; set; } = string.Empty;

    /// <summary>
    /// The number in E.164 form (<c>+14155550100</c>): the channel account id, <c>To</c> of inbound messages and
    /// <c>From</c> of sends and status callbacks. Required.
    /// </summary>
    public string PhoneNumber { get; set; } = string.Empty;

    /// <summary>
    /// A Messaging Service SID (<c>MG…</c>) to send through instead of <c>From</c>, if any. Status callbacks for its
    /// messages that come from another number of the service's pool are still matched to this number.
    /// </summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>
    /// The webhook URL exactly as configured in the Twilio console (scheme, host, port, path and query, character for
    /// character): Twilio signs that text, which may differ from the URL the host sees behind a proxy. Null to use the
    /// request URL as received (<see cref="Uri.OriginalString"/>). When set, sends also ask Twilio to post their status
    /// callbacks here (<c>StatusCallback</c>).
    /// </summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The Twilio REST API base address. Default <c>https://api.twilio.com/</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>
    /// How sends from this number are protected (timeout, retry, circuit breaker, rate limit). Pre-set with Twilio's
    /// "too many requests" code 20429, read from Twilio error JSON; adjust the rest as needed.
    /// </summary>
    public ChannelResilienceOptions Resilience { get; } = CreateResilience();

    private static ChannelResilienceOptions CreateResilience()
    {
        var options = new ChannelResilienceOptions { ErrorCodeReader = TwilioErrors.ReadCodeAsync };
        foreach (var code in TwilioErrors.ThrottlingCodes)
        {
            options.ThrottlingErrorCodes.Add(code);
        }

        return options;
    }
}

internal sealed class TwilioOptionsValidator : IValidateOptions<TwilioOptions>
{
    public ValidateOptionsResult Validate(string? name, TwilioOptions options)
    {
        List<string>? failures = null;
        var section = string.IsNullOrEmpty(name) ? "SocialCare:Twilio" : $"SocialCare:Twilio:{name}";
        void Fail(string message) => (failures ??= []).Add(message);

        if (!SocialCare.WorkspaceId.TryParse(options.WorkspaceId, out _))
        {
            Fail($"{section}:{nameof(options.WorkspaceId)} must be a workspace id (1 to 64 ASCII letters, digits, '-', '_', '.'); it is '{options.WorkspaceId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.AccountSid))
        {
            Fail($"{section}:{nameof(options.AccountSid)} is required (the Twilio account SID, AC…).");
        }

        if (string.IsNullOrEmpty(options.AuthToken))
        {
            Fail($"{section}:{nameof(options.AuthToken)} is required (the auth token that signs webhooks and authenticates sends).");
        }

        if (!IsE164(options.PhoneNumber))
        {
            Fail($"{section}:{nameof(options.PhoneNumber)} must be an E.164 number ('+' and 1 to 15 digits, for example +14155550100); it is '{options.PhoneNumber}'.");
        }

        if (options.MessagingServiceSid is not null && string.IsNullOrWhiteSpace(options.MessagingServiceSid))
        {
            Fail($"{section}:{nameof(options.MessagingServiceSid)} is blank; leave it unset or give the Messaging Service SID (MG…).");
        }

        if (options.WebhookUrl is { } webhook && (!webhook.IsAbsoluteUri || webhook.Scheme is not ("https" or "http")))
        {
            Fail($"{section}:{nameof(options.WebhookUrl)} must be an absolute http(s) URL, exactly as configured in the Twilio console; it is '{webhook.OriginalString}'.");
        }

        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            Fail($"{section}:{nameof(options.ApiBaseUrl)} must be an absolute http(s) URL; it is '{options.ApiBaseUrl}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsE164(string? number) =>
        number is { Length: >= 2 and <= 16 } && number[0] == '+' && number[1] != '0' && number.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
}

/// <summary>The names of the Twilio registrations, so the adapter can find a number's options by its phone number.</summary>
internal sealed class TwilioRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
