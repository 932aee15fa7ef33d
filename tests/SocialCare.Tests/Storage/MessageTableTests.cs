using System.Collections;
using SocialCare.Channels;

namespace SocialCare.Storage;

/// <summary>
/// The in-memory store keeps messages as encoded rows (<see cref="MessageTable"/>): every property must come back
/// exactly, every index must find what it should, and updates and compaction must lose nothing.
/// </summary>
public sealed class MessageTableTests
{
    private static readonly WorkspaceId Ws = CareHost.Acme;
    private static readonly ConversationId Conversation = new(Guid.Parse("0192f0a0-0000-7000-8000-000000000001"));

    [Fact]
    public void Get_MessageWithEveryPropertySet_ReturnsEveryPropertyExactly()
    {
        var table = new MessageTable(Ws);
        var full = FullMessage();
        AssertEveryPropertySet(full);

        table.Put(full);

        AssertSameContent(full, table.Get(full.Id)!);
        AssertSameContent(full, table.Find(full.Channel, full.PlatformMessageId!)!);
        AssertSameContent(full, Assert.Single(table.OfConversation(Conversation)));
    }

    [Fact]
    public void Get_MinimalMessage_KeepsNullsEmptyStringsAndEmptyLists()
    {
        var table = new MessageTable(Ws);
        var minimal = NewMessage("p-1", 1) with { PlatformMessageId = null, Text = string.Empty, Payload = null };

        table.Put(minimal);
        var read = table.Get(minimal.Id)!;

        Assert.Equal(minimal, read); // record equality holds: the empty lists come back as the same empty singletons
        Assert.Equal(string.Empty, read.Text);
        Assert.Null(read.PlatformMessageId);
        Assert.Null(read.Delivery);
        Assert.Null(read.Template);
    }

    [Fact]
    public void Get_TextWithUnpairedSurrogatesAndLargeText_ComesBackCodeUnitForCodeUnit()
    {
        var table = new MessageTable(Ws);
        var broken = NewMessage("p-1", 1) with { Text = "a\uD83Db\uDC00c 📦 \0 end" };
        var large = NewMessage("p-2", 2) with { Text = new string('x', MessageTable.SegmentSize) + "é" }; // a row of its own (> 2 MiB)

        table.Put(broken);
        table.Put(large);

        Assert.Equal(broken.Text, table.Get(broken.Id)!.Text, StringComparer.Ordinal);
        Assert.Equal(large.Text, table.Get(large.Id)!.Text, StringComparer.Ordinal);
    }

    [Fact]
    public void OfConversation_MessagesPutOutOfOrder_ReturnsThemInSequenceOrder()
    {
        var table = new MessageTable(Ws);
        foreach (var sequence in new long[] { 3, 1, 5, 2, 4 })
        {
            table.Put(NewMessage($"p-{sequence}", sequence));
        }

        table.Put(NewMessage("p-other", 1) with { ConversationId = ConversationId.New(CareHost.Start) });

        Assert.Equal([1L, 2, 3, 4, 5], table.OfConversation(Conversation).Select(m => m.Sequence));
        Assert.Empty(table.OfConversation(ConversationId.New(CareHost.Start)));
    }

    [Fact]
    public void Put_Update_ReplacesTheRowAndMovesThePlatformId()
    {
        var table = new MessageTable(Ws);
        var reply = NewMessage(null, 1) with { Direction = MessageDirection.Outbound, Delivery = new DeliveryState(DeliveryStatus.Queued, CareHost.Start) };
        table.Put(reply);

        var sent = reply with { PlatformMessageId = "wamid.sent", Delivery = new DeliveryState(DeliveryStatus.Sent, CareHost.Start.AddSeconds(1)), Version = 2 };
        table.Put(sent);

        Assert.Equal(1, table.Count);
        Assert.Equal(2, table.VersionOf(reply.Id));
        Assert.Equal(DeliveryStatus.Sent, table.Get(reply.Id)!.Delivery!.Status);
        Assert.Equal(reply.Id, table.FindId(reply.Channel, "wamid.sent"));
        Assert.True(table.DeadBytes > 0);

        table.Put(sent with { PlatformMessageId = "wamid.changed", Version = 3 });

        Assert.Null(table.FindId(reply.Channel, "wamid.sent"));
        Assert.Equal(reply.Id, table.FindId(reply.Channel, "wamid.changed"));
        Assert.Single(table.OfConversation(Conversation));
    }

    [Fact]
    public void FindId_SamePlatformIdOnTwoChannelAccounts_FindsEachOnItsOwnAccount()
    {
        var table = new MessageTable(Ws);
        var first = NewMessage("same-id", 1);
        var second = NewMessage("same-id", 2) with { Channel = CareHost.WhatsAppSecond };

        table.Put(first);
        table.Put(second);

        Assert.Equal(first.Id, table.FindId(CareHost.WhatsApp, "same-id"));
        Assert.Equal(second.Id, table.FindId(CareHost.WhatsAppSecond, "same-id"));
        Assert.Null(table.FindId(CareHost.Messenger, "same-id"));
        Assert.Null(table.FindId(CareHost.WhatsApp, "other-id"));
    }

