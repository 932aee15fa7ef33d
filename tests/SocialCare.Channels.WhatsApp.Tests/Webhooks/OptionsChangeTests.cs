using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>The adapter caches what the webhook path reads of the options, and refreshes it when the options change.</summary>
public sealed class OptionsChangeTests
{
    [Fact]
    public async Task HandleAsync_AfterAppSecretChange_VerifiesWithTheNewSecretOnly()
    {
        var secret = "first-secret";
        var changes = new ChangeSource();
        var services = new ServiceCollection();
        services.AddSocialCare(care => care.AddWhatsApp(o =>
        {
            o.WorkspaceId = "acme";
            o.PhoneNumberId = "409552778964973";
            o.AppSecret = secret;
            o.VerifyToken = "let-me-in";
            o.AccessToken = "token";
        }));
        services.AddSingleton<IOptionsChangeTokenSource<WhatsAppOptions>>(changes);
        using var provider = services.BuildServiceProvider();
        var adapter = provider.GetRequiredService<WhatsAppChannelAdapter>();
        var body = Fixtures.Bytes("whatsapp/bwa-message-text.json");

        Assert.IsType<WebhookEvents>(await adapter.HandleAsync(WhatsAppHost.SignedPost(body, "first-secret"), CancellationToken.None));

        secret = "second-secret";
        changes.Change();

        Assert.IsType<WebhookEvents>(await adapter.HandleAsync(WhatsAppHost.SignedPost(body, "second-secret"), CancellationToken.None));
        Assert.Equal(401, Assert.IsType<WebhookRejected>(await adapter.HandleAsync(WhatsAppHost.SignedPost(body, "first-secret"), CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_SeveralNumbersOfOneApp_MapsEachChangeToItsWorkspace()
    {
        var services = new ServiceCollection();
        services.AddSocialCare(care => care
            .AddWhatsApp("a", o => Set(o, "ws-a", "111"))
            .AddWhatsApp("b", o => Set(o, "ws-b", "222"))
            .AddWhatsApp("c", o => Set(o, "ws-c", "333")));
        using var provider = services.BuildServiceProvider();
        var adapter = provider.GetRequiredService<WhatsAppChannelAdapter>();
        var body = Encoding.UTF8.GetBytes("""
            {"object":"whatsapp_business_account","entry":[
              {"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"222"},"statuses":[{"id":"w1","status":"sent","timestamp":"1700000000","recipient_id":"9"}]}}]},
              {"id":"2","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"111"},"statuses":[{"id":"w2","status":"read","timestamp":"1700000000","recipient_id":"9"}]}},
                                   {"field":"messages","value":{"metadata":{"phone_number_id":"222"},"statuses":[{"id":"w3","status":"delivered","timestamp":"1700000000","recipient_id":"9"}]}}]}]}
            """);

        var events = Assert.IsType<WebhookEvents>(await adapter.HandleAsync(WhatsAppHost.SignedPost(body, "shared-secret"), CancellationToken.None)).InboundEvents;

        Assert.Equal(["ws-b", "ws-a", "ws-b"], events.Select(e => e.WorkspaceId.Value));
        Assert.Equal(["222", "111", "222"], events.Select(e => e.Channel.AccountId));

        var named = await adapter.HandleAsync(WhatsAppHost.SignedPost(body, "shared-secret", registration: "a"), CancellationToken.None);
        Assert.Contains("phone_number_id 222 is not a registered", Assert.IsType<WebhookUnparseable>(named).Reason, StringComparison.Ordinal);
    }

    private static void Set(WhatsAppOptions o, string workspace, string phoneNumberId)
    {
        o.WorkspaceId = workspace;
        o.PhoneNumberId = phoneNumberId;
        o.AppSecret = "shared-secret";
        o.VerifyToken = "let-me-in";
        o.AccessToken = "token";
    }

    private sealed class ChangeSource : IOptionsChangeTokenSource<WhatsAppOptions>
    {
        private CancellationTokenSource _source = new();

        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(_source.Token);

        public void Change()
        {
            var previous = _source;
            _source = new CancellationTokenSource();
            previous.Cancel();
            previous.Dispose();
        }
    }
}
