using Microsoft.Extensions.Options;

namespace SocialCare.AspNetCore;

/// <summary>
/// Settings of the webhook endpoints mapped by <c>app.MapSocialCareWebhooks()</c>. Set them with
/// <c>care.AddWebhooks(o => …)</c>; they are validated when the host starts (and when the endpoints are mapped).
/// </summary>
public sealed class SocialCareWebhookOptions
{
    /// <summary>The default <see cref="MaxRequestBodySize"/>: 1 MiB.</summary>
    public const long DefaultMaxRequestBodySize = 1024 * 1024;

    /// <summary>The largest <see cref="MaxRequestBodySize"/> accepted: 64 MiB.</summary>
    public const long MaxAllowedRequestBodySize = 64L * 1024 * 1024;

    /// <summary>
    /// The largest webhook body accepted, in bytes. A larger request is answered 413 and nothing is stored; it is
    /// checked against <c>Content-Length</c> before reading and again while reading. Default 1 MiB; at most 64 MiB.
    /// </summary>
    public long MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>
    /// The public address the platforms call, when the host runs behind a proxy that changes the scheme, host or path
    /// (for example <c>https://care.example.com/api</c>). Platforms that sign the URL (Twilio) sign this address, so the
    /// request URL handed to adapters is rebuilt as this base followed by the path and query the application received.
    /// Null (the default): the URL is taken from the request as received.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

internal sealed class SocialCareWebhookOptionsValidator : IValidateOptions<SocialCareWebhookOptions>
{
    private const string Section = "SocialCare:Webhooks";

    public ValidateOptionsResult Validate(string? name, SocialCareWebhookOptions options)
    {
        List<string>? failures = null;
        void Fail(string message) => (failures ??= []).Add(message);

        if (options.MaxRequestBodySize is < 1 or > SocialCareWebhookOptions.MaxAllowedRequestBodySize)
        {
            Fail($"{Section}:{nameof(options.MaxRequestBodySize)} must be between 1 and {SocialCareWebhookOptions.MaxAllowedRequestBodySize:N0} bytes; it is {options.MaxRequestBodySize:N0}.");
        }

        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            Fail($"{Section}:{nameof(options.PublicBaseUrl)} must be an absolute http or https URL without query or fragment (for example https://care.example.com); it is '{url}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
