using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>
/// Reads a Cloud API webhook body into the same payload types as <see cref="WhatsAppJsonContext"/> does, with a
/// <see cref="Utf8JsonReader"/> and no serializer metadata: the webhook is the hot path, and this is about twice as
/// fast as <see cref="JsonSerializer"/> for it.
/// </summary>
/// <remarks>
/// It accepts and refuses exactly what <c>JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload)</c>
/// does (tested side by side on every fixture and on edge cases): property names are case-sensitive, unknown
/// properties are skipped, a later duplicate property wins, <c>null</c> sets null, numbers may be quoted (the context's
/// <see cref="System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString"/>), and a value of the wrong
/// JSON type, malformed JSON or trailing data is a <see cref="JsonException"/> whose message names the JSON path and
/// what was expected. Property names are compared as UTF-8 bytes; only the values the types keep are allocated.
/// Keep it in step with <c>WhatsAppPayload.cs</c>: a property added there must be read here.
/// </remarks>
internal static class WhatsAppPayloadReader
{
    // Values WhatsApp sends on nearly every webhook: returned as these instances instead of new strings.
    private static readonly string[] KnownObjects = ["whatsapp_business_account"];
    private static readonly string[] KnownFields = ["messages"];
    private static readonly string[] KnownProducts = ["whatsapp"];
    private static readonly string[] KnownMessageTypes = ["text", "image", "video", "audio", "document", "sticker", "location", "interactive", "button", "reaction", "contacts", "unsupported", "system", "order"];
    private static readonly string[] KnownInteractiveTypes = ["button_reply", "list_reply"];
    private static readonly string[] KnownStatuses = ["sent", "delivered", "read", "failed"];

    // Identifiers that repeat from one webhook to the next (a number's account and phone-number ids) or within one
    // (the customer's wa_id and the message's from): the last one read is reused when the next is the same.
    private static readonly Recent RecentAccountId = new();
    private static readonly Recent RecentDisplayPhoneNumber = new();
    private static readonly Recent RecentPhoneNumberId = new();
    private static readonly Recent RecentCustomer = new();