    [Fact]
    public void FindId_EveryPlatformIdWithTheSameHash_StillFindsEachOneAndOnlyIt()
    {
        // A constant hash sends every platform id but the first through the collision index.
        var table = new MessageTable(Ws, _ => 42);
        var messages = Enumerable.Range(1, 5).Select(i => NewMessage($"p-{i}", i)).ToList();
        messages.ForEach(table.Put);

        foreach (var m in messages)
        {
            Assert.Equal(m.Id, table.FindId(m.Channel, m.PlatformMessageId!));
        }

        Assert.Null(table.FindId(CareHost.WhatsApp, "p-6"));

        // The first one (the hash's owner) gives its platform id up: the others are still found, it is not.
        table.Put(messages[0] with { PlatformMessageId = "p-1-renamed", Version = 2 });
        table.Put(messages[2] with { PlatformMessageId = null, Version = 2 });

        Assert.Null(table.FindId(CareHost.WhatsApp, "p-1"));
        Assert.Null(table.FindId(CareHost.WhatsApp, "p-3"));
        Assert.Equal(messages[0].Id, table.FindId(CareHost.WhatsApp, "p-1-renamed"));
        foreach (var m in new[] { messages[1], messages[3], messages[4] })
        {
            Assert.Equal(m.Id, table.FindId(m.Channel, m.PlatformMessageId!));
        }
    }

    [Fact]
    public void PlatformHash_DistinctPlatformIds_AreSpreadWithoutCollisions()
    {
        var hashes = Enumerable.Range(0, 100_000).Select(i => MessageTable.PlatformHash($"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRB{i:D12}", seed: 12345)).ToHashSet();

        Assert.Equal(100_000, hashes.Count);
    }

    [Fact]
    public void Put_ManyUpdates_CompactsAndKeepsEveryMessage()
    {
        var table = new MessageTable(Ws);
        var messages = Enumerable.Range(1, 20).Select(i => NewMessage($"p-{i}", i) with { Text = new string((char)('a' + i), 20_000) }).ToList();
        messages.ForEach(table.Put);

        // 20 messages of 40 KB each rewritten 10 times: 8 MB of dead rows against 0.8 MB live.
        for (var round = 2; round <= 11; round++)
        {
            foreach (var m in messages)
            {
                table.Put(m with { Version = round, Payload = $"round {round}" });
            }
        }

        Assert.True(table.Compactions >= 1);
        Assert.True(table.DeadBytes < MessageTable.CompactionThreshold);
        foreach (var m in messages)
        {
            var read = table.Get(m.Id)!;
            Assert.Equal(m.Text, read.Text);
            Assert.Equal(11, read.Version);
            Assert.Equal("round 11", read.Payload);
            Assert.Equal(m.Id, table.FindId(m.Channel, m.PlatformMessageId!));
        }

        Assert.Equal(messages.Select(m => m.Id), table.OfConversation(Conversation).Select(m => m.Id));
    }

    [Fact]
    public void Dispose_ThenAnyRowAccess_ThrowsObjectDisposed()
    {
        var table = new MessageTable(Ws);
        var message = NewMessage("p-1", 1);
        table.Put(message);

        table.Dispose();
        table.Dispose();

        Assert.Throws<ObjectDisposedException>(() => table.Get(message.Id));
        Assert.Throws<ObjectDisposedException>(() => table.FindId(message.Channel, "p-1"));
        Assert.Throws<ObjectDisposedException>(() => table.Put(NewMessage("p-2", 2)));
    }

    [Fact]
    public void Dispose_SegmentsReusedByANewTable_NewTableReadsOnlyItsOwnRowsAndTheOldOneStaysClosed()
    {
        var first = new MessageTable(Ws);
        var old = Enumerable.Range(1, 300).Select(i => NewMessage($"old-{i}", i) with { Text = new string('o', 4_000) }).ToList();
        old.ForEach(first.Put); // ≈ 2.4 MB: three segments go back to the pool
        first.Dispose();

        var second = new MessageTable(Ws);
        var fresh = Enumerable.Range(1, 300).Select(i => NewMessage($"new-{i}", i) with { Text = $"fresh {i}" + new string('n', 4_000) }).ToList();
        fresh.ForEach(second.Put);

        Assert.Equal(fresh.Select(m => m.Text), second.OfConversation(Conversation).Select(m => m.Text));
        Assert.Null(second.FindId(CareHost.WhatsApp, "old-1"));
        Assert.Throws<ObjectDisposedException>(() => first.Get(old[0].Id));
    }

