using SocialCare.Ingestion;

namespace SocialCare.Storage;

/// <summary>The filters of <see cref="ConversationQuery"/>, each alone and combined.</summary>
public sealed class ConversationFilterTests : IAsyncDisposable
{
    private static readonly AgentId Ana = new("agent-ana");
    private static readonly AgentId Ben = new("agent-ben");
    private readonly CareHost _host = CareHost.Create(care => care.Use<QueueStep>());
    private readonly Dictionary<ConversationId, string> _names = [];

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task ListAsync_EachFilter_ReturnsExactlyTheMatchingConversations()
    {
        await SeedAsync();

        await AssertNames("open-ana,open-unassigned,public-x,snoozed", new ConversationQuery { Statuses = [ConversationStatus.Open, ConversationStatus.Snoozed] });
        await AssertNames("pending-ben", new ConversationQuery { Statuses = [ConversationStatus.Pending] });
        await AssertNames("resolved", new ConversationQuery { Statuses = [ConversationStatus.Resolved] });
        await AssertNames("open-ana,open-unassigned,pending-ben,public-x,resolved,snoozed", new ConversationQuery { Statuses = [] });
        await AssertNames("open-ana", new ConversationQuery { Assignee = Ana });
        await AssertNames("open-ana,pending-ben", new ConversationQuery { Assigned = true });
        await AssertNames("open-unassigned,public-x,resolved,snoozed", new ConversationQuery { Assigned = false });
        await AssertNames("open-unassigned,resolved", new ConversationQuery { Queue = "billing" });
        await AssertNames("open-ana,pending-ben,public-x,snoozed", new ConversationQuery { Queue = "general" });
        await AssertNames("open-ana,pending-ben", new ConversationQuery { Tag = "VIP" });
        await AssertNames("open-ana,resolved", new ConversationQuery { Tag = " refund " });
        await AssertNames("public-x", new ConversationQuery { ChannelKind = ChannelKind.X });
        await AssertNames("pending-ben", new ConversationQuery { Channel = CareHost.WhatsAppSecond });
        await AssertNames("open-ana,open-unassigned,resolved,snoozed", new ConversationQuery { Channel = CareHost.WhatsApp });
        await AssertNames("open-unassigned", new ConversationQuery { Priority = ConversationPriority.Urgent });
        await AssertNames("public-x", new ConversationQuery { Visibility = ConversationVisibility.Public });
        await AssertNames("open-unassigned,resolved", new ConversationQuery { TextContains = "REFUND" });
        await AssertNames("snoozed", new ConversationQuery { TextContains = "tracking number" });
        await AssertNames("", new ConversationQuery { TextContains = "no such words" });
    }

    [Fact]
    public async Task ListAsync_FiltersTogether_CombineWithAnd()
    {
        await SeedAsync();

        await AssertNames("open-unassigned", new ConversationQuery { Statuses = [ConversationStatus.Open], Queue = "billing" });
        await AssertNames("open-ana", new ConversationQuery { Tag = "vip", ChannelKind = ChannelKind.WhatsApp, Statuses = [ConversationStatus.Open] });
        await AssertNames("", new ConversationQuery { Assignee = Ana, Priority = ConversationPriority.Urgent });
    }

    [Fact]
    public async Task ListAsync_Presets_MatchTheirDescriptions()
    {
        await SeedAsync();

        await AssertNames("open-ana", ConversationQuery.Mine(Ana));
        await AssertNames("", ConversationQuery.Mine(Ben)); // Ben's conversation is pending, not open
        await AssertNames("open-unassigned,public-x", ConversationQuery.Unassigned());
        await AssertNames("open-unassigned", ConversationQuery.Unassigned("billing"));
        await AssertNames("open-ana,open-unassigned,public-x", ConversationQuery.AllOpen());
    }

    [Fact]
    public async Task ListAsync_ByContact_ReturnsThatCustomersConversations()
    {
        await SeedAsync();
        var contact = (await _host.FindContactAsync(new ContactHandle(ChannelKind.WhatsApp, "ana-customer")))!.Id;

        await AssertNames("open-ana,pending-ben", new ConversationQuery { ContactId = contact });
    }

