using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Testing.Channels;

namespace SocialCare.Channels.Twilio.Specification;

/// <summary>
/// The Twilio SMS adapter under the channel adapter specification suites: one number ("spec", account 4444, +1111) whose
/// webhooks are signed with <see cref="TwilioHost.TestToken"/>; the genuine request is the bb-inbound-sms-no-media
/// fixture with an <c>X-Twilio-Signature</c> computed here the way Twilio does (HMAC-SHA1 over the URL followed by the
/// sorted form parameters, base64). Twilio has no verification handshake. Sends go to the fake platform as the API base
/// URL; retries are fast (10 ms base delay, no jitter) and a Retry-After over 1 second is returned to the caller instead
/// of waited for. The webhook-only adapters run on a fixed clock: Twilio sends no timestamp, so OccurredAt is the time
/// the adapter received the request.
/// </summary>
public sealed class TwilioSpecificationFixture : ChannelAdapterFixture
{
    private const string AccountSid = "4444";
    private const string PhoneNumber = "+1111";
    private static readonly Uri WebhookUrl = new(TwilioHost.WebhookUrl);

    public override WebhookRequest CreateGenuineRequest() => CreateSignedRequest(Fixtures.Bytes("twilio/bb-inbound-sms-no-media.form"));

    public override WebhookRequest CreateSignedRequest(ReadOnlyMemory<byte> body) => Post(body, Sign(body, TwilioHost.TestToken));

    public override WebhookRequest CreateRequestWithWrongSignature(ReadOnlyMemory<byte> body) => Post(body, Sign(body, "another-auth-token"));

    public override WebhookRequest CreateUnsignedRequest(ReadOnlyMemory<byte> body) => Post(body, signature: null);

    public override OutboundMessage CreateSampleMessage() => new()
    {
        WorkspaceId = new WorkspaceId("acme"),
        Channel = new ChannelAccount(ChannelKind.Sms, PhoneNumber),
        Recipient = new ContactHandle(ChannelKind.Sms, "+2222"),
        MessageId = MessageId.Parse("0193a5c4-0000-7000-8000-00000000beef"),
        Text = "Thanks for your message!",
        LastCustomerMessageAt = TimeProvider.System.GetUtcNow().AddMinutes(-5),
    };

    public override FakeResponse SuccessResponse(RecordedRequest request) => FakeResponse.Json(
        201,
        $$"""{"sid":"SM0123456789abcdef0123456789ab{{request.Sequence:0000}}","status":"queued","num_media":"0"}""");

    public override FakeResponse ServerErrorResponse() => FakeResponse.Json(
        500,
        """{"code":20500,"message":"Internal Server Error","more_info":"https://www.twilio.com/docs/errors/20500","status":500}""");

    public override FakeResponse ThrottledResponse(TimeSpan retryAfter) => FakeResponse.Json(
        429,
        """{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}""",
        retryAfter);

    public override FakeResponse RefusedResponse() => FakeResponse.Json(
        400,
        """{"code":21211,"message":"The 'To' number +2222 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}""");

    protected override ValueTask<IChannelAdapter> CreateAdapterCoreAsync(Uri? platformBaseAddress, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        if (platformBaseAddress is null)
        {
            // A Twilio SMS webhook carries no timestamp, so the adapter stamps OccurredAt with its clock. A fixed clock
            // for the webhook-only adapters lets a redelivered request yield the same events; the sending adapters keep
            // the system clock, which the resilience pipeline's retry delays run on.
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(TwilioHost.Now));
        }

        services.AddSocialCare(care => care.AddTwilio("spec", o =>
        {
            o.WorkspaceId = "acme";
            o.AccountSid = AccountSid;
            o.AuthToken = TwilioHost.TestToken;
            o.PhoneNumber = PhoneNumber;
            o.ApiBaseUrl = platformBaseAddress ?? TwilioOptions.DefaultApiBaseUrl;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Resilience.UseJitter = false;
            o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(1);
        }));
        var provider = services.BuildServiceProvider(validateScopes: true);
        RegisterForDisposal(provider);
        return ValueTask.FromResult<IChannelAdapter>(provider.GetRequiredService<TwilioChannelAdapter>());
    }

    /// <summary>
    /// Twilio's webhook signature: base64 HMAC-SHA1, keyed with the auth token, of the URL followed by each form
    /// parameter's name and value (percent-decoded, '+' a space, then UTF-8, an invalid sequence read as U+FFFD), sorted
    /// by name and then value.
    /// </summary>
    private static string Sign(ReadOnlyMemory<byte> body, string authToken)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var pair in Split(body.ToArray(), (byte)'&').Where(p => p.Length > 0))
        {
            var equals = Array.IndexOf(pair, (byte)'=');
            pairs.Add(equals < 0 ? (Decode(pair), string.Empty) : (Decode(pair[..equals]), Decode(pair[(equals + 1)..])));
        }

        var data = new StringBuilder(WebhookUrl.OriginalString);
        foreach (var (name, value) in pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

#pragma warning disable CA5350 // Twilio signs with HMAC-SHA1; the fixture reproduces it.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    private static IEnumerable<byte[]> Split(byte[] bytes, byte separator)
    {
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == separator)
            {
                yield return bytes[start..i];
                start = i + 1;
            }
        }
    }

    private static string Decode(byte[] encoded)
    {
        var decoded = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == (byte)'+')
            {
                decoded.Add((byte)' ');
            }
            else if (encoded[i] == (byte)'%' && i + 2 < encoded.Length && Uri.IsHexDigit((char)encoded[i + 1]) && Uri.IsHexDigit((char)encoded[i + 2]))
            {
                decoded.Add((byte)((Uri.FromHex((char)encoded[i + 1]) << 4) | Uri.FromHex((char)encoded[i + 2])));
                i += 2;
            }
            else
            {
                decoded.Add(encoded[i]);
            }
        }

        return Encoding.UTF8.GetString([.. decoded]);
    }

    private static WebhookRequest Post(ReadOnlyMemory<byte> body, string? signature) =>
        new(
            "POST",
            WebhookUrl,
            signature is null
                ? [new("Content-Type", "application/x-www-form-urlencoded")]
                : [new("Content-Type", "application/x-www-form-urlencoded"), new("X-Twilio-Signature", signature)],
            body);
}

public sealed class TwilioWebhookSpecificationTests(TwilioSpecificationFixture f) : ChannelWebhookSpecification<TwilioSpecificationFixture>(f);

public sealed class TwilioSendSpecificationTests(TwilioSpecificationFixture f) : ChannelSendSpecification<TwilioSpecificationFixture>(f);

public sealed class TwilioSpecificationGuardTests
{
    [Fact]
    public void AllChannelSuites_AreRun() => ChannelSpecificationGuard.AssertAllSuitesImplemented(typeof(TwilioSpecificationGuardTests).Assembly);
}
