using System.Text;
using SocialCare;
using SocialCare.Channels;
using SocialCare.Storage;

namespace CareInbox;

/// <summary>
/// The inbox JSON API the page uses. Each endpoint is one <see cref="ICareInbox"/> call (plus reads to show names and
/// the last message); the engine's typed exceptions become problem details:
/// <see cref="ConversationNotFoundException"/> → 404, <see cref="CareValidationException"/> → 400 naming the field,
/// <see cref="InvalidConversationTransitionException"/> and <see cref="ConcurrencyConflictException"/> → 409.
/// </summary>
/// <remarks>There is no sign-in: the agent is whatever name the caller sends. A real host puts its own authentication here.</remarks>
internal static class InboxApi
{
    private static readonly WorkspaceId Workspace = new(CareInboxApp.Workspace);

    public static void Map(RouteGroupBuilder api)
    {
        api.AddEndpointFilter(MapExceptions);

        // GET /api/conversations?view=open|unassigned|mine|all&agent=ana
        api.MapGet("/conversations", async (string? view, string? agent, ICareInbox inbox, CancellationToken ct) =>
        {
            var query = (view ?? "open").ToLowerInvariant() switch
            {
                "open" => ConversationQuery.AllOpen(),
                "unassigned" => ConversationQuery.Unassigned(),
                "mine" => ConversationQuery.Mine(string.IsNullOrWhiteSpace(agent)
                    ? throw new CareValidationException("agent", "view=mine needs the agent (?agent=name).")
                    : new AgentId(agent)),
                "all" => new ConversationQuery(),
                _ => throw new CareValidationException("view", $"'{view}' is not a view; use open, unassigned, mine or all."),
            };

            var page = await inbox.ListAsync(Workspace, query, ct);
            var items = new List<ConversationDto>(page.Items.Count);
            foreach (var c in page.Items)
            {
                var contact = await inbox.GetContactAsync(Workspace, c.ContactId, ct);
                var last = await inbox.GetMessagesAsync(Workspace, new MessageQuery { ConversationId = c.Id, Descending = true, Limit = 1 }, ct);
                items.Add(ConversationDto.From(c, contact, last.Items.Count > 0 ? last.Items[0] : null));
            }

            return Results.Ok(new { items, nextCursor = page.NextCursor });
        });

        // GET /api/conversations/{id}: the conversation and its messages, oldest first, with their delivery status.
        api.MapGet("/conversations/{id:guid}", async (Guid id, ICareInbox inbox, CancellationToken ct) =>
        {
            var c = await inbox.GetAsync(Workspace, new ConversationId(id), ct);
            var contact = await inbox.GetContactAsync(Workspace, c.ContactId, ct);
            var messages = await inbox.GetMessagesAsync(Workspace, new MessageQuery { ConversationId = c.Id, Limit = MessageQuery.MaxLimit }, ct);
            return Results.Ok(new
            {
                conversation = ConversationDto.From(c, contact, messages.Items.Count > 0 ? messages.Items[^1] : null),
                messages = messages.Items.Select(MessageDto.From),
            });
        });

        // POST /api/conversations/{id}/reply {"agent":"ana","text":"…"} or {"agent":"ana","template":{"name":…,"language":…,
        // "parameters":[…]}}: stored as Queued; the outbox sends it. A template is what WhatsApp delivers after 24 hours.
        api.MapPost("/conversations/{id:guid}/reply", async (Guid id, ReplyRequest body, ICareInbox inbox, CancellationToken ct) =>
        {
            var reply = new AgentReply
            {
                Agent = new AgentId(body.Agent ?? ""),
                Text = body.Text,
                Template = body.Template is { } t ? new MessageTemplate(t.Name ?? "", t.Language ?? "", t.Parameters ?? []) : null,
            };
            var message = await inbox.ReplyAsync(Workspace, new ConversationId(id), reply, body.ExpectedVersion, ct);
            return Results.Accepted($"/api/conversations/{id}", MessageDto.From(message));
        });

        // POST /api/conversations/{id}/assign {"agent":"ana"}
        api.MapPost("/conversations/{id:guid}/assign", async (Guid id, AssignRequest body, ICareInbox inbox, CancellationToken ct) =>
        {
            var c = await inbox.AssignAsync(Workspace, new ConversationId(id), new AgentId(body.Agent ?? ""), body.ExpectedVersion, ct);
            return Results.Ok(ConversationDto.From(c, await inbox.GetContactAsync(Workspace, c.ContactId, ct), null));
        });

        // POST /api/conversations/{id}/resolve
        api.MapPost("/conversations/{id:guid}/resolve", async (Guid id, long? expectedVersion, ICareInbox inbox, CancellationToken ct) =>
        {
            var c = await inbox.ResolveAsync(Workspace, new ConversationId(id), expectedVersion, ct);
            return Results.Ok(ConversationDto.From(c, await inbox.GetContactAsync(Workspace, c.ContactId, ct), null));
        });

        // GET /api/dead-letters: webhooks that were genuine but could not be parsed or stored as events.
        api.MapGet("/dead-letters", async (IDeadLetterStore deadLetters, CancellationToken ct) =>
        {
            var list = await deadLetters.ListDeadLettersAsync(50, ct);
            return Results.Ok(list.Select(d => new
            {
                d.Id,
                channel = d.Channel.Name,
                d.RegistrationName,
                d.ReceivedAt,
                d.Reason,
                d.Method,
                d.Url,
                d.ContentType,
                body = Encoding.UTF8.GetString(d.Body.Span),
            }));
        });
    }