    [Fact]
    public async Task ListAsync_TextContains_MatchesEditedTextNotTheOriginal()
    {
        var conversation = await _host.ReceiveAsync("wamid.1", text: "my parcel is lost");
        await _host.IngestAsync(_host.Edit("wamid.1", "my parcel arrived"));

        Assert.Empty(await _host.ListAllAsync(new ConversationQuery { TextContains = "lost" }));
        Assert.Equal(conversation.Id, Assert.Single(await _host.ListAllAsync(new ConversationQuery { TextContains = "arrived" })).Id);
    }

    [Fact]
    public void ConversationQuery_AssigneeWithUnassignedOnly_IsRefusedNamingAssigned()
    {
        var ex = Assert.Throws<CareValidationException>(() => new ConversationQuery { Assignee = Ana, Assigned = false }.Validate());

        Assert.Equal("Assigned", ex.Field);
    }

    /// <summary>
    /// open-ana: Ana's, tags vip+refund, WhatsApp. open-unassigned: urgent, "refund", queue billing.
    /// pending-ben: Ben's, vip, second WhatsApp number. snoozed: "tracking number". resolved: "refund", tag refund.
    /// public-x: a public mention on X.
    /// </summary>
    private async Task SeedAsync()
    {
        var openAna = await Receive("open-ana", "ana-customer", "Where is my order?", CareHost.WhatsApp);
        await _host.Inbox.AssignAsync(CareHost.Acme, openAna.Id, Ana);
        await _host.Inbox.TagAsync(CareHost.Acme, openAna.Id, ["vip", "refund"]);

        var unassigned = await Receive("open-unassigned", "u-customer", "I want a Refund now", CareHost.WhatsApp);
        await _host.Inbox.SetPriorityAsync(CareHost.Acme, unassigned.Id, ConversationPriority.Urgent);

        var pending = await Receive("pending-ben", "ana-customer", "Hello again", CareHost.WhatsAppSecond);
        await _host.Inbox.AssignAsync(CareHost.Acme, pending.Id, Ben);
        await _host.Inbox.TagAsync(CareHost.Acme, pending.Id, ["VIP"]);
        await _host.Inbox.MarkPendingAsync(CareHost.Acme, pending.Id);

        var snoozed = await Receive("snoozed", "s-customer", "hi", CareHost.WhatsApp);
        await _host.IngestAsync(_host.Message("snoozed-2", customer: "s-customer", text: "Here is my tracking number 123"));
        await _host.Inbox.SnoozeAsync(CareHost.Acme, snoozed.Id, _host.Now.AddDays(1));

        var resolved = await Receive("resolved", "r-customer", "refund please", CareHost.WhatsApp);
        await _host.Inbox.TagAsync(CareHost.Acme, resolved.Id, ["refund"]);
        await _host.Inbox.ResolveAsync(CareHost.Acme, resolved.Id);

        await Receive("public-x", "x-user", "@brand your app is down", new ChannelAccount(ChannelKind.X, "brand"), ConversationVisibility.Public);
    }

    private async Task<Conversation> Receive(string name, string customer, string text, ChannelAccount channel, ConversationVisibility visibility = ConversationVisibility.Private)
    {
        _host.Advance(TimeSpan.FromMinutes(1));
        var conversation = await _host.ReceiveAsync($"{name}-1", customer, text, channel, visibility);
        _names[conversation.Id] = name;
        return conversation;
    }

    private async Task AssertNames(string expected, ConversationQuery query)
    {
        var names = (await _host.ListAllAsync(query)).Select(c => _names[c.Id]).Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(',', names));
    }

    /// <summary>A host step standing in for routing rules: refund requests go to "billing", everything else to "general".</summary>
    public sealed class QueueStep : IIngestStep
    {
        public async ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
        {
            if (context.Conversation is { Queue: null } conversation && context.Event is InboundMessage m)
            {
                var queue = m.Text?.Contains("refund", StringComparison.OrdinalIgnoreCase) == true ? "billing" : "general";
                context.Conversation = conversation with { Queue = queue };
            }

            await next(context, cancellationToken);
        }
    }
}
