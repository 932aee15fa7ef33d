using System.Globalization;
using Microsoft.Extensions.Options;
using SocialCare.Channels.Http;

namespace SocialCare.Channels.Telegram;

/// <summary>
/// One Telegram bot connected to SocialCare. Register one per bot with <c>care.AddTelegram(name, o => …)</c>; they are
/// validated when the host starts.
/// </summary>
public sealed class TelegramOptions
{
    /// <summary>The default Bot API base address.</summary>
    public static readonly Uri DefaultApiBaseUrl = new("https://api.telegram.org/");

    /// <summary>The SocialCare workspace this bot's conversations belong to. Required.</summary>
    public string WorkspaceId { get; set; } = string.Empty;

    /// <summary>The bot token from @BotFather (<c>123456789:AA…</c>), used to send. Required.</summary>
    public string BotToken { get; set; } = string.Empty;

    /// <summary>
    /// The bot's numeric id, which is the channel account id. Optional: when empty it is the part of
    /// <see cref="BotToken"/> before the ':'; when set it must equal that part.
    /// </summary>
    public string BotId { get; set; } = string.Empty;

    /// <summary>
    /// The <c>secret_token</c> you passed to <c>setWebhook</c>: Telegram sends it in the
    /// <c>X-Telegram-Bot-Api-Secret-Token</c> header of every webhook, and a request without it is refused. 1 to 256
    /// characters of A-Z, a-z, 0-9, '_' and '-'. Required; give each bot its own.
    /// </summary>
    public string SecretToken { get; set; } = string.Empty;

    /// <summary>The Bot API base address (a local Bot API server, a test double). Default <c>https://api.telegram.org/</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>
    /// Whether a button press (<c>callback_query</c>) is answered in the webhook's HTTP response with
    /// <c>{"method":"answerCallbackQuery","callback_query_id":…}</c>, once the press is kept (stored, or dead-lettered
    /// when it cannot be read, such as a game button), so the customer's client
    /// stops showing a loading indicator on the button (the Bot API expects every callback query to be answered).
    /// Default <see langword="true"/>. Set <see langword="false"/> when the host answers callback queries itself, for
    /// example with a text or an alert; then the webhook's answer has no body.
    /// </summary>
    public bool AnswerCallbackQueries { get; set; } = true;

    /// <summary>
    /// How sends from this bot are protected (timeout, retry, circuit breaker, rate limit). The rate limit is pre-set to
    /// Telegram's broadcast limit of 30 messages per second per bot; the messages to each private chat are paced to one
    /// per second (Telegram asks bots not to send more than one message per second to a chat), and those to each group
    /// (a negative chat id: a public reply's chat, shared by every customer in it) to one per 3 seconds, so at most 20 a
    /// minute, Telegram's limit for a bot in one group. A 429's <c>parameters.retry_after</c> is honoured like a
    /// <c>Retry-After</c> header.
    /// </summary>
    public ChannelResilienceOptions Resilience { get; } = new()
    {
        RateLimitPermits = 30,
        RateLimitPeriod = TimeSpan.FromSeconds(1),
        RecipientInterval = TimeSpan.FromSeconds(1),
        RecipientBurst = 1,
        GroupInterval = TimeSpan.FromSeconds(3),
        GroupBurst = 1,
        IsGroupRecipient = static chatId => chatId.StartsWith('-'),
    };

    /// <summary>The bot id in effect: <see cref="BotId"/>, or the token's numeric prefix; empty when neither is usable.</summary>
    internal string EffectiveBotId => !string.IsNullOrEmpty(BotId) ? BotId : TokenBotId(BotToken) ?? string.Empty;

    /// <summary>The numeric part of a bot token before the ':', or null when the token does not have that shape.</summary>
    internal static string? TokenBotId(string? token)
    {
        var colon = token?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == token!.Length - 1)
        {
            return null;
        }

        var id = token[..colon];
        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? id : null;
    }
}

internal sealed class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        List<string>? failures = null;
        var section = string.IsNullOrEmpty(name) ? "SocialCare:Telegram" : $"SocialCare:Telegram:{name}";
        void Fail(string message) => (failures ??= []).Add(message);

        if (!SocialCare.WorkspaceId.TryParse(options.WorkspaceId, out _))
        {
            Fail($"{section}:{nameof(options.WorkspaceId)} must be a workspace id (1 to 64 ASCII letters, digits, '-', '_', '.'); it is '{options.WorkspaceId}'.");
        }

        var tokenId = TelegramOptions.TokenBotId(options.BotToken);
        if (string.IsNullOrEmpty(options.BotToken))
        {
            Fail($"{section}:{nameof(options.BotToken)} is required (the token from @BotFather, used to send).");
        }
        else if (tokenId is null)
        {
            // Never echo the token: it is a credential.
            Fail($"{section}:{nameof(options.BotToken)} must look like '<bot id>:<secret>' (digits, a colon, then the secret).");
        }

        if (!string.IsNullOrEmpty(options.BotId))
        {
            if (!options.BotId.All(char.IsAsciiDigit))
            {
                Fail($"{section}:{nameof(options.BotId)} must be the bot's numeric id; it is '{options.BotId}'.");
            }
            else if (tokenId is not null && !string.Equals(tokenId, options.BotId, StringComparison.Ordinal))
            {
                Fail($"{section}:{nameof(options.BotId)} is '{options.BotId}' but {nameof(options.BotToken)} belongs to bot {tokenId}; leave {nameof(options.BotId)} empty to use the token's.");
            }
        }

        if (string.IsNullOrEmpty(options.SecretToken))
        {
            Fail($"{section}:{nameof(options.SecretToken)} is required (the secret_token given to setWebhook; Telegram sends it as X-Telegram-Bot-Api-Secret-Token).");
        }
        else if (options.SecretToken.Length > 256 || !options.SecretToken.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            Fail($"{section}:{nameof(options.SecretToken)} must be 1 to 256 characters of A-Z, a-z, 0-9, '_' and '-' (Telegram's rule); it has {options.SecretToken.Length} characters.");
        }

        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            Fail($"{section}:{nameof(options.ApiBaseUrl)} must be an absolute http(s) URL; it is '{options.ApiBaseUrl}'.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The names of the Telegram registrations, so the adapter can find a bot's options.</summary>
internal sealed class TelegramRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
