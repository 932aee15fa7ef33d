using System.Globalization;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace SocialCare.Channels.Http;

/// <summary>
/// Sends one outbound message of an HTTP channel adapter: runs the sending account's resilience pipeline with a fresh
/// request per attempt, reads the answer, and turns transport failures into <see cref="SendFailed"/>. Create one per
/// adapter; it holds no per-send state.
/// </summary>
/// <remarks>
/// Failures: <see cref="HttpRequestException"/> → the HTTP status or <c>network</c>, retryable;
/// <see cref="BrokenCircuitException"/> → <c>circuit-open</c>, retryable after the break;
/// <see cref="ChannelRateLimitedException"/> → <c>rate-limited</c>, retryable after its wait; an attempt timeout
/// (<see cref="TimeoutRejectedException"/>, or <see cref="HttpClient.Timeout"/>) → <c>timeout</c>, not retryable
/// unless <see cref="IsTimeoutRetryable"/> (the outcome is unknown, and without an idempotency key a retry could send
/// the message twice). Only cancellation of the caller's token throws.
/// </remarks>
public sealed class ChannelHttpSender
{
    /// <summary>Creates the sender.</summary>
    /// <param name="apiName">The platform API, as in "Could not reach the <c>{apiName}</c>", for example <c>Graph API</c>.</param>
    public ChannelHttpSender(string apiName)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiName);
        ApiName = apiName;
    }

    /// <summary>The platform API, for the failure reasons, for example <c>Graph API</c>.</summary>
    public string ApiName { get; }

    /// <summary>Whether a timeout is retryable: only where the platform de-duplicates a repeated send. Default false.</summary>
    public bool IsTimeoutRetryable { get; init; }

    /// <summary>The reason of a timeout failure; by default it names <see cref="ApiName"/> and whether it is retried.</summary>
    public string? TimeoutReason { get; init; }

    /// <summary>
    /// Called with each attempt's response inside the pipeline, before the retry decides; for example to copy a wait
    /// the platform gives in the body to the <c>Retry-After</c> header. Optional.
    /// </summary>
    public Func<HttpResponseMessage, CancellationToken, Task>? OnAttemptResponse { get; init; }

    /// <summary>Sends through <paramref name="pipeline"/> and maps the outcome.</summary>
    /// <param name="pipeline">The sending account's pipeline, from <see cref="ChannelResiliencePipelineFactory"/>.</param>
    /// <param name="client">The adapter's named client.</param>
    /// <param name="sendingAccount">The sending account (the rate-limit partition).</param>
    /// <param name="recipient">
    /// The recipient (the pacing partition within the account, see <see cref="ChannelResilienceOptions.RecipientInterval"/>);
    /// null when the platform has no per-recipient limit or the recipient is not a single customer.
    /// </param>
    /// <param name="createRequest">Creates the request; called once per attempt, as a request cannot be sent twice.</param>
    /// <param name="readResponse">Maps the final response and its body (success or platform error) to the result.</param>
    /// <param name="cancellationToken">Cancels the send; the only way this method throws.</param>
    /// <returns>What <paramref name="readResponse"/> made of the answer, or the transport failure.</returns>
    public async ValueTask<SendResult> SendAsync(
        ResiliencePipeline<HttpResponseMessage> pipeline,
        HttpClient client,
        string sendingAccount,
        string? recipient,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, byte[], SendResult> readResponse,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(sendingAccount);
        ArgumentNullException.ThrowIfNull(createRequest);
        ArgumentNullException.ThrowIfNull(readResponse);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ChannelResiliencePipelineFactory.SendingAccount, sendingAccount);
        context.Properties.Set(ChannelResiliencePipelineFactory.Recipient, recipient ?? string.Empty);
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async c =>
                {
                    using var request = createRequest();
                    var answer = await client.SendAsync(request, c.CancellationToken).ConfigureAwait(false);
                    if (OnAttemptResponse is { } inspect)
                    {
                        await inspect(answer, c.CancellationToken).ConfigureAwait(false);
                    }

                    return answer;
                },
                context).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return readResponse(response, bytes);
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Failed(ex.StatusCode is { } code ? ((int)code).ToString(CultureInfo.InvariantCulture) : "network", $"Could not reach the {ApiName}: {ex.Message}", isRetryable: true);
        }
        catch (BrokenCircuitException ex)
        {
            return SendResult.Failed("circuit-open", $"Recent sends to the {ApiName} kept failing; sending is paused for a while.", isRetryable: true, ex.RetryAfter);
        }
        catch (ChannelRateLimitedException ex)
        {
            return SendResult.Failed("rate-limited", ex.Message, isRetryable: true, ex.RetryAfter);
        }
        catch (TimeoutRejectedException)
        {
            return TimedOut();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private SendFailed TimedOut() => SendResult.Failed(
        "timeout",
        TimeoutReason ?? (IsTimeoutRetryable
            ? $"The {ApiName} did not answer in time; the message may or may not have been sent, and the platform de-duplicates a retry."
            : $"The {ApiName} did not answer in time; the message may or may not have been sent, so it is not retried."),
        IsTimeoutRetryable);
}