    private static Message NewMessage(string? platformId, long sequence) => new()
    {
        Id = MessageId.New(CareHost.Start),
        WorkspaceId = Ws,
        ConversationId = Conversation,
        Sequence = sequence,
        Channel = CareHost.WhatsApp,
        Direction = MessageDirection.Inbound,
        Author = new MessageAuthor(AuthorKind.Contact, "c-1", "Ana"),
        PlatformMessageId = platformId,
        Text = $"message {sequence}",
        SentAt = CareHost.Start.AddSeconds(sequence),
        ReceivedAt = CareHost.Start.AddSeconds(sequence + 1),
    };

    private static Message FullMessage()
    {
        var india = TimeSpan.FromMinutes(330);
        var chile = TimeSpan.FromHours(-3);
        return NewMessage("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzMzEwMDZCRQA=", 7) with
        {
            WorkspaceId = new WorkspaceId("another-ws"),
            Direction = MessageDirection.Outbound,
            Author = new MessageAuthor(AuthorKind.Agent, "agent-ana", "Ana Ö."),
            Text = "Your parcel 📦 ships today",
            Attachments =
            [
                new Attachment { Kind = AttachmentKind.Image, Url = new Uri("https://cdn.example.com/a.jpg?x=1"), MimeType = "image/jpeg", SizeBytes = 123_456, Name = "a.jpg" },
                new Attachment { Kind = AttachmentKind.Audio, Url = new Uri("whatsapp-media:98765") },
                new Attachment { Kind = AttachmentKind.File, Url = new Uri("files/report.pdf", UriKind.Relative), SizeBytes = 0 },
                new Attachment { Kind = AttachmentKind.Location, Location = new GeoLocation(-33.4489, -70.6693, "Santiago", "Plaza de Armas") },
            ],
            ReplyToPlatformMessageId = "wamid.previous",
            Payload = "BUTTON_PAYLOAD",
            Template = new MessageTemplate("order_update", "en_US", ["A-1042", "ünï 📦", string.Empty]),
            SentAt = new DateTimeOffset(2026, 11, 27, 10, 0, 0, 123, india),
            ReceivedAt = new DateTimeOffset(2026, 11, 27, 10, 0, 1, chile),
            Delivery = new DeliveryState(DeliveryStatus.Failed, new DateTimeOffset(2026, 11, 27, 10, 0, 2, TimeSpan.Zero), "131047", "Re-engagement message"),
            Reactions =
            [
                new Reaction(new MessageAuthor(AuthorKind.Contact, "c-1", null), "👍", new DateTimeOffset(2026, 11, 27, 10, 1, 0, india)),
                new Reaction(new MessageAuthor(AuthorKind.Agent, "agent-ben", "Ben"), "❤️", new DateTimeOffset(2026, 11, 27, 10, 2, 0, chile)),
            ],
            EditedAt = new DateTimeOffset(2026, 11, 27, 10, 5, 0, chile),
            DeletedAt = new DateTimeOffset(2026, 11, 27, 10, 6, 0, india),
            Version = 4,
        };
    }

    /// <summary>Guards the round-trip test: a property added to <see cref="Message"/> must be set (and so encoded) there.</summary>
    private static void AssertEveryPropertySet(Message message)
    {
        foreach (var property in typeof(Message).GetProperties())
        {
            var value = property.GetValue(message);
            var isDefault = value is null
                || (value is IEnumerable items and not string && !items.Cast<object>().Any())
                || (property.PropertyType.IsValueType && value.Equals(Activator.CreateInstance(property.PropertyType)));
            Assert.False(isDefault, $"The full message leaves {property.Name} unset: set it so the round trip covers it.");
        }
    }

    private static void AssertSameContent(Message expected, Message actual)
    {
        foreach (var property in typeof(Message).GetProperties())
        {
            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            switch (e)
            {
                case MessageTemplate t:
                    var at = Assert.IsType<MessageTemplate>(a);
                    Assert.Equal((t.Name, t.Language), (at.Name, at.Language));
                    Assert.Equal(t.Parameters, at.Parameters);
                    break;
                case IEnumerable items and not string:
                    Assert.Equal(items.Cast<object>(), Assert.IsAssignableFrom<IEnumerable>(a).Cast<object>());
                    break;
                default:
                    Assert.True(Equals(e, a), $"{property.Name}: expected {e}, got {a}");
                    break;
            }

            if (e is DateTimeOffset time)
            {
                Assert.Equal(time.Offset, ((DateTimeOffset)a!).Offset);
            }
        }

        foreach (var (e, a) in expected.Attachments.Zip(actual.Attachments))
        {
            Assert.Equal(e.Url?.OriginalString, a.Url?.OriginalString);
            Assert.Equal(e.Url?.IsAbsoluteUri, a.Url?.IsAbsoluteUri);
        }

        foreach (var (e, a) in expected.Reactions.Zip(actual.Reactions))
        {
            Assert.Equal(e.ReactedAt.Offset, a.ReactedAt.Offset);
        }
    }
}
