using System.Collections.Concurrent;
using System.Globalization;

namespace SocialCare.Ingestion;

/// <summary>
/// Many producers at once: per conversation, events apply in the order they are handed in; conversations proceed in
/// parallel; redeliveries never duplicate a message or split a conversation.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Customers = 100;
    private const int MessagesPerCustomer = 100;
    private const int Producers = 8;

    [Fact]
    public async Task IngestAsync_EightProducersOwningHundredConversations_LosesNothingAndKeepsPerConversationOrder()
    {
        await using var host = CareHost.Create();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = new ConcurrentBag<IngestOutcome>();

        // Producer p owns customers p, p+8, …; it walks its customers round robin, so its conversations interleave,
        // and the eight producers run at once, so everything interleaves across producers too.
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var owned = Enumerable.Range(0, Customers).Where(c => c % Producers == p).ToList();
            await start.Task;
            for (var seq = 0; seq < MessagesPerCustomer; seq++)
            {
                foreach (var customer in owned)
                {
                    outcomes.Add((await host.IngestAsync(Event(host, customer, seq))).Outcome);
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(producers);

        Assert.Equal(Customers * MessagesPerCustomer, outcomes.Count(o => o == IngestOutcome.Accepted));
        await AssertEveryConversationCompleteAndInOrderAsync(host);
    }

    [Fact]
    public async Task IngestAsync_EightProducersRedeliveringTheSameStream_StoresEachMessageOnceInOneConversation()
    {
        await using var host = CareHost.Create();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = new ConcurrentBag<IngestOutcome>();

        // Every producer delivers the whole stream (each customer's messages in order), starting at a different customer
        // so the same customer is hit by several producers at the same moment.
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var order = Enumerable.Range(0, Customers).Select(c => (c + (p * 13)) % Customers).ToList();
            await start.Task;
            for (var seq = 0; seq < MessagesPerCustomer; seq++)
            {
                foreach (var customer in order)
                {
                    outcomes.Add((await host.IngestAsync(Event(host, customer, seq))).Outcome);
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(producers);

        Assert.Equal(Customers * MessagesPerCustomer, outcomes.Count(o => o == IngestOutcome.Accepted));
        Assert.Equal((Producers - 1) * Customers * MessagesPerCustomer, outcomes.Count(o => o == IngestOutcome.Duplicate));
        await AssertEveryConversationCompleteAndInOrderAsync(host);
    }

    [Fact]
    public async Task IngestAsync_TwoEnginesSharingOneStoreRedeliveringConcurrently_StoresEachMessageOnceInOneConversation()
    {
        // Two host instances (two nodes) share the store: the in-process partition locks do not help across them, so
        // the store's unique keys and version checks (and the pipeline's retries) must keep the data right.
        const int customers = 20;
        const int messages = 50;
        var store = new InMemoryCareStore();
        await using var nodeA = CareHost.Create(care => care.UseStore(_ => store).Configure(o => o.MaxConflictRetries = 100));
        await using var nodeB = CareHost.Create(care => care.UseStore(_ => store).Configure(o => o.MaxConflictRetries = 100));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = new ConcurrentBag<IngestOutcome>();

        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var node = p % 2 == 0 ? nodeA : nodeB;
            var order = Enumerable.Range(0, customers).Select(c => (c + p) % customers).ToList();
            await start.Task;
            for (var seq = 0; seq < messages; seq++)
            {
                foreach (var customer in order)
                {
                    outcomes.Add((await node.IngestAsync(Event(node, customer, seq))).Outcome);
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(producers);

        Assert.Equal(customers * messages, outcomes.Count(o => o == IngestOutcome.Accepted));
        await AssertEveryConversationCompleteAndInOrderAsync(nodeA, customers, messages);
    }

    [Fact]
    public async Task AgentsAndCustomerWritingAtOnce_LoseNoUpdateAndKeepSequencesContiguous()
    {
        await using var host = CareHost.Create(care => care.Configure(o => o.MaxConflictRetries = 100));
        var conversation = await host.ReceiveAsync("wamid.0", text: "0");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int each = 25;

        var customer = Task.Run(async () =>
        {
            await start.Task;
            for (var i = 1; i <= each; i++)
            {
                await host.IngestAsync(host.Message($"wamid.{i}", text: i.ToString(CultureInfo.InvariantCulture)));
            }
        });
        var agents = Enumerable.Range(0, 4).Select(a => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < each; i++)
            {
                switch (i % 3)
                {
                    case 0: await host.Inbox.TagAsync(CareHost.Acme, conversation.Id, [$"a{a}-t{i}"]); break;
                    case 1: await host.Inbox.ReplyAsync(CareHost.Acme, conversation.Id, new AgentReply { Agent = new AgentId($"agent-{a}"), Text = $"a{a}-r{i}" }); break;
                    default: await host.Inbox.AddNoteAsync(CareHost.Acme, conversation.Id, new AgentId($"agent-{a}"), $"a{a}-n{i}"); break;
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll([customer, .. agents]);

        var final = await host.GetAsync(conversation.Id);
        var messages = await host.MessagesAsync(conversation.Id);
        var agentWrites = Enumerable.Range(0, each).Count(i => i % 3 != 0) * 4;
        var tags = Enumerable.Range(0, each).Count(i => i % 3 == 0) * 4;
        Assert.Equal(1 + each + agentWrites, final.MessageCount);
        Assert.Equal(final.MessageCount, messages.Count);
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Sequence));
        Assert.Equal(tags, final.Tags.Count);
        Assert.Equal(Enumerable.Range(0, each + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)), messages.Where(m => m.Direction == MessageDirection.Inbound).Select(m => m.Text));
    }

    private static InboundMessage Event(CareHost host, int customer, int seq) =>
        host.Message($"c{customer}-m{seq}", customer: Customer(customer), text: seq.ToString(CultureInfo.InvariantCulture));

    private static string Customer(int index) => $"491510{index:D4}";

    private static async Task AssertEveryConversationCompleteAndInOrderAsync(CareHost host, int customers = Customers, int messages = MessagesPerCustomer)
    {
        var conversations = await host.ListAllAsync();
        Assert.Equal(customers, conversations.Count);
        Assert.Equal(customers, conversations.Select(c => c.Handle).Distinct().Count());
        Assert.Equal(customers, conversations.Select(c => c.ContactId).Distinct().Count());

        var total = 0;
        foreach (var conversation in conversations)
        {
            Assert.Equal(messages, conversation.MessageCount);
            var stored = await host.MessagesAsync(conversation.Id);
            total += stored.Count;

            // Stored in the produced order: sequence 1..N carries the producer's sequence 0..N-1.
            Assert.Equal(Enumerable.Range(1, messages).Select(i => (long)i), stored.Select(m => m.Sequence));
            Assert.Equal(Enumerable.Range(0, messages).Select(i => i.ToString(CultureInfo.InvariantCulture)), stored.Select(m => m.Text));
            Assert.All(stored, m => Assert.StartsWith($"c{int.Parse(conversation.Handle.ExternalId[6..], CultureInfo.InvariantCulture)}-m", m.PlatformMessageId, StringComparison.Ordinal));
        }

        Assert.Equal(customers * messages, total);
    }
}
