using System.Text;
using SocialCare.Channels;
using Xunit;

namespace SocialCare.Testing.Channels;

/// <summary>
/// Webhooks and capabilities: what every channel adapter does with genuine, forged and malformed requests, and that it
/// declares its kind and capabilities sanely.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
/// <param name="fixture">The adapter's fixture.</param>
public abstract class ChannelWebhookSpecification<TFixture>(TFixture fixture) : ChannelAdapterSpecification<TFixture>(fixture)
    where TFixture : ChannelAdapterFixture
{
    /// <summary>The adapter names its platform.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Kind_IsNotEmpty()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);

        Assert.False(adapter.Kind.IsEmpty, "IChannelAdapter.Kind is default(ChannelKind).");
    }

    /// <summary>
    /// Capabilities are sane: a positive maximum text length, at least one of public and private conversations, no
    /// attachment kind listed twice, and a positive customer-service window when there is one.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Capabilities_AreSane()
    {
        var capabilities = (await Fixture.CreateAdapterAsync(Ct)).Capabilities;

        Assert.NotNull(capabilities);
        Assert.True(capabilities.MaxTextLength > 0, $"MaxTextLength is {capabilities.MaxTextLength}; it must be positive.");
        Assert.True(capabilities.SupportsPublic || capabilities.SupportsPrivate, "The adapter supports neither public nor private conversations.");
        Assert.NotNull(capabilities.SupportedAttachments);
        Assert.Equal(capabilities.SupportedAttachments.Count, capabilities.SupportedAttachments.Distinct().Count());
        Assert.True(capabilities.CustomerServiceWindow is null || capabilities.CustomerServiceWindow > TimeSpan.Zero, $"CustomerServiceWindow is {capabilities.CustomerServiceWindow}; it must be positive or null.");
    }

    /// <summary>
    /// A genuine request becomes at least one event, with at least one customer message; every event names its
    /// workspace, the adapter's kind and an account, the customer, and a timestamp; every message, reaction, edit and
    /// deletion names its platform message id, and every status its message id or a watermark.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task GenuineRequest_ReturnsEventsWithIdentities()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);

        var result = await HandleAsync(adapter, Fixture.CreateGenuineRequest(), "the genuine request");

        var events = Assert.IsType<WebhookEvents>(result, exactMatch: false).InboundEvents;
        Assert.NotEmpty(events);
        Assert.Contains(events, e => e is InboundMessage);
        foreach (var e in events)
        {
            var name = e.GetType().Name;
            Assert.False(e.WorkspaceId.IsEmpty, $"An {name} has no workspace.");
            Assert.False(e.Channel.IsEmpty, $"An {name} has no channel account.");
            Assert.Equal(adapter.Kind, e.Channel.Kind);
            Assert.False(e.Customer.IsEmpty, $"An {name} has no customer handle.");
            Assert.Equal(adapter.Kind, e.Customer.Kind);
            Assert.NotEqual(default, e.OccurredAt);
            switch (e)
            {
                case InboundMessage m:
                    Assert.False(string.IsNullOrEmpty(m.PlatformMessageId), "An InboundMessage has no platform message id.");
                    break;
                case InboundStatus s:
                    Assert.True(!string.IsNullOrEmpty(s.PlatformMessageId) || s.Watermark is not null, "An InboundStatus has neither a platform message id nor a watermark.");
                    Assert.NotEqual(DeliveryStatus.Queued, s.Status);
                    break;
                case InboundReaction r:
                    Assert.False(string.IsNullOrEmpty(r.TargetPlatformMessageId), "An InboundReaction has no target message id.");
                    break;
                case InboundEdit edit:
                    Assert.False(string.IsNullOrEmpty(edit.PlatformMessageId), "An InboundEdit has no platform message id.");
                    break;
                case InboundDeletion deletion:
                    Assert.False(string.IsNullOrEmpty(deletion.PlatformMessageId), "An InboundDeletion has no platform message id.");
                    break;
            }
        }
    }

    /// <summary>A redelivered request (the same bytes) yields the same events, so the engine can deduplicate it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task GenuineRequest_HandledTwice_YieldsTheSameEvents()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);

        var first = Assert.IsType<WebhookEvents>(await HandleAsync(adapter, Fixture.CreateGenuineRequest(), "the genuine request"), exactMatch: false);
        var second = Assert.IsType<WebhookEvents>(await HandleAsync(adapter, Fixture.CreateGenuineRequest(), "the genuine request, again"), exactMatch: false);

        Assert.Equal(Describe(first.InboundEvents), Describe(second.InboundEvents));
    }

    /// <summary>
    /// Changing one byte of a genuine body (at its start, middle and end) without re-signing it is rejected with a 4xx
    /// status. Skipped when <see cref="ChannelAdapterFixture.SignatureCoversBody"/> is false.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task BodyChangedByOneByte_IsRejected()
    {
        Assert.SkipUnless(Fixture.SignatureCoversBody, "The platform's webhook authentication does not cover the body (ChannelAdapterFixture.SignatureCoversBody is false).");
        var adapter = await Fixture.CreateAdapterAsync(Ct);
        var genuine = Fixture.CreateGenuineRequest();
        var body = genuine.Body.ToArray();
        Assert.NotEmpty(body);

        foreach (var index in new[] { 0, body.Length / 2, body.Length - 1 }.Distinct())
        {
            var changed = (byte[])body.Clone();
            changed[index] ^= 0x01;
            var what = $"the genuine request with byte {index} of {body.Length} changed";

            AssertRejected(await HandleAsync(adapter, WithBody(genuine, changed), what), what);
        }
    }

    /// <summary>The genuine body with a well-formed signature made with the wrong secret is rejected with a 4xx status.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task WrongSignature_IsRejected()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);
        var body = Fixture.CreateGenuineRequest().Body;

        AssertRejected(await HandleAsync(adapter, Fixture.CreateRequestWithWrongSignature(body), "the genuine body with a wrong signature"), "The genuine body with a wrong signature");
    }

    /// <summary>The genuine body without any signature is rejected with a 4xx status.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task MissingSignature_IsRejected()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);
        var body = Fixture.CreateGenuineRequest().Body;

        AssertRejected(await HandleAsync(adapter, Fixture.CreateUnsignedRequest(body), "the genuine body without a signature"), "The genuine body without a signature");
    }

    /// <summary>
    /// A correctly signed JSON payload of a shape the adapter does not know (<c>{"unexpected":true}</c>) is
    /// <see cref="WebhookUnparseable"/> with a reason: never events, never a refusal, never an exception.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SignedUnknownJsonShape_IsUnparseable()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);

        var result = await HandleAsync(adapter, Fixture.CreateSignedRequest("""{"unexpected":true}"""u8.ToArray()), """the signed body {"unexpected":true}""");

        var unparseable = Assert.IsType<WebhookUnparseable>(result, exactMatch: true);
        Assert.False(string.IsNullOrWhiteSpace(unparseable.Reason), "WebhookUnparseable has no reason.");
    }

    /// <summary>
    /// Correctly signed garbage — an empty body, text, invalid UTF-8, JSON that is not an object, the genuine body cut
    /// in half, deeply nested arrays, random bytes — never throws and is <see cref="WebhookUnparseable"/> with a reason.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SignedGarbage_IsUnparseableAndNeverThrows()
    {
        var adapter = await Fixture.CreateAdapterAsync(Ct);
        var genuine = Fixture.CreateGenuineRequest().Body.ToArray();
        var random = new byte[512];
        new Random(20260301).NextBytes(random);
        var cases = new List<(string Name, byte[] Body)>
        {
            ("an empty body", []),
            ("plain text", "hello, world"u8.ToArray()),
            ("invalid UTF-8", [0xC3, 0x28, 0xFF, 0xFE]),
            ("JSON null", "null"u8.ToArray()),
            ("a JSON array", "[]"u8.ToArray()),
            ("a JSON string", "\"text\""u8.ToArray()),
            ("an empty JSON object", "{}"u8.ToArray()),
            ("the genuine body cut in half", genuine[..(genuine.Length / 2)]),
            ("10,000 nested arrays", Encoding.ASCII.GetBytes(new string('[', 10_000) + new string(']', 10_000))),
            ("512 random bytes", random),
        };

        var failures = new List<string>();
        foreach (var (name, body) in cases)
        {
            var result = await HandleAsync(adapter, Fixture.CreateSignedRequest(body), "signed " + name);
            if (result is not WebhookUnparseable { Reason.Length: > 0 })
            {
                failures.Add($"signed {name}: {result}");
            }
        }

        Assert.True(failures.Count == 0, "Signed garbage must be WebhookUnparseable with a reason:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// A correct verification handshake is answered with a 2xx <see cref="WebhookHandshake"/>. Skipped when the
    /// fixture has no handshake request.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Handshake_Correct_IsAnswered()
    {
        var request = Fixture.CreateHandshakeRequest();
        Assert.SkipWhen(request is null, "The platform has no verification handshake (ChannelAdapterFixture.CreateHandshakeRequest returns null).");
        var adapter = await Fixture.CreateAdapterAsync(Ct);

        var handshake = Assert.IsType<WebhookHandshake>(await HandleAsync(adapter, request, "the handshake request"), exactMatch: true);

        Assert.True(handshake.StatusCode is >= 200 and < 300, $"The handshake was answered with status {handshake.StatusCode}.");
    }

    private static List<string> Describe(IReadOnlyList<InboundEvent> events) =>
        [.. events.Select(e => e switch
        {
            InboundMessage m => $"message {m.Channel} {m.Customer} {m.PlatformMessageId} {m.OccurredAt:O} {m.Text}",
            InboundStatus s => $"status {s.Channel} {s.Customer} {s.PlatformMessageId} {s.Status} {s.OccurredAt:O}",
            InboundReaction r => $"reaction {r.Channel} {r.Customer} {r.TargetPlatformMessageId} {r.Emoji} {r.OccurredAt:O}",
            _ => $"{e.GetType().Name} {e.Channel} {e.Customer} {e.OccurredAt:O}",
        })];
}
