using System.Text;
using SocialCare.Channels;
using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Fidelity: large and non-BMP text byte-exact, timestamps with their offsets, every property of every entity.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class RoundTripSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A large text mixing emoji (surrogate pairs, ZWJ sequences), CJK and RTL scripts reads back byte for byte.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Message_LargeNonBmpText_RoundTripsByteExact()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var builder = new StringBuilder();
        const string Piece = "Order 🧾 #42 — 退款 请求 👩🏽‍💻 「返品」 مرحبا 𠜎𠜱𝄞 \"quoted\" \\ back\\slash\ttab\r\n";
        while (builder.Length < 1_048_576 - Piece.Length)
        {
            builder.Append(Piece);
        }

        var text = builder.ToString();
        var message = NewMessage(conversation, 1, "big-1", text) with { Payload = "🍕" + new string('x', 10_000) };

        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));

        var read = await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct));
        Assert.Equal(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(read!.Text!));
        Assert.Equal(message.Payload, read.Payload);
    }

    /// <summary>U+0000 in text reads back (where the store supports it).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Message_TextWithNul_RoundTrips()
    {
        Require(Fixture.Capabilities.NulCharactersInText, nameof(CareStoreCapabilities.NulCharactersInText));
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "nul-1", "before\0after");

        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));

        Assert.Equal("before\0after", (await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)))!.Text);
    }

    /// <summary>Every timestamp keeps its offset and its full precision (ticks).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Timestamps_RoundTripWithOffsetAndTicks()
    {
        var (store, ws) = await NewStoreAsync();
        var kolkata = new DateTimeOffset(2026, 3, 1, 14, 30, 15, TimeSpan.FromHours(5.5)).AddTicks(1234567);
        var pacific = new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.FromHours(-8)).AddTicks(1);
        var chatham = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.FromMinutes(825)).AddTicks(9999999);
        var contact = NewContact(ws, "111") with { CreatedAt = kolkata, UpdatedAt = chatham, Notes = [new ContactNote(new AgentId("a"), "n", pacific)] };
        var conversation = NewConversation(ws, contact, at: pacific) with
        {
            WaitingSince = kolkata,
            LastActivityAt = chatham,
            SnoozedUntil = DateTimeOffset.MaxValue,
            ResolvedAt = DateTimeOffset.MinValue,
            Cycle = new ConversationCycle(3, pacific, kolkata, chatham),
        };
        var message = NewMessage(conversation, 1, "t-1") with { SentAt = kolkata, ReceivedAt = pacific, EditedAt = chatham, DeletedAt = kolkata.ToOffset(TimeSpan.FromHours(14)) };

        await CommitAsync(store, ws, async s =>
        {
            await s.InsertContactAsync(contact, Ct);
            await s.InsertConversationAsync(conversation, Ct);
            Assert.True(await s.TryInsertMessageAsync(message, Ct));
        });

        await using var session = await store.BeginAsync(ws, Ct);
        var c = await session.GetContactAsync(contact.Id, Ct);
        AssertSameContact(contact, c);
        Assert.Equal(kolkata.Offset, c!.CreatedAt.Offset);
        Assert.Equal(chatham.Ticks, c.UpdatedAt.Ticks);
        var v = await session.GetConversationAsync(conversation.Id, Ct);
        AssertSameConversation(conversation, v);
        Assert.Equal(TimeSpan.FromHours(-8), v!.CreatedAt.Offset);
        var m = await session.GetMessageAsync(message.Id, Ct);
        AssertSameMessage(message, m);
        Assert.Equal(TimeSpan.FromHours(14), m!.DeletedAt!.Value.Offset);
    }

    /// <summary>A contact with every property set reads back equal.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Contact_EveryProperty_RoundTrips()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111") with
        {
            Handles = [new ContactHandle(ChannelKind.WhatsApp, "+15550001"), new ContactHandle(ChannelKind.Email, "Ana.Ruiz@Example.com"), new ContactHandle(new ChannelKind("line"), "U4af4980629")],
            Profile = new ContactProfile { Name = "Ana Ruíz 🌸", Username = "ana_r", Locale = "es-MX", Followers = 12_345_678_901, Verified = true, AvatarUrl = new Uri("https://cdn.example/ana%20r.png?x=1") },
            Attributes = new Dictionary<string, string> { ["plan"] = "gold", ["名前"] = "アナ", ["empty"] = string.Empty },
            Notes = [new ContactNote(new AgentId("agent-1"), "Prefers WhatsApp 📱", T0), new ContactNote(new AgentId("agent-2"), "VIP", T0.AddDays(1))],
            Consent = ContactConsent.Revoked,
            MergedInto = ContactId.New(T0),
        };

        await CommitAsync(store, ws, s => s.InsertContactAsync(contact, Ct));

        AssertSameContact(contact, await ReadAsync(store, ws, s => s.GetContactAsync(contact.Id, Ct)));
        AssertSameContact(contact, await ReadAsync(store, ws, s => s.FindContactAsync(new ContactHandle(ChannelKind.Email, "Ana.Ruiz@Example.com"), Ct)));
        Assert.Null(await ReadAsync(store, ws, s => s.FindContactAsync(new ContactHandle(ChannelKind.Email, "ana.ruiz@example.com"), Ct)));
    }

    /// <summary>A message with attachments, a location, reactions, delivery and a template reads back equal.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Message_EveryProperty_RoundTrips()
    {
        var (store, ws) = await NewStoreAsync();
        var (_, conversation) = await SeedThreadAsync(store, ws, "111");
        var message = NewMessage(conversation, 1, "wamid.HBgLMTU1NTAwMDExMTEVAgARGBI=") with
        {
            Direction = MessageDirection.Outbound,
            Author = new MessageAuthor(AuthorKind.Bot, "bot-1", "Helper 🤖"),
            Text = null,
            Attachments =
            [
                new Attachment { Kind = AttachmentKind.Image, Url = new Uri("whatsapp-media:1234"), MimeType = "image/jpeg", SizeBytes = 5_000_000_000, Name = "foto 📷.jpg" },
                new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(-33.8688, 151.2093, "Sydney Opera House", "Bennelong Point") },
            ],
            ReplyToPlatformMessageId = "wamid.prev",
            Payload = "{\"button\":\"yes\"}",
            Delivery = new DeliveryState(DeliveryStatus.Read, T0.AddMinutes(5)),
            Reactions = [new Reaction(new MessageAuthor(AuthorKind.Contact, null, null), "❤️", T0.AddMinutes(6))],
            Template = new MessageTemplate("order_update", "pt_BR", ["A-1042", "ünï 📦", ""]),
        };

        await CommitAsync(store, ws, async s => Assert.True(await s.TryInsertMessageAsync(message, Ct)));

        AssertSameMessage(message, await ReadAsync(store, ws, s => s.GetMessageAsync(message.Id, Ct)));
        var page = await ReadAsync(store, ws, s => s.QueryMessagesAsync(new MessageQuery { ConversationId = conversation.Id }, Ct));
        AssertSameMessage(message, Assert.Single(page.Items));
    }

    /// <summary>A conversation read through a query equals the one read by id.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Conversation_ThroughQuery_EqualsById()
    {
        var (store, ws) = await NewStoreAsync();
        var contact = NewContact(ws, "111");
        var conversation = NewConversation(ws, contact, visibility: ConversationVisibility.Public) with
        {
            Tags = ["a", "b-c", "ünï"],
            Attributes = new Dictionary<string, string> { ["k"] = "v" },
            Assignee = new AgentId("ag"),
            Queue = "q 1",
            Priority = ConversationPriority.Low,
            WaitingSince = T0,
        };
        await CommitAsync(store, ws, async s =>
        {
            await s.InsertContactAsync(contact, Ct);
            await s.InsertConversationAsync(conversation, Ct);
        });

        var page = await ReadAsync(store, ws, s => s.QueryConversationsAsync(new ConversationQuery { Tag = "ünï" }, Ct));

        AssertSameConversation(conversation, Assert.Single(page.Items));
    }
}
