namespace SocialCare.Channels.Meta;

/// <summary>
/// The Facebook Messenger adapter. One instance serves every page registered with <c>care.AddMessenger(…)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks: a GET with <c>hub.mode=subscribe</c> and the right <c>hub.verify_token</c> is answered with the echoed
/// <c>hub.challenge</c>; a wrong token is rejected with 403. A POST must carry <c>X-Hub-Signature-256</c> made with a
/// registered app secret over the raw body, or it is rejected with 401 before anything is parsed. The body must be
/// <c>object=page</c>; each <c>entry[].id</c> must be a registered page, and its <c>messaging[]</c> and
/// <c>standby[]</c> events become normalized events (see the package README for the mapping). Anything not
/// understood makes the payload <see cref="WebhookUnparseable"/> with the reason.
/// </para>
/// <para>
/// Sending: text (up to 2000 characters) or one image, video, audio or file by URL, through
/// <c>POST {GraphApiBaseUrl}{page-id}/messages</c> with the page access token. Within 24 hours of the customer's last
/// message the reply is <c>messaging_type=RESPONSE</c>; within 7 days, when <see cref="MetaChannelOptions.UseHumanAgentTag"/>
/// is set, <c>MESSAGE_TAG</c> with <c>HUMAN_AGENT</c>; otherwise the send fails without calling Meta.
/// </para>
/// </remarks>
public sealed class MessengerChannelAdapter : IChannelAdapter
{
    internal static readonly MetaPlatform Platform = new(
        ChannelKind.Messenger,
        "Messenger",
        "page",
        new ChannelCapabilities
        {
            MaxTextLength = 2000,
            SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio, AttachmentKind.File],
            SupportsPublic = false,
            SupportsPrivate = true,
            CustomerServiceWindow = TimeSpan.FromHours(24),
            SupportsTemplates = false,
        },
        Microsoft.Extensions.DependencyInjection.MetaSocialCareBuilderExtensions.MessengerHttpClientName,
        "care.AddMessenger");

    private readonly MetaAdapterCore<MessengerOptions> _core;

    internal MessengerChannelAdapter(MetaAdapterCore<MessengerOptions> core) => _core = core;

    /// <inheritdoc />
    public ChannelKind Kind => ChannelKind.Messenger;

    /// <inheritdoc />
    public ChannelCapabilities Capabilities => Platform.Capabilities;

    /// <inheritdoc />
    public ValueTask<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken) =>
        _core.HandleAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<SendResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken) =>
        _core.SendAsync(message, cancellationToken);

    /// <inheritdoc />
    public SendFailed? CheckOutbound(OutboundMessage message) => _core.CheckOutbound(message);
}
