using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CareInbox;

namespace SocialCare.Samples;

/// <summary>The CareInbox sample, started as a newcomer runs it: demo data, the inbox API, a reply sent end to end.</summary>
public sealed class CareInboxTests
{
    [Fact]
    public async Task Demo_webhooks_create_the_demo_conversations()
    {
        await using var host = await CareInboxHost.StartAsync();

        var items = await host.DemoConversationsAsync();

        var customers = items.Select(i => i.GetProperty("customer").GetString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(DemoWebhooks.Messages.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal), customers);
        Assert.All(items, i =>
        {
            Assert.Equal("whatsapp", i.GetProperty("channel").GetString());
            Assert.Equal("100000000000001", i.GetProperty("account").GetString());
            Assert.Equal("open", i.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.String, i.GetProperty("waitingSince").ValueKind);
        });

        // María wrote twice: one conversation, both messages in order, with the WhatsApp message ids of the webhooks.
        var maria = items.Single(i => i.GetProperty("handle").GetString() == "5215512345678");
        var detail = await host.GetJsonAsync($"/api/conversations/{maria.GetProperty("id").GetString()}");
        var messages = detail.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(["wamid.DEMO001", "wamid.DEMO003"], messages.Select(m => m.GetProperty("platformMessageId").GetString()));
        Assert.Equal("Hola, mi pedido #1042 no ha llegado todavía 😟", messages[0].GetProperty("text").GetString());
        Assert.All(messages, m => Assert.Equal("inbound", m.GetProperty("direction").GetString()));

        // The unassigned view holds them all; nobody's "mine" yet; nothing was dead-lettered.
        Assert.Equal(items.Length, (await host.GetJsonAsync("/api/conversations?view=unassigned")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await host.GetJsonAsync("/api/conversations?view=mine&agent=ana")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await host.GetJsonAsync("/api/dead-letters")).GetArrayLength());
    }

    [Fact]
    public async Task A_reply_goes_through_the_outbox_and_the_adapter_to_the_stand_in_and_ends_sent_with_a_wamid()
    {
        await using var host = await CareInboxHost.StartAsync();
        var sam = (await host.DemoConversationsAsync()).Single(i => i.GetProperty("customer").GetString() == "Sam Rivera");
        var id = sam.GetProperty("id").GetString();

        using var response = await host.Client.PostAsJsonAsync($"/api/conversations/{id}/reply", new { agent = "ana", text = "Sorry Sam! A new pair is on its way." });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", queued.GetProperty("delivery").GetProperty("status").GetString());
        var messageId = queued.GetProperty("id").GetString();

        var message = await CareInboxHost.EventuallyAsync(
            async () => (await host.GetJsonAsync($"/api/conversations/{id}")).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == messageId),
            reply => reply.GetProperty("delivery").GetProperty("status").GetString() != "queued",
            "the reply to leave the outbox");

        // The stand-in then reports delivered and read, like the platform: any of the three means the send succeeded.
        Assert.Contains(message.GetProperty("delivery").GetProperty("status").GetString(), new[] { "sent", "delivered", "read" });
        Assert.StartsWith("wamid.DEMO", message.GetProperty("platformMessageId").GetString(), StringComparison.Ordinal);
        Assert.Equal("ana", message.GetProperty("author").GetString());
        Assert.Equal("outbound", message.GetProperty("direction").GetString());
    }

    [Fact]
    public async Task A_template_reply_is_stored_with_its_template_and_sent_through_the_stand_in()
    {
        await using var host = await CareInboxHost.StartAsync();
        var id = (await host.DemoConversationsAsync())[0].GetProperty("id").GetString();

        using var response = await host.Client.PostAsJsonAsync(
            $"/api/conversations/{id}/reply",
            new { agent = "ana", template = new { name = "order_update", language = "en_US", parameters = new[] { "A-1042" } } });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("order_update", queued.GetProperty("template").GetString());
        var messageId = queued.GetProperty("id").GetString();
        var message = await CareInboxHost.EventuallyAsync(
            async () => (await host.GetJsonAsync($"/api/conversations/{id}")).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == messageId),
            reply => reply.GetProperty("delivery").GetProperty("status").GetString() != "queued",
            "the template reply to leave the outbox");
        Assert.Contains(message.GetProperty("delivery").GetProperty("status").GetString(), new[] { "sent", "delivered", "read" });
    }

    [Fact]
    public async Task A_template_reply_with_text_too_is_400_naming_the_template()
    {
        await using var host = await CareInboxHost.StartAsync();
        var id = (await host.DemoConversationsAsync())[0].GetProperty("id").GetString();

        using var response = await host.Client.PostAsJsonAsync(
            $"/api/conversations/{id}/reply",
            new { agent = "ana", text = "and this", template = new { name = "order_update", language = "en_US" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("reply.Template", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_empty_reply_is_400_naming_the_field_and_stores_nothing()
    {
        await using var host = await CareInboxHost.StartAsync();
        var conversation = (await host.DemoConversationsAsync())[0];
        var id = conversation.GetProperty("id").GetString();

        using var response = await host.Client.PostAsJsonAsync($"/api/conversations/{id}/reply", new { agent = "ana", text = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("reply.Text", problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("reply.Text", out _));
        var detail = await host.GetJsonAsync($"/api/conversations/{id}");
        Assert.DoesNotContain(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "outbound");
    }

    [Fact]
    public async Task An_unknown_conversation_is_404_problem_details()
    {
        await using var host = await CareInboxHost.StartAsync();
        var unknown = Guid.CreateVersion7();

        using var get = await host.Client.GetAsync($"/api/conversations/{unknown}");
        using var reply = await host.Client.PostAsJsonAsync($"/api/conversations/{unknown}/reply", new { agent = "ana", text = "Hello?" });

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
    }

    [Fact]
    public async Task Assign_then_resolve_and_resolving_again_is_409()
    {
        await using var host = await CareInboxHost.StartAsync();
        var id = (await host.DemoConversationsAsync())[0].GetProperty("id").GetString();

        using var assign = await host.Client.PostAsJsonAsync($"/api/conversations/{id}/assign", new { agent = "ana" });
        Assert.Equal("ana", (await assign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignee").GetString());
        Assert.Equal(1, (await host.GetJsonAsync("/api/conversations?view=mine&agent=ana")).GetProperty("items").GetArrayLength());

        using var resolve = await host.Client.PostAsync($"/api/conversations/{id}/resolve", null);
        Assert.Equal("resolved", (await resolve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        using var again = await host.Client.PostAsync($"/api/conversations/{id}/resolve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_webhook_with_a_wrong_signature_is_rejected_and_the_page_is_served()
    {
        await using var host = await CareInboxHost.StartAsync();
        await host.DemoConversationsAsync();
        var body = """{"object":"whatsapp_business_account","entry":[]}"""u8.ToArray();
        var forged = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("not-the-app-secret"), body));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Hub-Signature-256", forged);
        using var response = await host.Client.SendAsync(request);
        using var page = await host.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>CareInbox", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
