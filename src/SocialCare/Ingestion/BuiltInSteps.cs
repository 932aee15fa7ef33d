using Microsoft.Extensions.Options;
using SocialCare.Conversations;
using SocialCare.Storage;

namespace SocialCare.Ingestion;

/// <summary>Stage 1: an inbound message whose platform id is already stored is a redelivery; stop.</summary>
/// <remarks>
/// The built-in steps are not <c>async</c> methods: when the session answers synchronously (the in-memory store, a
/// prefetched read) a step adds no state machine to the ingest; a pending answer continues in an awaiting method.
/// </remarks>
internal sealed class DedupeStep : IIngestStep
{
    public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        if (context.Event is not InboundMessage m)
        {
            return next(context, cancellationToken);
        }

        var lookup = context.Session.FindMessageAsync(m.Channel, m.PlatformMessageId, cancellationToken);
        return lookup.IsCompletedSuccessfully
            ? Continue(context, lookup.Result, next, cancellationToken)
            : AwaitLookup(context, lookup, next, cancellationToken);
    }

    private static ValueTask Continue(IngestContext context, Message? existing, IngestDelegate next, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            context.Message = existing;
            context.Outcome = IngestOutcome.Duplicate;
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }

    private static async ValueTask AwaitLookup(IngestContext context, ValueTask<Message?> lookup, IngestDelegate next, CancellationToken cancellationToken) =>
        await Continue(context, await lookup.ConfigureAwait(false), next, cancellationToken).ConfigureAwait(false);
}

/// <summary>Stage 2: resolve the customer's contact by handle, creating it for messages and consent changes.</summary>
internal sealed class ContactStep : IIngestStep
{
    public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        var lookup = context.Session.FindContactAsync(context.Event.Customer, cancellationToken);
        if (!lookup.IsCompletedSuccessfully)
        {
            return AwaitLookup(context, lookup, next, cancellationToken);
        }

        var write = Resolve(context, lookup.Result, cancellationToken, out var stop);
        if (!write.IsCompletedSuccessfully)
        {
            return AwaitWrite(context, write, stop, next, cancellationToken);
        }

