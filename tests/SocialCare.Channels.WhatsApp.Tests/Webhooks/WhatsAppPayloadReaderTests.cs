using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialCare.Channels.WhatsApp.Webhooks;

/// <summary>
/// <see cref="WhatsAppPayloadReader"/> reads exactly what <c>JsonSerializer.Deserialize</c> with
/// <see cref="WhatsAppJsonContext"/> reads: the same payload graph (compared serialized with the context), and a
/// <see cref="JsonException"/> where the serializer throws one.
/// </summary>
public sealed class WhatsAppPayloadReaderTests : IDisposable
{
    private const string Envelope = """
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"409552778964973"},VALUE}}]}]}
        """;

    /// <summary>Sets every property of every webhook payload type (several times where a type is used in several places).</summary>
    private const string KitchenSink = """
        {
          "object": "whatsapp_business_account",
          "entry": [{
            "id": "880480571844883",
            "changes": [{
              "field": "messages",
              "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "43330585569", "phone_number_id": "409552778964973" },
                "contacts": [{ "profile": { "name": "Mauricio Binda" }, "wa_id": "1111111111111" }],
                "messages": [{
                  "from": "1111111111111", "id": "wamid.A", "timestamp": "1672947578", "type": "text",
                  "context": { "from": "2222", "id": "wamid.B", "forwarded": true },
                  "text": { "body": "hi" },
                  "image": { "id": "1", "mime_type": "image/jpeg", "sha256": "aa", "caption": "c1", "filename": "f1" },
                  "video": { "id": "2", "mime_type": "video/mp4", "sha256": "bb", "caption": "c2", "filename": "f2" },
                  "audio": { "id": "3", "mime_type": "audio/ogg", "sha256": "cc", "caption": "c3", "filename": "f3" },
                  "document": { "id": "4", "mime_type": "application/pdf", "sha256": "dd", "caption": "c4", "filename": "f4.pdf" },
                  "sticker": { "id": "5", "mime_type": "image/webp", "sha256": "ee", "caption": "c5", "filename": "f5" },
                  "location": { "latitude": 38.9806263495, "longitude": -9.1, "name": "Here", "address": "Street 1", "url": "https://example.com/" },
                  "interactive": {
                    "type": "list_reply",
                    "button_reply": { "id": "b1", "title": "Yes", "description": "d1" },
                    "list_reply": { "id": "l1", "title": "Row", "description": "d2" }
                  },
                  "button": { "payload": "P", "text": "T" },
                  "reaction": { "message_id": "wamid.C", "emoji": "\ud83d\udc4d" },
                  "errors": [{ "code": 131051, "title": "Unsupported", "message": "m", "error_data": { "details": "x" } }]
                }],
                "statuses": [{
                  "id": "wamid.D", "status": "failed", "timestamp": "1672947579", "recipient_id": "1111111111111",
                  "biz_opaque_callback_data": "cb",
                  "errors": [{ "code": "131053", "title": "Media upload error", "message": "m2", "error_data": { "details": "y" } }]
                }],
                "errors": [{ "code": 0, "title": "t", "message": "m3", "error_data": { "details": "z" } }]
              }
            }]
          }]
        }
        """;