    private static async ValueTask<object?> MapExceptions(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ConversationNotFoundException ex)
        {
            return Results.Problem(statusCode: 404, title: "Conversation not found", detail: ex.Message);
        }
        catch (ContactNotFoundException ex)
        {
            return Results.Problem(statusCode: 404, title: "Contact not found", detail: ex.Message);
        }
        catch (CareValidationException ex)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [ex.Field] = [ex.Reason] },
                detail: ex.Message,
                title: $"Invalid {ex.Field}",
                extensions: new Dictionary<string, object?> { ["field"] = ex.Field });
        }
        catch (InvalidConversationTransitionException ex)
        {
            return Results.Problem(statusCode: 409, title: $"Cannot {ex.Action} a {ex.From} conversation", detail: ex.Message);
        }
        catch (ConcurrencyConflictException ex)
        {
            return Results.Problem(statusCode: 409, title: "Changed by someone else", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["expectedVersion"] = ex.ExpectedVersion, ["actualVersion"] = ex.ActualVersion });
        }
    }
}

/// <summary>The body of a reply.</summary>
internal sealed record ReplyRequest(string? Agent, string? Text, long? ExpectedVersion = null, TemplateRequest? Template = null);

/// <summary>A pre-approved WhatsApp template to reply with: its name, language code and placeholder values.</summary>
internal sealed record TemplateRequest(string? Name, string? Language, IReadOnlyList<string>? Parameters);

/// <summary>The body of an assignment.</summary>
internal sealed record AssignRequest(string? Agent, long? ExpectedVersion = null);

/// <summary>A conversation as the page shows it.</summary>
internal sealed record ConversationDto(
    Guid Id,
    string Channel,
    string Account,
    string Customer,
    string Handle,
    ConversationStatus Status,
    ConversationPriority Priority,
    string? Assignee,
    IReadOnlyList<string> Tags,
    long MessageCount,
    DateTimeOffset? WaitingSince,
    DateTimeOffset LastActivityAt,
    string? LastMessage,
    long Version)
{
    public static ConversationDto From(Conversation c, Contact contact, Message? last) => new(
        c.Id.Value,
        c.Channel.Kind.Name,
        c.Channel.AccountId,
        contact.Profile.Name ?? c.Handle.ExternalId,
        c.Handle.ExternalId,
        c.Status,
        c.Priority,
        c.Assignee?.Value,
        c.Tags,
        c.MessageCount,
        c.WaitingSince,
        c.LastActivityAt,
        last?.Text,
        c.Version);
}

/// <summary>A message as the page shows it; outbound ones carry their delivery state.</summary>
internal sealed record MessageDto(
    Guid Id,
    long Sequence,
    MessageDirection Direction,
    AuthorKind AuthorKind,
    string? Author,
    string? Text,
    DateTimeOffset SentAt,
    string? PlatformMessageId,
    DeliveryDto? Delivery,
    string? Template)
{
    public static MessageDto From(Message m) => new(
        m.Id.Value,
        m.Sequence,
        m.Direction,
        m.Author.Kind,
        m.Author.DisplayName ?? m.Author.Id,
        m.Text,
        m.SentAt,
        m.PlatformMessageId,
        m.Delivery is { } d ? new DeliveryDto(d.Status, d.UpdatedAt, d.FailureCode, d.FailureReason) : null,
        m.Template?.Name);
}

/// <summary>Where an outbound message is: queued, sent, delivered, read or failed (with the platform's code and reason).</summary>
internal sealed record DeliveryDto(DeliveryStatus Status, DateTimeOffset UpdatedAt, string? FailureCode, string? FailureReason);