    /// <summary>Reads one webhook body; null when the body is JSON <c>null</c>.</summary>
    /// <exception cref="JsonException">The body is not JSON, or a value has the wrong type for the payload types.</exception>
    public static WebhookPayload? Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read())
            {
                throw new JsonException("The body holds no JSON value.");
            }

            var payload = ReadPayload(ref reader);
            if (reader.Read())
            {
                // Utf8JsonReader throws for anything but whitespace after the root value; this is a safety net.
                throw new JsonException($"Data follows the JSON value at byte {reader.TokenStartIndex}.");
            }

            return payload;
        }
        catch (ShapeException ex)
        {
            throw new JsonException($"The JSON value at {PathAt(body, ex.Offset)} is {Describe(ex.Found)}; expected {ex.Expected}.");
        }
        catch (InvalidOperationException ex)
        {
            // GetString on a string that is not valid UTF-8 or holds a lone surrogate escape.
            throw new JsonException($"The string at {PathAt(body, reader.TokenStartIndex)} cannot be read: {ex.Message}", ex);
        }
    }

    private static WebhookPayload? ReadPayload(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var payload = new WebhookPayload();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("object"u8))
            {
                Next(ref reader);
                payload.Object = Known(ref reader, KnownObjects);
            }
            else if (reader.ValueTextEquals("entry"u8))
            {
                Next(ref reader);
                payload.Entry = ReadEntries(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return payload;
    }

    private static List<WebhookEntry>? ReadEntries(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WebhookEntry>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadEntry(ref reader)!);
        }

        return list;
    }

    private static WebhookEntry? ReadEntry(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var entry = new WebhookEntry();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                entry.Id = RecentAccountId.Read(ref reader);
            }
            else if (reader.ValueTextEquals("changes"u8))
            {
                Next(ref reader);
                entry.Changes = ReadChanges(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return entry;
    }

    private static List<WebhookChange>? ReadChanges(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WebhookChange>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadChange(ref reader)!);
        }

        return list;
    }

    private static WebhookChange? ReadChange(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var change = new WebhookChange();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("value"u8))
            {
                Next(ref reader);
                change.Value = ReadValue(ref reader);
            }
            else if (reader.ValueTextEquals("field"u8))
            {
                Next(ref reader);
                change.Field = Known(ref reader, KnownFields);
            }
            else
            {
                reader.Skip();
            }
        }

        return change;
    }

    private static ChangeValue? ReadValue(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var value = new ChangeValue();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("messages"u8))
            {
                Next(ref reader);
                value.Messages = ReadMessages(ref reader);
            }
            else if (reader.ValueTextEquals("statuses"u8))
            {
                Next(ref reader);
                value.Statuses = ReadStatuses(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                Next(ref reader);
                value.Metadata = ReadMetadata(ref reader);
            }
            else if (reader.ValueTextEquals("contacts"u8))
            {
                Next(ref reader);
                value.Contacts = ReadContacts(ref reader);
            }
            else if (reader.ValueTextEquals("messaging_product"u8))
            {
                Next(ref reader);
                value.MessagingProduct = Known(ref reader, KnownProducts);
            }
            else if (reader.ValueTextEquals("errors"u8))
            {
                Next(ref reader);
                value.Errors = ReadErrors(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private static ChangeMetadata? ReadMetadata(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var metadata = new ChangeMetadata();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("phone_number_id"u8))
            {
                Next(ref reader);
                metadata.PhoneNumberId = RecentPhoneNumberId.Read(ref reader);
            }
            else if (reader.ValueTextEquals("display_phone_number"u8))
            {
                Next(ref reader);
                metadata.DisplayPhoneNumber = RecentDisplayPhoneNumber.Read(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return metadata;
    }

    private static List<WaContact>? ReadContacts(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WaContact>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadContact(ref reader)!);
        }

        return list;
    }

    private static WaContact? ReadContact(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var contact = new WaContact();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("wa_id"u8))
            {
                Next(ref reader);
                contact.WaId = RecentCustomer.Read(ref reader);
            }
            else if (reader.ValueTextEquals("profile"u8))
            {
                Next(ref reader);
                contact.Profile = ReadProfile(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return contact;
    }

    private static WaProfile? ReadProfile(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var profile = new WaProfile();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                profile.Name = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return profile;
    }

    private static List<WaMessage>? ReadMessages(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WaMessage>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadMessage(ref reader)!);
        }

        return list;
    }

    private static WaMessage? ReadMessage(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var message = new WaMessage();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("from"u8))
            {
                Next(ref reader);
                message.From = RecentCustomer.Read(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                message.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                Next(ref reader);
                message.Timestamp = String(ref reader);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                Next(ref reader);
                message.Type = Known(ref reader, KnownMessageTypes);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                Next(ref reader);
                message.Text = ReadText(ref reader);
            }
            else if (reader.ValueTextEquals("context"u8))
            {
                Next(ref reader);
                message.Context = ReadContext(ref reader);
            }
            else if (reader.ValueTextEquals("image"u8))
            {
                Next(ref reader);
                message.Image = ReadMedia(ref reader);
            }
            else if (reader.ValueTextEquals("video"u8))
            {
                Next(ref reader);
                message.Video = ReadMedia(ref reader);
            }
            else if (reader.ValueTextEquals("audio"u8))
            {
                Next(ref reader);
                message.Audio = ReadMedia(ref reader);
            }
            else if (reader.ValueTextEquals("document"u8))
            {
                Next(ref reader);
                message.Document = ReadMedia(ref reader);
            }
            else if (reader.ValueTextEquals("sticker"u8))
            {
                Next(ref reader);
                message.Sticker = ReadMedia(ref reader);
            }
            else if (reader.ValueTextEquals("location"u8))
            {
                Next(ref reader);
                message.Location = ReadLocation(ref reader);
            }
            else if (reader.ValueTextEquals("interactive"u8))
            {
                Next(ref reader);
                message.Interactive = ReadInteractive(ref reader);
            }
            else if (reader.ValueTextEquals("button"u8))
            {
                Next(ref reader);
                message.Button = ReadButton(ref reader);
            }
            else if (reader.ValueTextEquals("reaction"u8))
            {
                Next(ref reader);
                message.Reaction = ReadReaction(ref reader);
            }
            else if (reader.ValueTextEquals("errors"u8))
            {
                Next(ref reader);
                message.Errors = ReadErrors(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return message;
    }

    private static WaContext? ReadContext(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var context = new WaContext();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("from"u8))
            {
                Next(ref reader);
                context.From = String(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                context.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("forwarded"u8))
            {
                Next(ref reader);
                context.Forwarded = Boolean(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return context;
    }

    private static WaText? ReadText(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var text = new WaText();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("body"u8))
            {
                Next(ref reader);
                text.Body = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return text;
    }

    private static WaMedia? ReadMedia(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var media = new WaMedia();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                media.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("mime_type"u8))
            {
                Next(ref reader);
                media.MimeType = String(ref reader);
            }
            else if (reader.ValueTextEquals("sha256"u8))
            {
                Next(ref reader);
                media.Sha256 = String(ref reader);
            }
            else if (reader.ValueTextEquals("caption"u8))
            {
                Next(ref reader);
                media.Caption = String(ref reader);
            }
            else if (reader.ValueTextEquals("filename"u8))
            {
                Next(ref reader);
                media.Filename = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return media;
    }

    private static WaLocation? ReadLocation(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var location = new WaLocation();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("latitude"u8))
            {
                Next(ref reader);
                location.Latitude = Double(ref reader);
            }
            else if (reader.ValueTextEquals("longitude"u8))
            {
                Next(ref reader);
                location.Longitude = Double(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                location.Name = String(ref reader);
            }
            else if (reader.ValueTextEquals("address"u8))
            {
                Next(ref reader);
                location.Address = String(ref reader);
            }
            else if (reader.ValueTextEquals("url"u8))
            {
                Next(ref reader);
                location.Url = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return location;
    }

    private static WaInteractive? ReadInteractive(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var interactive = new WaInteractive();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                Next(ref reader);
                interactive.Type = Known(ref reader, KnownInteractiveTypes);
            }
            else if (reader.ValueTextEquals("button_reply"u8))
            {
                Next(ref reader);
                interactive.ButtonReply = ReadReply(ref reader);
            }
            else if (reader.ValueTextEquals("list_reply"u8))
            {
                Next(ref reader);
                interactive.ListReply = ReadReply(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return interactive;
    }

    private static WaReply? ReadReply(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var reply = new WaReply();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                reply.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("title"u8))
            {
                Next(ref reader);
                reply.Title = String(ref reader);
            }
            else if (reader.ValueTextEquals("description"u8))
            {
                Next(ref reader);
                reply.Description = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return reply;
    }

    private static WaButton? ReadButton(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var button = new WaButton();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("payload"u8))
            {
                Next(ref reader);
                button.Payload = String(ref reader);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                Next(ref reader);
                button.Text = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return button;
    }

    private static WaReaction? ReadReaction(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var reaction = new WaReaction();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message_id"u8))
            {
                Next(ref reader);
                reaction.MessageId = String(ref reader);
            }
            else if (reader.ValueTextEquals("emoji"u8))
            {
                Next(ref reader);
                reaction.Emoji = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return reaction;
    }

    private static List<WaStatus>? ReadStatuses(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WaStatus>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadStatus(ref reader)!);
        }

        return list;
    }

    private static WaStatus? ReadStatus(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var status = new WaStatus();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                status.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                Next(ref reader);
                status.Status = Known(ref reader, KnownStatuses);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                Next(ref reader);
                status.Timestamp = String(ref reader);
            }
            else if (reader.ValueTextEquals("recipient_id"u8))
            {
                Next(ref reader);
                status.RecipientId = RecentCustomer.Read(ref reader);
            }
            else if (reader.ValueTextEquals("biz_opaque_callback_data"u8))
            {
                Next(ref reader);
                status.BizOpaqueCallbackData = String(ref reader);
            }
            else if (reader.ValueTextEquals("errors"u8))
            {
                Next(ref reader);
                status.Errors = ReadErrors(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return status;
    }

    private static List<WaError>? ReadErrors(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<WaError>(1);
        while (NextElement(ref reader))
        {
            list.Add(ReadError(ref reader)!);
        }

        return list;
    }

    private static WaError? ReadError(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var error = new WaError();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("code"u8))
            {
                Next(ref reader);
                error.Code = Int64(ref reader);
            }
            else if (reader.ValueTextEquals("title"u8))
            {
                Next(ref reader);
                error.Title = String(ref reader);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                Next(ref reader);
                error.Message = String(ref reader);
            }
            else if (reader.ValueTextEquals("error_data"u8))
            {
                Next(ref reader);
                error.ErrorData = ReadErrorData(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    private static WaErrorData? ReadErrorData(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var data = new WaErrorData();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("details"u8))
            {
                Next(ref reader);
                data.Details = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return data;
    }

    // Token helpers. The reader reads a complete body (final block), so it throws on malformed or truncated JSON itself.

    /// <summary>True on <c>{</c>, false on <c>null</c>; anything else is the wrong type.</summary>
    private static bool StartObject(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "an object or null"),
    };

    /// <summary>True on <c>[</c>, false on <c>null</c>; anything else is the wrong type.</summary>
    private static bool StartArray(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartArray => true,
        JsonTokenType.Null => false,
        _ => throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "an array or null"),
    };

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Moves to the next element of the current array; false at its end.</summary>
    private static bool NextElement(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException($"The JSON ends early, at byte {reader.BytesConsumed}.");
        }
    }

    private static string? String(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "a string or null"),
    };

    /// <summary>A string, returning the shared instance when it is one of <paramref name="known"/> (ASCII, unescaped).</summary>
    private static string? Known(ref Utf8JsonReader reader, string[] known)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var value = reader.ValueSpan;
            foreach (var candidate in known)
            {
                if (AsciiEquals(value, candidate))
                {
                    return candidate;
                }
            }
        }

        return String(ref reader);
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> utf8, string ascii)
    {
        if (utf8.Length != ascii.Length)
        {
            return false;
        }

        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] != ascii[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool? Boolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "true, false or null"),
    };

    private static long? Int64(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                return number;
            case JsonTokenType.String:
                Span<byte> buffer = stackalloc byte[64];
                var text = Unescaped(in reader, buffer);
                if (Utf8Parser.TryParse(text, out long quoted, out var consumed) && consumed == text.Length)
                {
                    return quoted;
                }

                break;
        }

        throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "a whole number (64-bit), in quotes or not, or null");
    }

    private static double? Double(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetDouble(out var number):
                return number;
            case JsonTokenType.String:
                Span<byte> buffer = stackalloc byte[128];
                var text = Unescaped(in reader, buffer);

                // As System.Text.Json reads a quoted double: the exact constants, or a finite number using all the text.
                if (text.SequenceEqual("NaN"u8))
                {
                    return double.NaN;
                }

                if (text.SequenceEqual("Infinity"u8))
                {
                    return double.PositiveInfinity;
                }

                if (text.SequenceEqual("-Infinity"u8))
                {
                    return double.NegativeInfinity;
                }

                if (Utf8Parser.TryParse(text, out double quoted, out var consumed) && consumed == text.Length && double.IsFinite(quoted))
                {
                    return quoted;
                }

                break;
        }

        throw new ShapeException(reader.TokenStartIndex, reader.TokenType, "a number, in quotes or not, or null");
    }

    /// <summary>The unescaped bytes of a string token (escaped numbers are rare: a long one is copied to the heap).</summary>
    private static ReadOnlySpan<byte> Unescaped(in Utf8JsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return reader.ValueSpan.Length <= buffer.Length ? buffer[..reader.CopyString(buffer)] : Encoding.UTF8.GetBytes(reader.GetString()!);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>
    /// The JSON path (<c>$.entry[0].changes[0].value.messages</c>) of the token starting at <paramref name="offset"/>,
    /// found by reading the body again up to it: paths cost nothing until a body is refused.
    /// </summary>
    internal static string PathAt(ReadOnlySpan<byte> body, long offset)
    {
        var frames = new List<(bool IsArray, int Index, string? Name)>();
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    frames[^1] = (false, 0, reader.GetString());
                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }

                if (frames.Count > 0 && frames[^1].IsArray)
                {
                    frames[^1] = (true, frames[^1].Index + 1, null);
                }

                if (reader.TokenStartIndex >= offset)
                {
                    break;
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Add((token == JsonTokenType.StartArray, -1, null));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // The path up to where the body stops being readable.
        }

        var path = new StringBuilder("$");
        foreach (var (isArray, index, name) in frames)
        {
            _ = isArray ? path.Append('[').Append(index).Append(']') : path.Append('.').Append(name);
        }

        return path.ToString();
    }

    /// <summary>The last ASCII string read for one kind of identifier, returned again instead of a new equal string.</summary>
    private sealed class Recent
    {
        private string? _last;

        public string? Read(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
            {
                var value = reader.ValueSpan;
                var last = _last;
                if (last is not null && AsciiEquals(value, last))
                {
                    return last;
                }

                if (System.Text.Ascii.IsValid(value))
                {
                    var read = reader.GetString();
                    _last = read;
                    return read;
                }
            }

            return String(ref reader);
        }
    }

    /// <summary>A value of the wrong JSON type at <see cref="Offset"/>; <see cref="Read"/> turns it into a <see cref="JsonException"/> with the path.</summary>
    private sealed class ShapeException(long offset, JsonTokenType found, string expected) : Exception
    {
        public long Offset { get; } = offset;

        public JsonTokenType Found { get; } = found;

        public string Expected { get; } = expected;
    }
}
