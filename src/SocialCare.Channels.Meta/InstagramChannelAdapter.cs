namespace SocialCare.Channels.Meta;

/// <summary>
/// The Instagram direct-message adapter (Messenger Platform for Instagram). One instance serves every Instagram
/// professional account registered with <c>care.AddInstagram(…)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Webhooks are verified and answered exactly as for <see cref="MessengerChannelAdapter"/>; the body must be
/// <c>object=instagram</c> and each <c>entry[].id</c> a registered Instagram account id. The parser is the one
/// Messenger uses. Instagram also reports a read by message id (<c>read.mid</c>) and deleted messages
/// (<c>message.is_deleted</c>); both are mapped.
/// </para>
/// <para>
/// Sending: text (up to 1000 characters) or one image, video or audio by URL, through
/// <c>POST {GraphApiBaseUrl}{instagram-account-id}/messages</c>, with the same 24-hour / HUMAN_AGENT window rules as
/// Messenger.
/// </para>
/// </remarks>
public sealed class InstagramChannelAdapter : IChannelAdapter
{
    internal static readonly MetaPlatform Platform = new(
        ChannelKind.Instagram,
        "Instagram",
        "instagram",
        new ChannelCapabilities
        {
            MaxTextLength = 1000,
            SupportedAttachments = [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Audio],
            SupportsPublic = false,
            SupportsPrivate = true,
            CustomerServiceWindow = TimeSpan.FromHours(24),
            SupportsTemplates = false,
        },
        Microsoft.Extensions.DependencyInjection.MetaSocialCareBuilderExtensions.InstagramHttpClientName,
        "care.AddInstagram");

    private readonly MetaAdapterCore<InstagramOptions> _core;

    internal InstagramChannelAdapter(MetaAdapterCore<InstagramOptions> core) => _core = core;

    /// <inheritdoc />
    public ChannelKind Kind => ChannelKind.Instagram;

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
