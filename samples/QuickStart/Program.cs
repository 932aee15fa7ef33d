// SocialCare QuickStart
// ---------------------
// One care inbox across WhatsApp, Messenger, Instagram, X, Telegram, email and SMS, composed in memory:
//
//   1. compose the engine with dependency injection (in-memory store, one workspace, one care event handler);
//   2. ingest ~20 normalized inbound messages, as channel adapters would hand them in from webhooks;
//   3. work the inbox as agents do: assign, tag, prioritise, reply, note, snooze, resolve;
//   4. send the queued replies through the outbox (a stand-in WhatsApp adapter prints what it would send);
//   5. print the inbox views and one full conversation.
//
// Run it with:  dotnet run --project samples/QuickStart

using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Storage;

Console.OutputEncoding = Encoding.UTF8;

// ------------------------------------------------------------------ 1. Compose the engine
//
// AddSocialCare registers the ingestion pipeline (ICareIngestor), the agent operations (ICareInbox) and the
// in-memory store. A workspace is one tenant (a brand); everything is scoped by it. Event handlers run after each
// change is committed; MessagePrinter below prints every stored message.
var services = new ServiceCollection();
services.AddSingleton<IChannelAdapter, PrintingWhatsAppAdapter>(); // a real host adds care.AddWhatsApp(o => ...) instead
services.AddSocialCare(care => care
    .AddWorkspace("acme", "Acme Outdoor")
    .AddEventHandler<MessageReceived, MessagePrinter>());

await using var provider = services.BuildServiceProvider();
var ingestor = provider.GetRequiredService<ICareIngestor>();
var inbox = provider.GetRequiredService<ICareInbox>();
var clock = provider.GetRequiredService<TimeProvider>();
var workspace = new WorkspaceId("acme");

// The brand's accounts, one per platform. A channel adapter maps each webhook to one of these.
var whatsApp = new ChannelAccount(ChannelKind.WhatsApp, "15550001111");     // WhatsApp phone number id
var messenger = new ChannelAccount(ChannelKind.Messenger, "104233900011");  // Facebook page id
var instagram = new ChannelAccount(ChannelKind.Instagram, "17841400123");   // Instagram business account id
var x = new ChannelAccount(ChannelKind.X, "acme");                          // X account: mentions and DMs
var telegram = new ChannelAccount(ChannelKind.Telegram, "acme_care_bot");   // Telegram bot
var email = new ChannelAccount(ChannelKind.Email, "support@acme.example");  // support mailbox
var sms = new ChannelAccount(ChannelKind.Sms, "+15550002222");              // SMS number

// ------------------------------------------------------------------ 2. Ingest inbound messages
//
// Adapters turn each platform's webhook into an InboundMessage: who wrote (the customer's handle on the platform),
// on which of the brand's accounts, the platform's message id (used to absorb redeliveries), the text, and what the
// platform told us about the customer. Ingest returns what became of the message and its conversation.
var start = clock.GetUtcNow().AddMinutes(-45);
var minute = 0;

InboundMessage Inbound(
    ChannelAccount channel,
    string customerId,
    string platformMessageId,
    string? text,
    string? name = null,
    string? locale = null,
    ConversationVisibility visibility = ConversationVisibility.Private,
    string? replyTo = null,
    IReadOnlyList<Attachment>? attachments = null,
    string? payload = null) => new()
{
    WorkspaceId = workspace,
    Channel = channel,
    Customer = new ContactHandle(channel.Kind, customerId),
    OccurredAt = start.AddMinutes(minute++),
    PlatformMessageId = platformMessageId,
    Text = text,
    Visibility = visibility,
    ReplyToPlatformMessageId = replyTo,
    Attachments = attachments ?? [],
    Payload = payload,
    Profile = new ContactProfile { Name = name, Locale = locale },
};