    private static readonly WhatsAppJsonContext Writer = new(new JsonSerializerOptions(WhatsAppJsonContext.Default.Options)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });

    private readonly WhatsAppHost _host = new();

    public void Dispose() => _host.Dispose();

    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Fixtures.Path("whatsapp")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Read_EveryFixture_GivesTheSerializersGraph(string fixture)
    {
        var body = Fixtures.Bytes("whatsapp/" + fixture);

        var expected = Serialized(JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload));

        Assert.Equal(expected, Serialized(WhatsAppPayloadReader.Read(body)));
    }

    [Fact]
    public void Read_KitchenSink_SetsEveryPropertyOfEveryPayloadTypeAsTheSerializerDoes()
    {
        var body = Encoding.UTF8.GetBytes(KitchenSink);

        var payload = WhatsAppPayloadReader.Read(body);

        Assert.Equal(Serialized(JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload)), Serialized(payload));
        var unset = new List<string>();
        var seen = new HashSet<Type>();
        FindUnset(payload!, "$", unset, seen);
        Assert.Empty(unset);
        Assert.Equal(PayloadTypes().Order(StringComparer.Ordinal), seen.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    // Unknown properties, objects and arrays at every level.
    [InlineData("""{"x":1,"object":"whatsapp_business_account","y":{"a":[1,{"b":null}]},"entry":[{"z":[[]],"id":"1","changes":[{"q":{},"field":"messages","value":{"u":[{"v":"w"}],"metadata":{"k":true,"phone_number_id":"1"},"contacts":[{"p":1,"profile":{"name":"N","o":{}},"wa_id":"1"}],"messages":[{"from":"1","n":-1.5e3,"id":"w","timestamp":"1","type":"text","text":{"body":"b","preview":false}}]}}]}],"tail":"end"}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"statuses":[{"id":"s","pricing":{"billable":true,"category":"service"},"conversation":{"id":"c","origin":{"type":"service"}},"status":"read","timestamp":"1","recipient_id":"2","errors":[{"code":1,"href":"h","error_data":{"details":"d","more":[1]}}]}]}}]}]}""")]
    // Nulls everywhere.
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"object":null,"entry":null}""")]
    [InlineData("""{"entry":[null,{"id":null,"changes":null},{"changes":[null,{"field":null,"value":null}]}]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messaging_product":null,"metadata":null,"contacts":[null,{"profile":null,"wa_id":null}],"messages":[null],"statuses":[null],"errors":[null]}}]}]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"context":null,"text":null,"image":null,"video":null,"audio":null,"document":null,"sticker":null,"location":null,"interactive":null,"button":null,"reaction":null,"errors":null}]}}]}]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"context":{"forwarded":null},"location":{"latitude":null,"longitude":null},"interactive":{"button_reply":null,"list_reply":null},"errors":[{"code":null,"error_data":null}]}]}}]}]}""")]
    // Escaped strings, emoji, escaped property names.
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t \ud83d\ude00 😀 é","changes":[{"field":"mess\u0061ges","value":{"messages":[{"text":{"body":"\u00e9\u0000"},"type":"t\u0065xt"}]}}]}]}""")]
    [InlineData("""{"\u006fbject":"whatsapp_business_account","entr\u0079":[{"\u0069d":"1"}]}""")]
    // Numbers where WhatsApp sends strings, and numbers as numbers.
    [InlineData("""{"entry":[{"changes":[{"value":{"errors":[{"code":"131051"},{"code":-7},{"code":"-7"},{"code":"\u0031\u0032"}],"messages":[{"location":{"latitude":"38.98","longitude":"-9.1e0"}},{"location":{"latitude":1E2,"longitude":0}},{"context":{"forwarded":false}}]}}]}]}""")]
    // Case-sensitive names: these are unknown properties.
    [InlineData("""{"Object":"x","ENTRY":[1],"entry":[{"ID":3,"Changes":"x"}]}""")]
    // A later duplicate wins, including lists and objects.
    [InlineData("""{"object":"a","object":"whatsapp_business_account","entry":[{"id":"1"}],"entry":[{"id":"2"},{"id":"3"}]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"1","display_phone_number":"x"},"metadata":{"phone_number_id":"2"}}}]}]}""")]
    // Names that look like serializer metadata are ordinary unknown properties.
    [InlineData("""{"$id":"1","$type":"x","$values":[1],"entry":[{"$ref":"1","id":"2"}]}""")]
    // Whitespace between every token.
    [InlineData(" \r\n\t{ \"entry\" :\n[ { \"id\" : \"1\" , \"changes\" : [ ] } ] }\n ")]
    public void Read_EdgePayload_GivesTheSerializersGraph(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var expected = Serialized(JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload));

        Assert.Equal(expected, Serialized(WhatsAppPayloadReader.Read(body)));
    }

    [Fact]
    public void Read_EveryMessageTypeInTheEnvelope_GivesTheSerializersGraph()
    {
        string[] messages =
        [
            """{"from":"1","id":"a","timestamp":"1","type":"image","image":{"id":"9","mime_type":"image/jpeg","sha256":"s"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"video","video":{"id":"9","caption":"c"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"audio","audio":{"id":"9","voice":true}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"document","document":{"id":"9","filename":"x.pdf"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"sticker","sticker":{"id":"9","animated":false}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"location","location":{"latitude":1.5,"longitude":2.5,"name":"n","address":"a","url":"u"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"i","title":"t"}}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"i","title":"t","description":"d"}}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"button","button":{"payload":"p","text":"t"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"reaction","reaction":{"message_id":"m","emoji":"❤️"}}""",
            """{"from":"1","id":"a","timestamp":"1","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","error_data":{"details":"d"}}]}""",
            """{"from":"1","id":"a","timestamp":"1","type":"text","text":{"body":"b"},"context":{"from":"2","id":"q"}}""",
        ];

        foreach (var message in messages)
        {
            var body = Encoding.UTF8.GetBytes(Envelope.Replace("VALUE", "\"messages\":[" + message + "]", StringComparison.Ordinal));

            Assert.Equal(Serialized(JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload)), Serialized(WhatsAppPayloadReader.Read(body)));
        }
    }

    [Fact]
    public void Read_IdentifiersChangingFromOneWebhookToTheNext_AreReadAsSent()
    {
        // The reader reuses the last string read for repeated identifiers; a different one must never be answered with it.
        string[] ids = ["409552778964973", "409552778964973", "409552778964974", "4095527789649735", "40955277896497", "é409552778964973", "\u0034", "4", "409552778964973"];
        foreach (var id in ids)
        {
            var json = "{\"entry\":[{\"id\":\"" + id + "\",\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":\"" + id + "\",\"display_phone_number\":\"" + id +
                "\"},\"contacts\":[{\"wa_id\":\"" + id + "\"}],\"messages\":[{\"from\":\"" + id + "\"}],\"statuses\":[{\"recipient_id\":\"" + id + "\"}]}}]}]}";
            var expected = JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), WhatsAppJsonContext.Default.WebhookPayload)!;

            var payload = WhatsAppPayloadReader.Read(Encoding.UTF8.GetBytes(json))!;
            var value = payload.Entry![0].Changes![0].Value!;

            var read = expected.Entry![0].Changes![0].Value!.Metadata!.PhoneNumberId;
            Assert.Equal<string?[]>([read, read, read, read, read, read], [value.Metadata!.PhoneNumberId, value.Metadata.DisplayPhoneNumber, value.Contacts![0].WaId, value.Messages![0].From, value.Statuses![0].RecipientId, payload.Entry[0].Id]);
        }
    }

    [Theory]
    // Quoted numbers at the edge of what the serializer accepts: the reader accepts or refuses each as it does.
    [InlineData("\"+5\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"5.0\"")]
    [InlineData("\"\"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"9223372036854775808\"")]
    [InlineData("9223372036854775808")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Read_ErrorCodeEdge_AgreesWithTheSerializer(string code) =>
        AssertAgrees(Envelope.Replace("VALUE", "\"errors\":[{\"code\":" + code + "}]", StringComparison.Ordinal));

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("\"nan\"")]
    [InlineData("\"1e400\"")]
    [InlineData("1e400")]
    [InlineData("\" 1.5\"")]
    [InlineData("\"1.5\\u0030\"")]
    [InlineData("\"\"")]
    [InlineData("false")]
    public void Read_LatitudeEdge_AgreesWithTheSerializer(string latitude) =>
        AssertAgrees(Envelope.Replace("VALUE", "\"messages\":[{\"location\":{\"latitude\":" + latitude + ",\"longitude\":1}}]", StringComparison.Ordinal));

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("   ", "whitespace only")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"mess""", "truncated")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[""", "truncated after [")]
    [InlineData("""{"object":"whatsapp_business_account","entry":"x"}""", "entry is a string")]
    [InlineData("""{"object":"whatsapp_business_account","entry":{}}""", "entry is an object")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[1]}""", "entry element is a number")]
    [InlineData("""{"object":1,"entry":[]}""", "object is a number")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":1}]}""", "entry id is a number")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":{"id":"x"}}}]}]}""", "messages is an object")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"context":{"forwarded":"yes"}}]}}]}]}""", "forwarded is a string")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"errors":[{"code":"abc"}]}]}}]}]}""", "code is not a number")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[]} x""", "trailing garbage")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[]}{}""", "a second value")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[],}""", "trailing comma")]
    [InlineData("""{"object":"whatsapp_business_account" /* c */,"entry":[]}""", "comment")]
    [InlineData("""{'object':'whatsapp_business_account'}""", "single quotes")]
    [InlineData("""{"entry":[{"id":"\ud800"}]}""", "lone surrogate escape")]
    [InlineData("[]", "array root")]
    [InlineData("\"whatsapp_business_account\"", "string root")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"unknown":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}""", "deeper than 64")]
    public void Read_Malformed_ThrowsJsonExceptionLikeTheSerializer(string json, string because)
    {
        var body = Encoding.UTF8.GetBytes(json);

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload));
        var ex = Assert.ThrowsAny<JsonException>(() => WhatsAppPayloadReader.Read(body));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message), because);
    }

    [Fact]
    public void Read_InvalidUtf8InAKeptString_ThrowsJsonExceptionLikeTheSerializer()
    {
        var body = Encoding.UTF8.GetBytes("""{"entry":[{"id":"AB"}]}""");
        body[Array.IndexOf(body, (byte)'A')] = 0xC3;
        body[Array.IndexOf(body, (byte)'B')] = 0x28;

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload));
        var ex = Assert.ThrowsAny<JsonException>(() => WhatsAppPayloadReader.Read(body));
        Assert.Contains("$.entry[0].id", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"object":"whatsapp_business_account","entry":"x"}""", "$.entry is a string; expected an array or null")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":{"id":"x"}}}]}]}""", "$.entry[0].changes[0].value.messages is an object; expected an array or null")]
    [InlineData("""{"entry":[{},{"changes":[{"value":{"statuses":[{},{"errors":[{"code":true}]}]}}]}]}""", "$.entry[1].changes[0].value.statuses[1].errors[0].code is a boolean; expected a whole number")]
    [InlineData("""{"entry":[{"id":["1"]}]}""", "$.entry[0].id is an array; expected a string or null")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from":12}]}}]}]}""", "$.entry[0].changes[0].value.messages[0].from is a number; expected a string or null")]
    public void Read_WrongType_NamesThePathAndWhatWasExpected(string json, string expected)
    {
        var ex = Assert.ThrowsAny<JsonException>(() => WhatsAppPayloadReader.Read(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "not valid WhatsApp webhook JSON")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":[", "not valid WhatsApp webhook JSON")]
    [InlineData("""{"object":"whatsapp_business_account","entry":"x"}""", "$.entry is a string")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":{"id":"x"}}}]}]}""", "$.entry[0].changes[0].value.messages is an object")]
    [InlineData("""{"object":"whatsapp_business_account","entry":[]} garbage""", "not valid WhatsApp webhook JSON")]
    [InlineData("null", "JSON null")]
    public async Task HandleAsync_MalformedSignedBody_IsUnparseableWithTheReason(string json, string reason)
    {
        var result = await _host.Adapter.HandleAsync(WhatsAppHost.SignedPost(Encoding.UTF8.GetBytes(json)), CancellationToken.None);

        Assert.Contains(reason, Assert.IsType<WebhookUnparseable>(result).Reason, StringComparison.Ordinal);
    }

    private static void AssertAgrees(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        string expected;
        try
        {
            expected = Serialized(JsonSerializer.Deserialize(body, WhatsAppJsonContext.Default.WebhookPayload));
        }
        catch (JsonException)
        {
            Assert.ThrowsAny<JsonException>(() => WhatsAppPayloadReader.Read(body));
            return;
        }

        Assert.Equal(expected, Serialized(WhatsAppPayloadReader.Read(body)));
    }

    /// <summary>The graph as JSON, written by the context (allowing NaN and infinities, which the reader may read from quoted numbers).</summary>
    private static string Serialized(WebhookPayload? payload) => JsonSerializer.Serialize(payload, Writer.WebhookPayload);

    /// <summary>The webhook payload types (those the context reads; not the send request types).</summary>
    private static IEnumerable<string> PayloadTypes() =>
        typeof(WebhookPayload).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(WebhookPayload).Namespace && t.IsClass && t.IsSealed && !t.IsAbstract)
            .Where(t => t.Name is nameof(WebhookPayload) or nameof(ChangeValue) or nameof(ChangeMetadata) || t.Name.StartsWith("Webhook", StringComparison.Ordinal) || t.Name.StartsWith("Wa", StringComparison.Ordinal))
            .Where(t => t.GetConstructor(Type.EmptyTypes) is not null && t.GetProperties().Length > 0)
            .Select(t => t.Name);

    private static void FindUnset(object node, string path, List<string> unset, HashSet<Type> seen)
    {
        seen.Add(node.GetType());
        foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(node);
            var at = path + "." + property.Name;
            switch (value)
            {
                case null:
                    unset.Add(at);
                    break;
                case string or bool or long or double:
                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        FindUnset(list[i]!, $"{at}[{i}]", unset, seen);
                    }

                    break;
                default:
                    FindUnset(value, at, unset, seen);
                    break;
            }
        }
    }
}
