using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialCare.Channels;
using SocialCare.Diagnostics;
using SocialCare.Events;
using SocialCare.Ingestion;
using SocialCare.Outbound;
using SocialCare.Storage;
using SocialCare.Workspaces;

namespace SocialCare.Conversations;

/// <summary>The engine's <see cref="ICareInbox"/>: each operation is read, change, write with a version check, commit, publish.</summary>
internal sealed class CareInbox(
    ICareStore store,
    TimeProvider time,
    IOptions<SocialCareOptions> options,
    CareEventPublisher publisher,
    WorkspaceSeeder seeder,
    SocialCareInstrumentation instrumentation,
    OutboxSignal outboxSignal,
    ReplyPreflight replyPreflight,
    ILoggerFactory? loggerFactory = null) : ICareInbox
{
    private readonly ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<CareInbox>();

    private readonly SocialCareOptions _options = options.Value;

    public async ValueTask<Page<Conversation>> ListAsync(WorkspaceId workspaceId, ConversationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.QueryConversationsAsync(query, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<Conversation> GetAsync(WorkspaceId workspaceId, ConversationId conversationId, CancellationToken cancellationToken = default)
    {
        var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.GetConversationAsync(conversationId, cancellationToken).ConfigureAwait(false)
                ?? throw new ConversationNotFoundException(workspaceId, conversationId);
        }
    }

    public async ValueTask<Page<Message>> GetMessagesAsync(WorkspaceId workspaceId, MessageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            _ = await session.GetConversationAsync(query.ConversationId, cancellationToken).ConfigureAwait(false)
                ?? throw new ConversationNotFoundException(workspaceId, query.ConversationId);
            return await session.QueryMessagesAsync(query, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<Contact> GetContactAsync(WorkspaceId workspaceId, ContactId contactId, CancellationToken cancellationToken = default)
    {
        var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.GetContactAsync(contactId, cancellationToken).ConfigureAwait(false)
                ?? throw new ContactNotFoundException(workspaceId, contactId);
        }
    }

    public async ValueTask<Message> ReplyAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentReply reply, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        RequireAgent(reply.Agent, "reply.Agent");
        Normalize.Text(reply.Text, _options.MaxTextLength, "reply.Text");
        Normalize.Attachments(reply.Attachments, _options.MaxAttachments, "reply.Attachments");
        if (reply.Template is { } template)
        {
            CheckTemplate(template, reply);
        }
        else if (string.IsNullOrWhiteSpace(reply.Text) && reply.Attachments.Count == 0)
        {
            throw new CareValidationException("reply.Text", "a reply needs text, an attachment or a template.");
        }

        var (_, message) = await ChangeAsync(workspaceId, conversationId, expectedVersion, async (session, c, now, events) =>
        {
            ConversationTransitions.EnsureCanReply(c);
            var message = NewMessage(c, now, MessageDirection.Outbound, MessageAuthor.ForAgent(reply.Agent), reply.Text) with
            {
                Attachments = reply.Attachments,
                Template = reply.Template,
                ReplyToPlatformMessageId = reply.ReplyToPlatformMessageId,
                Delivery = new DeliveryState(DeliveryStatus.Queued, now),
            };
            replyPreflight.Check(c, reply, message);
            await session.TryInsertMessageAsync(message, cancellationToken).ConfigureAwait(false);
            await session.EnqueueOutboxAsync(new OutboxEntry { WorkspaceId = workspaceId, MessageId = message.Id, DueAt = now }, cancellationToken).ConfigureAwait(false);
            var updated = c with
            {
                MessageCount = c.MessageCount + 1,
                LastActivityAt = now,
                WaitingSince = null,
                Cycle = c.Cycle.FirstResponseAt is null ? c.Cycle with { FirstResponseAt = now } : c.Cycle,
            };
            events.Add(new ReplyQueued { WorkspaceId = workspaceId, OccurredAt = now, Message = message, Conversation = updated });
            return (updated, message);
        }, cancellationToken).ConfigureAwait(false);
        outboxSignal.Notify();
        return message!;
    }

    public async ValueTask<Message> AddNoteAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentId author, string text, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        RequireAgent(author, nameof(author));
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CareValidationException(nameof(text), "a note needs text.");
        }

        Normalize.Text(text, _options.MaxTextLength, nameof(text));
        var (_, message) = await ChangeAsync(workspaceId, conversationId, expectedVersion, async (session, c, now, events) =>
        {
            var message = NewMessage(c, now, MessageDirection.Note, MessageAuthor.ForAgent(author), text);
            await session.TryInsertMessageAsync(message, cancellationToken).ConfigureAwait(false);
            return (c with { MessageCount = c.MessageCount + 1, LastActivityAt = now }, message);
        }, cancellationToken).ConfigureAwait(false);
        return message!;
    }

    public ValueTask<Conversation> AssignAsync(WorkspaceId workspaceId, ConversationId conversationId, AgentId agent, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        RequireAgent(agent, nameof(agent));
        return ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, _) => c.Assignee == agent ? c : c with { Assignee = agent }, cancellationToken);
    }

    public ValueTask<Conversation> UnassignAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, _) => c.Assignee is null ? c : c with { Assignee = null }, cancellationToken);

    public ValueTask<Conversation> TagAsync(WorkspaceId workspaceId, ConversationId conversationId, IReadOnlyCollection<string> tags, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeTags(tags);
        return ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, _) => WithTags(c, Normalize.ChangeTags(c.Tags, normalized, [])), cancellationToken);
    }

    public ValueTask<Conversation> UntagAsync(WorkspaceId workspaceId, ConversationId conversationId, IReadOnlyCollection<string> tags, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeTags(tags);
        return ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, _) => WithTags(c, Normalize.ChangeTags(c.Tags, [], normalized)), cancellationToken);
    }

    public ValueTask<Conversation> SetPriorityAsync(WorkspaceId workspaceId, ConversationId conversationId, ConversationPriority priority, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(priority))
        {
            throw new CareValidationException(nameof(priority), $"'{priority}' is not a ConversationPriority.");
        }

        return ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, _) => c.Priority == priority ? c : c with { Priority = priority }, cancellationToken);
    }

    public ValueTask<Conversation> MarkPendingAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeConversationAsync(workspaceId, conversationId, expectedVersion, ConversationTransitions.MarkPending, cancellationToken);

    public ValueTask<Conversation> SnoozeAsync(WorkspaceId workspaceId, ConversationId conversationId, DateTimeOffset until, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeConversationAsync(workspaceId, conversationId, expectedVersion, (c, now) => ConversationTransitions.Snooze(c, until, now), cancellationToken);

    public ValueTask<Conversation> ResolveAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeConversationAsync(workspaceId, conversationId, expectedVersion, ConversationTransitions.Resolve, cancellationToken);

    public async ValueTask<Conversation> ReopenAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (conversation, _) = await ChangeAsync(workspaceId, conversationId, expectedVersion, async (session, c, now, _) =>
        {
            // Only the customer's latest conversation on a thread can come back: an older one would either collide with
            // the active newer one, or become an active thread that the customer's next message cannot reach.
            if (c.Status == ConversationStatus.Resolved
                && await session.FindLatestConversationAsync(c.Channel, c.Handle, c.Visibility, cancellationToken).ConfigureAwait(false) is { } latest
                && latest.Id != c.Id)
            {
                throw new InvalidConversationTransitionException(c.Id, c.Status, "reopen", $"the customer has a newer conversation '{latest.Id}' on this channel account; continue in that one.");
            }

            return (ConversationTransitions.Reopen(c, now), (Message?)null);
        }, cancellationToken).ConfigureAwait(false);
        return conversation;
    }

    public async ValueTask<Contact> MergeContactsAsync(WorkspaceId workspaceId, ContactId survivorId, ContactId mergedId, CancellationToken cancellationToken = default)
    {
        if (survivorId == mergedId)
        {
            throw new CareValidationException(nameof(mergedId), "a contact cannot be merged into itself.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    var now = time.GetUtcNow();
                    var survivor = await RequireLiveContactAsync(session, workspaceId, survivorId, cancellationToken).ConfigureAwait(false);
                    var merged = await RequireLiveContactAsync(session, workspaceId, mergedId, cancellationToken).ConfigureAwait(false);

                    // Free the merged contact's handles first, then give them to the survivor.
                    await session.UpdateContactAsync(merged with { Handles = [], MergedInto = survivorId, UpdatedAt = now, Version = merged.Version + 1 }, cancellationToken).ConfigureAwait(false);
                    var attributes = new Dictionary<string, string>(merged.Attributes, StringComparer.Ordinal);
                    foreach (var (key, value) in survivor.Attributes)
                    {
                        attributes[key] = value;
                    }

                    var updatedSurvivor = survivor with
                    {
                        Handles = [.. survivor.Handles, .. merged.Handles.Where(h => !survivor.Handles.Contains(h))],
                        Attributes = attributes,
                        Notes = [.. survivor.Notes.Concat(merged.Notes).OrderBy(n => n.CreatedAt)],
                        Profile = FillProfile(survivor.Profile, merged.Profile),
                        Consent = survivor.Consent == ContactConsent.Unknown ? merged.Consent : survivor.Consent,
                        UpdatedAt = now,
                        Version = survivor.Version + 1,
                    };
                    await session.UpdateContactAsync(updatedSurvivor, cancellationToken).ConfigureAwait(false);

                    // Collect first, then move: the moves change what the query matches.
                    var toMove = new List<Conversation>();
                    string? after = null;
                    do
                    {
                        var page = await session.QueryConversationsAsync(
                            new ConversationQuery { ContactId = mergedId, Sort = ConversationSort.CreatedNewest, Limit = ConversationQuery.MaxLimit, After = after },
                            cancellationToken).ConfigureAwait(false);
                        toMove.AddRange(page.Items);
                        after = page.NextCursor;
                    }
                    while (after is not null);

                    foreach (var c in toMove)
                    {
                        await session.UpdateConversationAsync(c with { ContactId = survivorId, Version = c.Version + 1 }, cancellationToken).ConfigureAwait(false);
                    }

                    await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                    await publisher.PublishAsync([new ContactMerged { WorkspaceId = workspaceId, OccurredAt = now, Survivor = updatedSurvivor, MergedContactId = mergedId }], cancellationToken).ConfigureAwait(false);
                    return updatedSurvivor;
                }
            }
            catch (ConcurrencyConflictException ex) when (attempt <= _options.MaxConflictRetries)
            {
                Retry(attempt, workspaceId, ex);
            }
        }
    }

    private static async ValueTask<Contact> RequireLiveContactAsync(ICareSession session, WorkspaceId workspaceId, ContactId id, CancellationToken ct)
    {
        var contact = await session.GetContactAsync(id, ct).ConfigureAwait(false) ?? throw new ContactNotFoundException(workspaceId, id);
        return contact.MergedInto is { } into
            ? throw new ContactNotFoundException(workspaceId, id, $"was already merged into contact '{into}'")
            : contact;
    }

    private static ContactProfile FillProfile(ContactProfile keep, ContactProfile fill) => keep with
    {
        Name = keep.Name ?? fill.Name,
        Username = keep.Username ?? fill.Username,
        Locale = keep.Locale ?? fill.Locale,
        Followers = keep.Followers ?? fill.Followers,
        AvatarUrl = keep.AvatarUrl ?? fill.AvatarUrl,
        Verified = keep.Verified || fill.Verified,
    };

    private ValueTask<Conversation> ChangeConversationAsync(WorkspaceId workspaceId, ConversationId conversationId, long? expectedVersion, Func<Conversation, DateTimeOffset, Conversation> change, CancellationToken cancellationToken)
    {
        return Core();

        async ValueTask<Conversation> Core()
        {
            var (conversation, _) = await ChangeAsync(workspaceId, conversationId, expectedVersion, (_, c, now, _) => ValueTask.FromResult<(Conversation, Message?)>((change(c, now), null)), cancellationToken).ConfigureAwait(false);
            return conversation;
        }
    }

    /// <summary>Read, change, write with a version check, commit, publish; retried on conflicts unless a version was expected.</summary>
    private async ValueTask<(Conversation Conversation, Message? Message)> ChangeAsync(
        WorkspaceId workspaceId,
        ConversationId conversationId,
        long? expectedVersion,
        Func<ICareSession, Conversation, DateTimeOffset, List<CareEvent>, ValueTask<(Conversation Updated, Message? Message)>> change,
        CancellationToken cancellationToken)
    {
        if (conversationId.IsEmpty)
        {
            throw new CareValidationException(nameof(conversationId), "must not be empty.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var session = await BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    var current = await session.GetConversationAsync(conversationId, cancellationToken).ConfigureAwait(false)
                        ?? throw new ConversationNotFoundException(workspaceId, conversationId);
                    if (expectedVersion is { } expected && current.Version != expected)
                    {
                        throw new ConcurrencyConflictException("conversation", conversationId.ToString(), expected, current.Version);
                    }

                    var now = time.GetUtcNow();
                    var events = new List<CareEvent>();
                    var (updated, message) = await change(session, current, now, events).ConfigureAwait(false);
                    if (ReferenceEquals(updated, current) && message is null)
                    {
                        return (current, null); // nothing to change: idempotent
                    }

                    updated = updated with { Version = current.Version + 1 };
                    await session.UpdateConversationAsync(updated, cancellationToken).ConfigureAwait(false);
                    await session.CommitAsync(cancellationToken).ConfigureAwait(false);

                    AddLifecycleEvents(events, current, updated, now);
                    await publisher.PublishAsync(events, cancellationToken).ConfigureAwait(false);
                    return (updated, message);
                }
            }
            catch (ConcurrencyConflictException ex) when (expectedVersion is null && attempt <= _options.MaxConflictRetries)
            {
                Retry(attempt, workspaceId, ex);
            }
        }
    }

    private static void AddLifecycleEvents(List<CareEvent> events, Conversation before, Conversation after, DateTimeOffset now)
    {
        var ws = after.WorkspaceId;
        for (var i = 0; i < events.Count; i++)
        {
            // Events built inside the change saw the conversation before its version bump.
            if (events[i] is ReplyQueued r)
            {
                events[i] = r with { Conversation = after };
            }
        }

        if (before.Assignee != after.Assignee)
        {
            events.Add(new ConversationAssigned { WorkspaceId = ws, OccurredAt = now, Conversation = after, PreviousAssignee = before.Assignee });
        }

        if (before.Status != ConversationStatus.Resolved && after.Status == ConversationStatus.Resolved)
        {
            events.Add(new ConversationResolved { WorkspaceId = ws, OccurredAt = now, Conversation = after });
        }

        if (before.Status == ConversationStatus.Resolved && after.Status != ConversationStatus.Resolved)
        {
            events.Add(new ConversationReopened { WorkspaceId = ws, OccurredAt = now, Conversation = after });
        }

        if (CareEventPublisher.IsVisibleChange(before, after))
        {
            events.Add(new ConversationUpdated { WorkspaceId = ws, OccurredAt = now, Previous = before, Conversation = after });
        }
    }

    private static Message NewMessage(Conversation c, DateTimeOffset now, MessageDirection direction, MessageAuthor author, string? text) => new()
    {
        Id = Version7Ids.NewMessageId(now),
        WorkspaceId = c.WorkspaceId,
        ConversationId = c.Id,
        Sequence = c.MessageCount + 1,
        Channel = c.Channel,
        Direction = direction,
        Author = author,
        Text = text,
        SentAt = now,
        ReceivedAt = now,
    };

    private static Conversation WithTags(Conversation c, IReadOnlyList<string> tags) => ReferenceEquals(tags, c.Tags) ? c : c with { Tags = tags };

    private static string[] NormalizeTags(IReadOnlyCollection<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count == 0)
        {
            throw new CareValidationException(nameof(tags), "name at least one tag.");
        }

        return [.. tags.Select((t, i) => Normalize.Tag(t, $"tags[{i}]"))];
    }

    private static void RequireAgent(AgentId agent, string field)
    {
        if (agent.IsEmpty)
        {
            throw new CareValidationException(field, "an agent id must not be empty.");
        }
    }

    private async ValueTask<ICareSession> BeginAsync(WorkspaceId workspaceId, CancellationToken cancellationToken)
    {
        if (workspaceId.IsEmpty)
        {
            throw new CareValidationException(nameof(workspaceId), "must not be empty.");
        }

        await seeder.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await store.BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
    }

    private void Retry(int attempt, WorkspaceId workspaceId, ConcurrencyConflictException ex)
    {
        instrumentation.ConflictRetries.Add(1);
        Log.ConflictRetry(logger, attempt, workspaceId, ex);
    }

    /// <summary>A template reply names the template and its language, has no missing values, and carries nothing else.</summary>
    private static void CheckTemplate(MessageTemplate template, AgentReply reply)
    {
        if (string.IsNullOrWhiteSpace(template.Name))
        {
            throw new CareValidationException("reply.Template.Name", "must name the template as registered with the platform.");
        }

        if (string.IsNullOrWhiteSpace(template.Language))
        {
            throw new CareValidationException("reply.Template.Language", "must give the template's language code, for example en_US.");
        }

        if (template.Parameters is null)
        {
            throw new CareValidationException("reply.Template.Parameters", "must not be null; use an empty list.");
        }

        for (var i = 0; i < template.Parameters.Count; i++)
        {
            if (template.Parameters[i] is null)
            {
                throw new CareValidationException($"reply.Template.Parameters[{i}]", "must not be null.");
            }
        }

        if (reply.Text is not null || reply.Attachments.Count > 0)
        {
            throw new CareValidationException("reply.Template", "a template is sent as it was approved: send it without text or attachments.");
        }
    }
}