        write.GetAwaiter().GetResult();
        return stop ? ValueTask.CompletedTask : next(context, cancellationToken);
    }

    private static async ValueTask AwaitLookup(IngestContext context, ValueTask<Contact?> lookup, IngestDelegate next, CancellationToken cancellationToken)
    {
        var contact = await lookup.ConfigureAwait(false);
        await Resolve(context, contact, cancellationToken, out var stop).ConfigureAwait(false);
        if (!stop)
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask AwaitWrite(IngestContext context, ValueTask write, bool stop, IngestDelegate next, CancellationToken cancellationToken)
    {
        await write.ConfigureAwait(false);
        if (!stop)
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets the context's contact, creating or updating it; the session write to await, and whether to stop here.</summary>
    private static ValueTask Resolve(IngestContext context, Contact? contact, CancellationToken cancellationToken, out bool stop)
    {
        var e = context.Event;
        var session = context.Session;
        var write = ValueTask.CompletedTask;
        stop = false;
        var profile = (e as InboundMessage)?.Profile;
        var consent = (e as InboundConsent)?.Consent;

        if (contact is null && e is InboundMessage or InboundConsent)
        {
            contact = new Contact
            {
                Id = Version7Ids.NewContactId(context.Now),
                WorkspaceId = e.WorkspaceId,
                Handles = [e.Customer],
                Profile = profile ?? ContactProfile.Empty,
                Consent = consent ?? ContactConsent.Unknown,
                CreatedAt = context.Now,
                UpdatedAt = context.Now,
            };
            write = session.InsertContactAsync(contact, cancellationToken);
        }
        else if (contact is not null)
        {
            var mergedProfile = profile is null ? contact.Profile : Merge(contact.Profile, profile);
            var newConsent = consent ?? contact.Consent;
            if (!ReferenceEquals(mergedProfile, contact.Profile) || newConsent != contact.Consent)
            {
                contact = contact with
                {
                    Profile = mergedProfile,
                    Consent = newConsent,
                    UpdatedAt = context.Now,
                    Version = contact.Version + 1,
                };
                write = session.UpdateContactAsync(contact, cancellationToken);
            }
            else if (e is InboundConsent)
            {
                context.Outcome = IngestOutcome.Duplicate;
                stop = true;
            }
        }

        context.Contact = contact;
        return write;
    }

    /// <summary>Takes every value the platform sent; keeps the stored one where it sent nothing. Same instance when unchanged.</summary>
    internal static ContactProfile Merge(ContactProfile stored, ContactProfile incoming)
    {
        var name = incoming.Name ?? stored.Name;
        var username = incoming.Username ?? stored.Username;
        var locale = incoming.Locale ?? stored.Locale;
        var followers = incoming.Followers ?? stored.Followers;
        var avatar = incoming.AvatarUrl ?? stored.AvatarUrl;
        var verified = incoming.Verified || stored.Verified;
        if (string.Equals(name, stored.Name, StringComparison.Ordinal)
            && string.Equals(username, stored.Username, StringComparison.Ordinal)
            && string.Equals(locale, stored.Locale, StringComparison.Ordinal)
            && followers == stored.Followers
            && avatar == stored.AvatarUrl
            && verified == stored.Verified)
        {
            return stored;
        }

        return new ContactProfile { Name = name, Username = username, Locale = locale, Followers = followers, AvatarUrl = avatar, Verified = verified };
    }
}

/// <summary>
/// Stage 3: find the conversation. A message joins the handle's active conversation on that account and visibility
/// (waking pending and snoozed ones), reopens a resolved one within the reopen window, or starts a new one. Other events
/// find the conversation of the message they refer to.
/// </summary>
internal sealed class ThreadStep(IOptions<SocialCareOptions> options) : IIngestStep
{
    private readonly TimeSpan _reopenWindow = options.Value.ReopenWindow;

    public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        if (context.Event is not InboundMessage m)
        {
            return ThreadOtherAsync(context, next, cancellationToken);
        }

        var lookup = context.Session.FindLatestConversationAsync(m.Channel, m.Customer, m.Visibility, cancellationToken);
        if (!lookup.IsCompletedSuccessfully)
        {
            return AwaitLookup(context, m, lookup, next, cancellationToken);
        }

        var write = ThreadMessage(context, m, lookup.Result, cancellationToken);
        if (!write.IsCompletedSuccessfully)
        {
            return AwaitWrite(context, write, next, cancellationToken);
        }

        write.GetAwaiter().GetResult();
        return next(context, cancellationToken);
    }

    private static async ValueTask AwaitWrite(IngestContext context, ValueTask write, IngestDelegate next, CancellationToken cancellationToken)
    {
        await write.ConfigureAwait(false);
        await next(context, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AwaitLookup(IngestContext context, InboundMessage m, ValueTask<Conversation?> lookup, IngestDelegate next, CancellationToken cancellationToken)
    {
        var latest = await lookup.ConfigureAwait(false);
        await ThreadMessage(context, m, latest, cancellationToken).ConfigureAwait(false);
        await next(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins, wakes, reopens or starts the message's conversation; the insert to await when it started one.</summary>
    private ValueTask ThreadMessage(IngestContext context, InboundMessage m, Conversation? latest, CancellationToken cancellationToken)
    {
        var write = ValueTask.CompletedTask;
        Conversation conversation;
        if (latest is not null && (latest.IsActive || m.IsEcho))
        {
            conversation = m.IsEcho ? latest : ConversationTransitions.Wake(latest);
        }
        else if (latest is not null && ConversationTransitions.ReopensWithin(latest, context.Now, _reopenWindow))
        {
            conversation = ConversationTransitions.StartCycle(latest, context.Now, firstCustomerMessageAt: null);
            context.Reopened = true;
        }
        else
        {
            latest = null;
            conversation = new Conversation
            {
                Id = Version7Ids.NewConversationId(context.Now),
                WorkspaceId = m.WorkspaceId,
                ContactId = context.Contact!.Id,
                Channel = m.Channel,
                Handle = m.Customer,
                Visibility = m.Visibility,
                Cycle = new ConversationCycle(1, context.Now),
                CreatedAt = context.Now,
                LastActivityAt = context.Now,
            };
            write = context.Session.InsertConversationAsync(conversation, cancellationToken);
            context.AddEvent(new ConversationCreated { WorkspaceId = m.WorkspaceId, OccurredAt = context.Now, Conversation = conversation });
        }

        context.OriginalConversation = latest;
        context.StoredConversation = latest ?? conversation;
        context.Conversation = conversation;
        return write;
    }

    /// <summary>Statuses, reactions, edits, deletions and consent changes: find the conversation of what they refer to.</summary>
    private static async ValueTask ThreadOtherAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        var session = context.Session;
        switch (context.Event)
        {
            case InboundStatus { PlatformMessageId: null }:
            {
                // A watermark status: it applies to the customer's private conversation on the account.
                var latest = await session.FindLatestConversationAsync(context.Event.Channel, context.Event.Customer, ConversationVisibility.Private, cancellationToken).ConfigureAwait(false);
                if (latest is null)
                {
                    context.Outcome = IngestOutcome.Unmatched;
                    return;
                }

                context.OriginalConversation = context.StoredConversation = context.Conversation = latest;
                break;
            }

            case InboundConsent:
                break;

            default:
            {
                var platformId = context.Event switch
                {
                    InboundStatus s => s.PlatformMessageId!,
                    InboundReaction r => r.TargetPlatformMessageId,
                    InboundEdit ed => ed.PlatformMessageId,
                    InboundDeletion d => d.PlatformMessageId,
                    _ => throw new InvalidOperationException($"No threading for {context.Event.GetType().Name}."),
                };
                var target = await session.FindMessageAsync(context.Event.Channel, platformId, cancellationToken).ConfigureAwait(false);
                if (target is null && context.Event is InboundStatus { OutboundMessageId: { } ours })
                {
                    // The status overtook the sender recording the platform id: find the reply by our own id.
                    var mine = await session.GetMessageAsync(ours, cancellationToken).ConfigureAwait(false);
                    target = mine is { Direction: MessageDirection.Outbound, PlatformMessageId: null } && mine.Channel == context.Event.Channel ? mine : null;
                }

                if (target is null)
                {
                    context.Outcome = IngestOutcome.Unmatched;
                    return;
                }

                context.Message = target;
                var conversation = await session.GetConversationAsync(target.ConversationId, cancellationToken).ConfigureAwait(false);
                context.OriginalConversation = context.StoredConversation = context.Conversation = conversation;
                break;
            }
        }

        await next(context, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Stage 4: store the message (a concurrent duplicate stops here), or apply a status, reaction, edit or deletion to the
/// stored message.
/// </summary>
internal sealed class AppendStep : IIngestStep
{
    private readonly ContactAuthorCache _authors = new();

    public ValueTask InvokeAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        if (context.Event is not InboundMessage m)
        {
            return ApplyOtherAsync(context, next, cancellationToken);
        }

        var message = NewMessage(context, m, _authors);
        var insert = context.Session.TryInsertMessageAsync(message, cancellationToken);
        if (!insert.IsCompletedSuccessfully)
        {
            return AwaitInsert(context, m, message, insert, next, cancellationToken);
        }

        return Appended(context, m, message, insert.Result) ? next(context, cancellationToken) : ValueTask.CompletedTask;
    }

    private static async ValueTask AwaitInsert(IngestContext context, InboundMessage m, Message message, ValueTask<bool> insert, IngestDelegate next, CancellationToken cancellationToken)
    {
        if (Appended(context, m, message, await insert.ConfigureAwait(false)))
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask ApplyOtherAsync(IngestContext context, IngestDelegate next, CancellationToken cancellationToken)
    {
        var changed = context.Event switch
        {
            InboundStatus s => await ApplyStatusAsync(context, s, cancellationToken).ConfigureAwait(false),
            InboundReaction r => await ApplyReactionAsync(context, r, cancellationToken).ConfigureAwait(false),
            InboundEdit ed => await ApplyEditAsync(context, ed, cancellationToken).ConfigureAwait(false),
            InboundDeletion d => await ApplyDeletionAsync(context, d, cancellationToken).ConfigureAwait(false),
            _ => true,
        };

        if (!changed)
        {
            // A status about a message the brand did not send matches nothing a platform could report on.
            context.Outcome = context.Event is InboundStatus { PlatformMessageId: not null } && context.Message!.Direction != MessageDirection.Outbound
                ? IngestOutcome.Unmatched
                : IngestOutcome.Duplicate;
            return;
        }

        await next(context, cancellationToken).ConfigureAwait(false);
    }

    private static Message NewMessage(IngestContext context, InboundMessage m, ContactAuthorCache authors)
    {
        var conversation = context.Conversation!;
        return new Message
        {
            Id = Version7Ids.NewMessageId(context.Now),
            WorkspaceId = m.WorkspaceId,
            ConversationId = conversation.Id,
            Sequence = conversation.MessageCount + 1,
            Channel = m.Channel,
            Direction = m.IsEcho ? MessageDirection.Outbound : MessageDirection.Inbound,
            Author = m.IsEcho ? EchoAuthor : authors.For(context.Contact!),
            PlatformMessageId = m.PlatformMessageId,
            Text = m.Text,
            Attachments = m.Attachments,
            ReplyToPlatformMessageId = m.ReplyToPlatformMessageId,
            Payload = m.Payload,
            SentAt = m.OccurredAt,
            ReceivedAt = context.Now,
            Delivery = m.IsEcho ? new DeliveryState(DeliveryStatus.Sent, context.Now) : null,
        };
    }

    /// <summary>
    /// After the insert: a message stored joins the conversation, which counts it and waits for (or, for an echo, has)
    /// a reply; one refused (a concurrent delivery stored the platform id first) makes the event a duplicate. False stops here.
    /// </summary>
    private static bool Appended(IngestContext context, InboundMessage m, Message message, bool inserted)
    {
        if (!inserted)
        {
            context.Outcome = IngestOutcome.Duplicate;
            return false;
        }

        var conversation = context.Conversation!;
        var stored = context.StoredConversation!;
        var sentAt = m.OccurredAt;
        var cycle = conversation.Cycle;
        DateTimeOffset? waitingSince;
        var lastCustomerMessageAt = conversation.LastCustomerMessageAt;
        if (m.IsEcho)
        {
            // The brand answered from the platform's own app: a person replied.
            waitingSince = null;
            if (cycle.FirstResponseAt is null)
            {
                cycle = cycle with { FirstResponseAt = sentAt };
            }
        }
        else
        {
            waitingSince = conversation.WaitingSince ?? sentAt;
            if (conversation.LastCustomerMessageAt is null || sentAt > conversation.LastCustomerMessageAt)
            {
                lastCustomerMessageAt = sentAt;
            }

            if (cycle.FirstCustomerMessageAt is null)
            {
                cycle = cycle with { FirstCustomerMessageAt = sentAt };
            }
        }

        context.Conversation = conversation with
        {
            MessageCount = conversation.MessageCount + 1,
            LastActivityAt = context.Now > conversation.LastActivityAt ? context.Now : conversation.LastActivityAt,
            WaitingSince = waitingSince,
            LastCustomerMessageAt = lastCustomerMessageAt,
            Cycle = cycle,
            Version = stored.Version + 1,
        };
        context.Message = message;
        context.MessageInserted = true;
        return true;
    }

    private static async ValueTask<bool> ApplyStatusAsync(IngestContext context, InboundStatus s, CancellationToken ct)
    {
        if (s.PlatformMessageId is not null)
        {
            var target = context.Message!;
            var updated = Advance(target, s, context.Now);
            if (target.PlatformMessageId is null)
            {
                // Matched by our own id before the sender recorded the platform's: record it now.
                updated = (updated ?? target with { Version = target.Version + 1 }) with { PlatformMessageId = s.PlatformMessageId };
            }

            if (updated is null)
            {
                return false;
            }

            await Update(context, updated, MessageChange.Delivery, ct).ConfigureAwait(false);
            return true;
        }

        // Watermark: every outbound message sent at or before it moves forward. A reply still waiting in the outbox
        // (no platform id yet) was never given to the platform, so no watermark can cover it.
        var any = false;
        string? after = null;
        do
        {
            var page = await context.Session.QueryMessagesAsync(
                new MessageQuery
                {
                    ConversationId = context.Conversation!.Id,
                    Direction = MessageDirection.Outbound,
                    SentAtOrBefore = s.Watermark,
                    Limit = MessageQuery.MaxLimit,
                    After = after,
                },
                ct).ConfigureAwait(false);
            foreach (var message in page.Items)
            {
                if (message.PlatformMessageId is not null && Advance(message, s, context.Now) is { } updated)
                {
                    await Update(context, updated, MessageChange.Delivery, ct).ConfigureAwait(false);
                    any = true;
                }
            }

            after = page.NextCursor;
        }
        while (after is not null);

        return any;
    }

    /// <summary>Moves delivery forward only: Queued → Sent → Delivered → Read; Failed from Queued or Sent. Null when stale.</summary>
    internal static Message? Advance(Message message, InboundStatus s, DateTimeOffset now)
    {
        if (message.Direction != MessageDirection.Outbound)
        {
            return null;
        }

        var current = message.Delivery?.Status ?? DeliveryStatus.Queued;
        var allowed = s.Status == DeliveryStatus.Failed
            ? current is DeliveryStatus.Queued or DeliveryStatus.Sent
            : current != DeliveryStatus.Failed && s.Status > current;
        if (!allowed)
        {
            return null;
        }

        return message with
        {
            Delivery = new DeliveryState(s.Status, now, s.FailureCode, s.FailureReason),
            Version = message.Version + 1,
        };
    }

    private static async ValueTask<bool> ApplyReactionAsync(IngestContext context, InboundReaction r, CancellationToken ct)
    {
        // One reaction per author: a new one replaces the author's previous reaction; a null emoji removes it.
        var target = context.Message!;
        var author = context.Contact?.AuthorFor() ?? new MessageAuthor(AuthorKind.Contact, r.Customer.ToString());
        bool IsMine(Reaction x) => x.Author.Kind == author.Kind && string.Equals(x.Author.Id, author.Id, StringComparison.Ordinal);
        var mine = target.Reactions.Where(IsMine).ToList();
        if (r.Emoji is null ? mine.Count == 0 : mine.Count == 1 && string.Equals(mine[0].Emoji, r.Emoji, StringComparison.Ordinal))
        {
            return false;
        }

        var reactions = target.Reactions.Where(x => !IsMine(x)).ToList();
        if (r.Emoji is not null)
        {
            reactions.Add(new Reaction(author, r.Emoji, r.OccurredAt));
        }

        await Update(context, target with { Reactions = reactions, Version = target.Version + 1 }, MessageChange.Reaction, ct).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask<bool> ApplyEditAsync(IngestContext context, InboundEdit ed, CancellationToken ct)
    {
        var target = context.Message!;
        if (target.DeletedAt is not null || string.Equals(target.Text, ed.Text, StringComparison.Ordinal))
        {
            return false;
        }

        await Update(context, target with { Text = ed.Text, EditedAt = ed.OccurredAt, Version = target.Version + 1 }, MessageChange.Edited, ct).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask<bool> ApplyDeletionAsync(IngestContext context, InboundDeletion d, CancellationToken ct)
    {
        var target = context.Message!;
        if (target.DeletedAt is not null)
        {
            return false;
        }

        await Update(context, target with { Text = null, Attachments = [], DeletedAt = d.OccurredAt, Version = target.Version + 1 }, MessageChange.Deleted, ct).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask Update(IngestContext context, Message updated, MessageChange change, CancellationToken ct)
    {
        await context.Session.UpdateMessageAsync(updated, ct).ConfigureAwait(false);
        context.Message = updated;
        context.AddEvent(new MessageUpdated { WorkspaceId = updated.WorkspaceId, OccurredAt = context.Now, Message = updated, Change = change });
    }

    private static readonly MessageAuthor EchoAuthor = new(AuthorKind.Agent, Id: null, DisplayName: null);
}

internal static class ContactAuthorExtensions
{
    public static MessageAuthor AuthorFor(this Contact contact) => new(AuthorKind.Contact, contact.Id.ToString(), contact.Profile.Name);
}

/// <summary>
/// Reuses the <see cref="MessageAuthor"/> of a contact's previous message, so a customer writing again does not format
/// their id into a new string per message. A fixed array of slots indexed by the contact id's hash: bounded memory,
/// lock-free (a slot is one immutable reference, replaced whole), and keyed by value (id and display name) so it also
/// hits for stores that materialize a new <see cref="Contact"/> instance per read. A collision just builds the author again.
/// </summary>
internal sealed class ContactAuthorCache
{
    private const int Slots = 1024;
    private readonly Entry?[] _entries = new Entry?[Slots];

    public MessageAuthor For(Contact contact)
    {
        ref var slot = ref _entries[contact.Id.GetHashCode() & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Id == contact.Id && string.Equals(entry.Author.DisplayName, contact.Profile.Name, StringComparison.Ordinal))
        {
            return entry.Author;
        }

        var author = contact.AuthorFor();
        Volatile.Write(ref slot, new Entry(contact.Id, author));
        return author;
    }

    private sealed record Entry(ContactId Id, MessageAuthor Author);
}
