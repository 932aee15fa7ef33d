using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Channels.Http;
using SocialCare.Storage;
using SocialCare.Testing.Channels;

namespace SocialCare.EndToEnd;

/// <summary>
/// One SocialCare host as a customer would run it: a real <see cref="WebApplication"/> on Kestrel (127.0.0.1, a free
/// port) with the in-memory store, workspace "acme", the webhook endpoints at <c>/webhooks/{channel}</c> and EVERY
/// first-party adapter registered — WhatsApp (the number of the bwa-* fixtures), Messenger (the page of the fbmq-*
/// fixtures), Telegram (bot 123456789), X (the user of the DM fixture) and Twilio (the number of the bb-* form
/// fixtures) — each pointed at ONE <see cref="FakePlatformServer"/> as its API base URL. Time is a
/// <see cref="FakeTimeProvider"/> shared by the engine, the adapters' resilience pipelines and the fake platform.
/// </summary>
/// <remarks>
/// The outbox background service is disabled: tests drive <see cref="IOutboxDispatcher.DispatchDueAsync"/> themselves,
/// which is deterministic. The adapters' in-pipeline retries are off (<c>Resilience.MaxRetryAttempts = 0</c>): their
/// backoff would wait on the fake clock, and with them off every failed platform call reaches the outbox, whose
/// rescheduling is what these tests observe.
/// </remarks>
internal sealed class EndToEndHost : IAsyncDisposable
{
    public const string MetaAppSecret = "e2e-meta-app-secret";
    public const string MetaVerifyToken = "e2e-verify";
    public const string WhatsAppAccessToken = "EAAG-e2e-whatsapp-token";
    public const string PageAccessToken = "EAAG-e2e-page-token";
    public const string TelegramBotToken = "123456789:AAHe2e-token_x";
    public const string TelegramSecret = "e2e-telegram-secret_1";
    public const string XConsumerSecret = "e2e-x-consumer-secret";
    public const string TwilioAuthToken = "e2e-twilio-auth-token";
    public const string TwilioWebhookUrl = "https://care.example/webhooks/sms";

    public static readonly WorkspaceId Workspace = new("acme");
    public static readonly ChannelAccount WhatsAppNumber = new(ChannelKind.WhatsApp, "409552778964973");
    public static readonly ChannelAccount MessengerPage = new(ChannelKind.Messenger, "1691462197845448");
    public static readonly ChannelAccount TelegramBot = new(ChannelKind.Telegram, "123456789");
    public static readonly ChannelAccount XUser = new(ChannelKind.X, "4337869213");
    public static readonly ChannelAccount TwilioNumber = new(ChannelKind.Sms, "+1111");