var inbound = new List<InboundMessage>
{
    // WhatsApp, Spanish. The third one is the platform redelivering the second (same platform message id).
    Inbound(whatsApp, "5215512345678", "wamid.HBgM001", "Hola, mi pedido #1042 no ha llegado todavía 😟", "María López", "es-MX"),
    Inbound(whatsApp, "5215512345678", "wamid.HBgM002", "¿Me pueden ayudar, por favor?", "María López", "es-MX"),
    Inbound(whatsApp, "5215512345678", "wamid.HBgM002", "¿Me pueden ayudar, por favor?", "María López", "es-MX"),

    // Messenger, Portuguese, with a reply to an earlier message and a button postback.
    Inbound(messenger, "6029384756", "m_mid.4401", "Olá! Vocês entregam em Lisboa?", "João Silva", "pt-PT"),
    Inbound(messenger, "6029384756", "m_mid.4402", "Preciso da tenda até sexta-feira", "João Silva", "pt-PT", replyTo: "m_mid.4401"),
    Inbound(messenger, "6029384756", "m_mid.4403", "Acompanhar encomenda", "João Silva", "pt-PT", payload: "TRACK_ORDER"),

    // Instagram: a private DM in Japanese, and a public comment that is only emoji.
    Inbound(instagram, "17841455501", "ig_dm.9001", "こんにちは！このテントは防水ですか？", "Yuki Tanaka", "ja-JP"),
    Inbound(instagram, "17841466602", "ig_comment.9002", "😍🏕️🔥", "trail.fan", visibility: ConversationVisibility.Public),

    // X: the same customer mentions the brand publicly and then writes a DM: two separate conversations.
    Inbound(x, "1370001", "x_tweet.1800001", "@acme my boots fell apart after two weeks 👎", "Sam Rivera", "en-US", ConversationVisibility.Public),
    Inbound(x, "1370001", "x_dm.1800002", "Order number is A-77812, photos attached.", "Sam Rivera", "en-US",
        attachments: [new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://pbs.example/boots.jpg"), MimeType = "image/jpeg" }]),
    Inbound(x, "1370002", "x_tweet.1800003", "@acme best customer service ever 🙌", "Priya N.", "en-GB", ConversationVisibility.Public),

    // Telegram, Arabic.
    Inbound(telegram, "88112233", "tg.501", "مرحبا، أريد تغيير عنوان الشحن لطلبي", "عمر", "ar"),
    Inbound(telegram, "88112233", "tg.502", "العنوان الجديد: شارع النخيل ١٢، دبي", "عمر", "ar"),

    // Email, English, with a reply in the same thread.
    Inbound(email, "emma@example.com", "<c1@mail.example>", "Hi, could you send me an invoice for order A-70001?", "Emma Brown", "en-GB"),
    Inbound(email, "emma@example.com", "<c2@mail.example>", "PS: the company name is Brown & Co.", "Emma Brown", "en-GB", replyTo: "<c1@mail.example>"),

    // SMS.
    Inbound(sms, "+14155550123", "SM7f3a01", "Is the Portland store open on Sunday?"),

    // More WhatsApp and Instagram.
    Inbound(whatsApp, "5491144556677", "wamid.HBgM003", "Quiero devolver la chaqueta, es muy pequeña", "Carlos Díaz", "es-AR"),
    Inbound(instagram, "17841455501", "ig_dm.9003", "ありがとう🙏", "Yuki Tanaka", "ja-JP"),
};

Console.WriteLine("== Ingesting inbound messages (the handler prints each stored one)");
var conversationOf = new Dictionary<string, ConversationId>();
foreach (var message in inbound)
{
    var result = await ingestor.IngestAsync(message);
    if (result.Outcome == IngestOutcome.Duplicate)
    {
        Console.WriteLine($"   (redelivery of {message.PlatformMessageId} absorbed as a duplicate; nothing stored twice)");
    }

    conversationOf[message.PlatformMessageId] = result.ConversationId!.Value;
}

// ------------------------------------------------------------------ 3. Work the inbox
//
// Agents are the host application's own user ids. Every operation is one unit of work that returns the conversation
// (or message) after the change; pass expectedVersion to refuse a change when someone else got there first.
var alice = new AgentId("alice");
var bruno = new AgentId("bruno");

var maria = conversationOf["wamid.HBgM001"];
var samPublic = conversationOf["x_tweet.1800001"];
var joao = conversationOf["m_mid.4401"];
var omar = conversationOf["tg.501"];
var emma = conversationOf["<c1@mail.example>"];
var carlos = conversationOf["wamid.HBgM003"];

Console.WriteLine();
Console.WriteLine("== Agents at work");

// Alice takes María's late order: assign, tag, raise the priority, note what she found, reply.
await inbox.AssignAsync(workspace, maria, alice);
await inbox.TagAsync(workspace, maria, ["shipping", "order-status"]);
await inbox.SetPriorityAsync(workspace, maria, ConversationPriority.High);
await inbox.AddNoteAsync(workspace, maria, alice, "Carrier says the parcel is held at the Monterrey hub; new ETA Thursday.");
await inbox.ReplyAsync(workspace, maria, new AgentReply
{
    Agent = alice,
    Text = "¡Hola María! Tu pedido #1042 llegará el jueves. Disculpa la demora.",
    ReplyToPlatformMessageId = "wamid.HBgM002",
});

// A public complaint on X is urgent: Bruno owns it.
await inbox.AssignAsync(workspace, samPublic, bruno);
await inbox.TagAsync(workspace, samPublic, ["complaint", "product-quality"]);
await inbox.SetPriorityAsync(workspace, samPublic, ConversationPriority.Urgent);

// Omar's address change: tagged and with Alice. Carlos's return waits unassigned in the queue, tagged.
await inbox.TagAsync(workspace, omar, ["shipping", "address-change"]);
await inbox.AssignAsync(workspace, omar, alice);
await inbox.TagAsync(workspace, carlos, ["returns"]);

// João's question waits on the warehouse: snooze it for two hours.
await inbox.SnoozeAsync(workspace, joao, clock.GetUtcNow().AddHours(2));

// Emma gets her invoice and the conversation is resolved...
await inbox.ReplyAsync(workspace, emma, new AgentReply { Agent = bruno, Text = "Hi Emma, the invoice for A-70001 (Brown & Co.) is attached." });
await inbox.ResolveAsync(workspace, emma);

// ...until she writes again: within the reopen window, her message reopens it and starts a new cycle.
minute = 44;
var again = await ingestor.IngestAsync(Inbound(email, "emma@example.com", "<c3@mail.example>", "Thanks! Could you also add our VAT number GB123456789?", "Emma Brown", "en-GB"));
var reopened = await inbox.GetAsync(workspace, again.ConversationId!.Value);
Console.WriteLine($"   Emma wrote again: conversation is {reopened.Status}, cycle {reopened.Cycle.Number}.");

// ------------------------------------------------------------------ 4. Send the replies
//
// A reply is stored as an outbound message (Queued) together with an outbox entry, in one unit of work. The outbox
// dispatcher sends it through the channel's adapter and records the platform's id; a web host runs it in the
// background, here we call it once. Only WhatsApp has an adapter in this sample, so the email reply fails, with the
// reason on the message, instead of being lost.
Console.WriteLine();
Console.WriteLine("== Sending the queued replies");
await provider.GetRequiredService<IOutboxDispatcher>().DispatchDueAsync();
foreach (var m in (await inbox.GetMessagesAsync(workspace, new MessageQuery { ConversationId = emma })).Items.Where(m => m.Direction == MessageDirection.Outbound))
{
    Console.WriteLine($"   email reply to Emma: {m.Delivery!.Status} ({m.Delivery.FailureCode}: {m.Delivery.FailureReason})");
}

// ------------------------------------------------------------------ 5. The inbox views
//
// ConversationQuery has ready-made views (AllOpen, Unassigned, Mine) and filters you can combine (tag, channel,
// priority, contact, text, ...). Pages are keyset-paged: pass NextCursor as After for the next page.
await PrintViewAsync("All open (newest activity first)", ConversationQuery.AllOpen());
await PrintViewAsync("Unassigned (most urgent, longest waiting first)", ConversationQuery.Unassigned());
await PrintViewAsync("Mine: alice", ConversationQuery.Mine(alice));
await PrintViewAsync("Tagged 'shipping' (any status)", new ConversationQuery { Tag = "shipping" });

// One conversation in full: its state and every message, oldest first.
await PrintConversationAsync(maria);
return 0;

async Task PrintViewAsync(string title, ConversationQuery query)
{
    var page = await inbox.ListAsync(workspace, query);
    Console.WriteLine();
    Console.WriteLine($"== {title}: {page.Items.Count} conversation(s)");
    Console.WriteLine($"   {"Channel",-10} {"Vis",-7} {"Customer",-14} {"Status",-8} {"Priority",-8} {"Assignee",-8} {"Msgs",4}  {"Waiting",-7}  {"Tags",-26} Last message");
    foreach (var c in page.Items)
    {
        var contact = await inbox.GetContactAsync(workspace, c.ContactId);
        var last = await inbox.GetMessagesAsync(workspace, new MessageQuery { ConversationId = c.Id, Descending = true, Limit = 1 });
        var waiting = c.WaitingSince is { } since ? $"{(clock.GetUtcNow() - since).TotalMinutes:0}m" : "-";
        Console.WriteLine(
            $"   {c.Channel.Kind,-10} {c.Visibility,-7} {Cut(contact.Profile.Name ?? c.Handle.ExternalId, 14),-14} {c.Status,-8} {c.Priority,-8} " +
            $"{c.Assignee?.Value ?? "-",-8} {c.MessageCount,4}  {waiting,-7}  {Cut(string.Join(",", c.Tags), 26),-26} {Cut(last.Items[0].Text ?? "(attachment)", 40)}");
    }
}

async Task PrintConversationAsync(ConversationId id)
{
    var c = await inbox.GetAsync(workspace, id);
    var contact = await inbox.GetContactAsync(workspace, c.ContactId);
    Console.WriteLine();
    Console.WriteLine($"== Conversation {c.Id}");
    Console.WriteLine($"   {contact.Profile.Name} ({contact.Profile.Locale}) on {c.Channel}, {c.Visibility}");
    Console.WriteLine($"   status {c.Status}, priority {c.Priority}, assignee {c.Assignee?.Value ?? "-"}, tags [{string.Join(", ", c.Tags)}], version {c.Version}");
    Console.WriteLine($"   cycle {c.Cycle.Number}: first customer message {c.Cycle.FirstCustomerMessageAt:HH:mm}, first response {c.Cycle.FirstResponseAt:HH:mm}");
    var messages = await inbox.GetMessagesAsync(workspace, new MessageQuery { ConversationId = c.Id });
    foreach (var m in messages.Items)
    {
        var who = m.Author.Kind == AuthorKind.Contact ? m.Author.DisplayName : m.Author.Id;
        var delivery = m.Delivery is { } d ? $" [{d.Status}]" : "";
        Console.WriteLine($"   #{m.Sequence} {m.SentAt:HH:mm} {m.Direction,-8} {who,-12} {m.Text}{delivery}");
    }
}

static string Cut(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

/// <summary>A care event handler: runs after each committed message. Hosts push to their UI, a CRM, a bot, ...</summary>
internal sealed class MessagePrinter : ICareEventHandler<MessageReceived>
{
    public ValueTask HandleAsync(MessageReceived careEvent, CancellationToken cancellationToken)
    {
        var m = careEvent.Message;
        var c = careEvent.Conversation;
        var reply = m.ReplyToPlatformMessageId is null ? "" : $" (reply to {m.ReplyToPlatformMessageId})";
        var extra = m.Attachments.Count > 0 ? $" +{m.Attachments.Count} attachment(s)" : m.Payload is not null ? $" [payload {m.Payload}]" : "";
        Console.WriteLine($"   {c.Channel.Kind,-9} {c.Visibility,-7} #{m.Sequence} {m.Author.DisplayName ?? c.Handle.ExternalId}: {m.Text}{extra}{reply}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Stands in for the WhatsApp adapter (SocialCare.Channels.WhatsApp), which would call the Cloud API: prints the reply
/// and answers with a made-up platform message id.
/// </summary>
internal sealed class PrintingWhatsAppAdapter : IChannelAdapter
{
    private int _sent;

    public ChannelKind Kind => ChannelKind.WhatsApp;

    public ChannelCapabilities Capabilities { get; } = new() { MaxTextLength = 4096, CustomerServiceWindow = TimeSpan.FromHours(24) };

    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<WebhookResult>(WebhookResult.Unparseable("This sample adapter only sends."));

    public ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        Console.WriteLine($"   → WhatsApp {message.Channel.AccountId} to {message.Recipient.ExternalId}: {message.Text}");
        return ValueTask.FromResult<SendResult>(SendResult.Sent($"wamid.sample{Interlocked.Increment(ref _sent)}"));
    }
}
