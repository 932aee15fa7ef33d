// Shared source: compiled into each package that stores or compares care entities as JSON (internal to each).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialCare.Storage.Json;

/// <summary>The JSON form of stored entities: every property, ids as text, timestamps with their offset.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(WorkspaceIdConverter), typeof(ChannelKindConverter), typeof(AgentIdConverter), typeof(ContactIdConverter), typeof(ConversationIdConverter), typeof(MessageIdConverter)])]
[JsonSerializable(typeof(Workspace))]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(Conversation))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class CareJsonContext : JsonSerializerContext
{
    public static string Serialize(Workspace value) => JsonSerializer.Serialize(value, Default.Workspace);

    public static string Serialize(Contact value) => JsonSerializer.Serialize(value, Default.Contact);

    public static string Serialize(Conversation value) => JsonSerializer.Serialize(value, Default.Conversation);

    public static string Serialize(Message value) => JsonSerializer.Serialize(value, Default.Message);

    public static Workspace ReadWorkspace(string json) => JsonSerializer.Deserialize(json, Default.Workspace) ?? throw new JsonException("null workspace");

    public static Contact ReadContact(string json) => JsonSerializer.Deserialize(json, Default.Contact) ?? throw new JsonException("null contact");

    public static Conversation ReadConversation(string json) => JsonSerializer.Deserialize(json, Default.Conversation) ?? throw new JsonException("null conversation");

    public static Message ReadMessage(string json) => JsonSerializer.Deserialize(json, Default.Message) ?? throw new JsonException("null message");
}

internal sealed class WorkspaceIdConverter : JsonConverter<WorkspaceId>
{
    public override WorkspaceId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, WorkspaceId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

internal sealed class ChannelKindConverter : JsonConverter<ChannelKind>
{
    public override ChannelKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, ChannelKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}

internal sealed class AgentIdConverter : JsonConverter<AgentId>
{
    public override AgentId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, AgentId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

internal sealed class ContactIdConverter : JsonConverter<ContactId>
{
    public override ContactId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetGuid());

    public override void Write(Utf8JsonWriter writer, ContactId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

internal sealed class ConversationIdConverter : JsonConverter<ConversationId>
{
    public override ConversationId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetGuid());

    public override void Write(Utf8JsonWriter writer, ConversationId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

internal sealed class MessageIdConverter : JsonConverter<MessageId>
{
    public override MessageId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetGuid());

    public override void Write(Utf8JsonWriter writer, MessageId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