    /// <summary>
    /// The host's clock at start: 20 minutes after the newest fixture (bwa-message-text, 2023-01-05T19:39:38Z), so no
    /// fixture is in the future and WhatsApp's 24-hour customer-service window is open for a reply.
    /// </summary>
    public static readonly DateTimeOffset Start = new(2023, 1, 5, 20, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private EndToEndHost(WebApplication app, FakePlatformServer platform, FakeTimeProvider time, Uri address)
    {
        _app = app;
        Platform = platform;
        Time = time;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public FakePlatformServer Platform { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public ICareInbox Inbox => Services.GetRequiredService<ICareInbox>();

    public IOutboxDispatcher Dispatcher => Services.GetRequiredService<IOutboxDispatcher>();

    public IOutboxStore Outbox => Services.GetRequiredService<IOutboxStore>();

    public ReplyEventLog Events => Services.GetRequiredService<ReplyEventLog>();

    public static async Task<EndToEndHost> StartAsync()
    {
        var time = new FakeTimeProvider(Start);
        var platform = await FakePlatformServer.StartAsync(time);
        try
        {
            var api = platform.BaseAddress;
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<ReplyEventLog>();
            builder.Services.AddSocialCare(care => care
                .UseInMemoryStore()
                .AddWorkspace(Workspace.Value, "Acme")
                .ConfigureOutbox(o =>
                {
                    o.Enabled = false;
                    o.InstanceName = "node-b";
                })
                .AddEventHandler<CareEvent, CareEventRecorder>()
                .AddWhatsApp("bwa", o =>
                {
                    o.WorkspaceId = Workspace.Value;
                    o.PhoneNumberId = WhatsAppNumber.AccountId;
                    o.AppSecret = MetaAppSecret;
                    o.VerifyToken = MetaVerifyToken;
                    o.AccessToken = WhatsAppAccessToken;
                    o.GraphApiBaseUrl = api;
                    o.Resilience.MaxRetryAttempts = 0;
                })
                .AddMessenger("fbmq", o =>
                {
                    o.WorkspaceId = Workspace.Value;
                    o.PageId = MessengerPage.AccountId;
                    o.AppSecret = MetaAppSecret;
                    o.VerifyToken = MetaVerifyToken;
                    o.PageAccessToken = PageAccessToken;
                    o.GraphApiBaseUrl = api;
                    o.Resilience.MaxRetryAttempts = 0;
                })
                .AddTelegram("support", o =>
                {
                    o.WorkspaceId = Workspace.Value;
                    o.BotToken = TelegramBotToken;
                    o.SecretToken = TelegramSecret;
                    o.ApiBaseUrl = api;
                    o.Resilience.MaxRetryAttempts = 0;
                })
                .AddX("harrison", o =>
                {
                    o.WorkspaceId = Workspace.Value;
                    o.UserId = XUser.AccountId;
                    o.ConsumerKey = "e2e-consumer-key";
                    o.ConsumerSecret = XConsumerSecret;
                    o.AccessToken = XUser.AccountId + "-e2e-access-token";
                    o.AccessTokenSecret = "e2e-access-token-secret";
                    o.ApiBaseUrl = api;
                    o.Resilience.MaxRetryAttempts = 0;
                })
                .AddTwilio("bb", o =>
                {
                    o.WorkspaceId = Workspace.Value;
                    o.AccountSid = "4444";
                    o.AuthToken = TwilioAuthToken;
                    o.PhoneNumber = TwilioNumber.AccountId;
                    o.WebhookUrl = new Uri(TwilioWebhookUrl);
                    o.ApiBaseUrl = api;
                    o.Resilience.MaxRetryAttempts = 0;
                })
                .AddWebhooks());

            var app = builder.Build();
            try
            {
                app.MapSocialCareWebhooks("/webhooks");
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new EndToEndHost(app, platform, time, new Uri(address));
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>POSTs a fixture's bytes exactly to <c>/webhooks/{channel}</c>, signed or authenticated as the platform does it.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(ChannelKind channel, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/" + channel.Name);
        var content = new ByteArrayContent(body);
        if (channel == ChannelKind.Sms)
        {
            content.Headers.ContentType = new("application/x-www-form-urlencoded");
            request.Headers.Add("X-Twilio-Signature", SignTwilio(body, TwilioWebhookUrl, TwilioAuthToken));
        }
        else
        {
            content.Headers.ContentType = new("application/json");
            if (channel == ChannelKind.WhatsApp || channel == ChannelKind.Messenger)
            {
                request.Headers.Add("X-Hub-Signature-256", WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(MetaAppSecret), body, "sha256="));
            }
            else if (channel == ChannelKind.Telegram)
            {
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", TelegramSecret);
            }
            else if (channel == ChannelKind.X)
            {
                request.Headers.Add("x-twitter-webhooks-signature", "sha256=" + WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(XConsumerSecret), body));
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(channel), channel, "No adapter of this host serves that channel.");
            }
        }

        request.Content = content;
        return Client.SendAsync(request);
    }

    /// <summary>The one conversation on a channel account (the host stores nothing else there in these tests).</summary>
    public async Task<Conversation> SingleConversationAsync(ChannelAccount channel)
    {
        var page = await Inbox.ListAsync(Workspace, new ConversationQuery { Channel = channel });
        return Assert.Single(page.Items);
    }

    public async Task<IReadOnlyList<Message>> MessagesAsync(ConversationId conversation)
    {
        var page = await Inbox.GetMessagesAsync(Workspace, new MessageQuery { ConversationId = conversation });
        return page.Items;
    }

    public async Task<Message> MessageAsync(Message message)
    {
        var messages = await MessagesAsync(message.ConversationId);
        return Assert.Single(messages, m => m.Id == message.Id);
    }

    public IChannelAdapter Adapter(ChannelKind kind) => Services.GetServices<IChannelAdapter>().Single(a => a.Kind == kind);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Platform.DisposeAsync();
    }

    /// <summary>
    /// Twilio's webhook signature: base64 HMAC-SHA1, keyed with the auth token, of the configured URL followed by each
    /// form parameter's name and value (percent-decoded, '+' a space), sorted by name.
    /// </summary>
    private static string SignTwilio(byte[] body, string url, string authToken)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var pair in Encoding.ASCII.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(equals < 0 ? (Decode(pair), string.Empty) : (Decode(pair[..equals]), Decode(pair[(equals + 1)..])));
        }

        var data = new StringBuilder(url);
        foreach (var (name, value) in pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

#pragma warning disable CA5350 // Twilio signs with HMAC-SHA1; the test reproduces it.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    private static string Decode(string encoded) => WebUtility.UrlDecode(encoded);
}

/// <summary>Every care event the engine published, in order; <see cref="Sent"/> and <see cref="Failed"/> pick the outbox's.</summary>
internal sealed class ReplyEventLog
{
    private readonly ConcurrentQueue<CareEvent> _events = new();

    public IReadOnlyList<CareEvent> All => [.. _events];

    public IReadOnlyList<ReplySent> Sent => [.. _events.OfType<ReplySent>()];

    public IReadOnlyList<ReplyFailed> Failed => [.. _events.OfType<ReplyFailed>()];

    public void Add(CareEvent e) => _events.Enqueue(e);
}

/// <summary>
/// A handler subscribed to every <see cref="CareEvent"/> (resolved by the engine per batch); it writes into the singleton
/// <see cref="ReplyEventLog"/>. It subscribes to <see cref="CareEvent"/> rather than to <see cref="ReplySent"/> and
/// <see cref="ReplyFailed"/>: the engine's publisher (CareEventPublisher.PublishAsync) has no case for those two types,
/// so it hands them only to handlers of every event, never to handlers subscribed to them by type (a product bug).
/// </summary>
internal sealed class CareEventRecorder(ReplyEventLog log) : ICareEventHandler<CareEvent>
{
    public ValueTask HandleAsync(CareEvent careEvent, CancellationToken cancellationToken)
    {
        log.Add(careEvent);
        return ValueTask.CompletedTask;
    }
}
