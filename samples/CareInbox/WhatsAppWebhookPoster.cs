using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SocialCare.Channels.WhatsApp;

namespace CareInbox;

/// <summary>
/// Posts webhooks to this app's own <c>/webhooks/whatsapp</c> endpoint exactly as Meta does: the Cloud API JSON shape,
/// non-ASCII escaped as <c>\uXXXX</c>, and <c>X-Hub-Signature-256: sha256=</c> + the lower-case hex HMAC-SHA256 of the raw
/// body keyed with the app secret. The demo messages and the stand-in's delivery statuses go through it, so they travel
/// the real path: signature check, the WhatsApp adapter's parser, the ingestion pipeline, the SQLite store.
/// </summary>
internal sealed class WhatsAppWebhookPoster(IHttpClientFactory httpClientFactory, SelfAddress self, IOptionsMonitor<WhatsAppOptions> whatsApp)
{
    /// <summary>The number the demo writes to.</summary>
    public WhatsAppOptions Number => whatsApp.Get(Options.DefaultName);

    /// <summary>Posts a customer's text message.</summary>
    public Task<HttpResponseMessage> PostTextAsync(string from, string name, string wamid, DateTimeOffset sentAt, string text, CancellationToken cancellationToken) =>
        PostAsync(Value(new JsonObject
        {
            ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = name }, ["wa_id"] = from }),
            ["messages"] = new JsonArray(new JsonObject
            {
                ["from"] = from,
                ["id"] = wamid,
                ["timestamp"] = Seconds(sentAt),   // Unix seconds, as a string, like the Cloud API
                ["text"] = new JsonObject { ["body"] = text },
                ["type"] = "text",
            }),
        }), cancellationToken);

    /// <summary>Posts a delivery status (<c>delivered</c>, <c>read</c>, …) of a message the brand sent.</summary>
    public Task<HttpResponseMessage> PostStatusAsync(string wamid, string recipient, string status, DateTimeOffset at, CancellationToken cancellationToken) =>
        PostAsync(Value(new JsonObject
        {
            ["statuses"] = new JsonArray(new JsonObject
            {
                ["id"] = wamid,
                ["status"] = status,
                ["timestamp"] = Seconds(at),
                ["recipient_id"] = recipient,
            }),
        }), cancellationToken);

    /// <summary>Signs a body like Meta: <c>sha256=</c> + hex HMAC-SHA256 of the exact bytes with the app secret.</summary>
    public static string Sign(string appSecret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    private JsonObject Value(JsonObject value)
    {
        var result = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject { ["display_phone_number"] = "15550100001", ["phone_number_id"] = Number.PhoneNumberId },
        };
        foreach (var (key, node) in value.ToList())
        {
            value.Remove(key);
            result[key] = node;
        }

        return result;
    }

    private async Task<HttpResponseMessage> PostAsync(JsonObject value, CancellationToken cancellationToken)
    {
        var envelope = new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "100000000000099", // the WhatsApp Business Account id
                ["changes"] = new JsonArray(new JsonObject { ["value"] = value, ["field"] = "messages" }),
            }),
        };

        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(self.BaseUrl, "webhooks/whatsapp")) { Content = content };
        request.Headers.Add("X-Hub-Signature-256", Sign(Number.AppSecret, body));
        return await httpClientFactory.CreateClient(CareInboxApp.SelfClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
