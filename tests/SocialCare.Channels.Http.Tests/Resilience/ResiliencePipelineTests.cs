using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace SocialCare.Channels.Http.Resilience;

public sealed class ResiliencePipelineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<DateTimeOffset> _attempts = [];

    private static ChannelResilienceOptions Options(Action<ChannelResilienceOptions>? configure = null)
    {
        var options = new ChannelResilienceOptions { UseJitter = false, CircuitBreakerMinimumThroughput = 100 };
        configure?.Invoke(options);
        return options;
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline(ChannelResilienceOptions options) =>
        new ChannelResiliencePipelineFactory(_time).Create("test", options);

    private static HttpResponseMessage Response(HttpStatusCode status, string body = "{}", Action<HttpResponseHeaders>? headers = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        headers?.Invoke(response.Headers);
        return response;
    }

    /// <summary>Runs one call through the pipeline, advancing the fake clock in small steps until it finishes.</summary>
    private async Task<HttpResponseMessage> Run(ResiliencePipeline<HttpResponseMessage> pipeline, Func<int, CancellationToken, Task<HttpResponseMessage>> platform, string account = "A", string? recipient = null)
    {
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.Properties.Set(ChannelResiliencePipelineFactory.SendingAccount, account);
        if (recipient is not null)
        {
            context.Properties.Set(ChannelResiliencePipelineFactory.Recipient, recipient);
        }

        try
        {
            var task = pipeline.ExecuteAsync(
                async (ctx, self) =>
                {
                    self._attempts.Add(self._time.GetUtcNow());
                    return await platform(self._attempts.Count, ctx.CancellationToken);
                },
                context,
                this).AsTask();

            // The pipeline's continuations run on the thread pool, so keep yielding until it finishes; a fake-clock
            // step happens only after a yield, and the real-time bound only guards against a hung test.
            var guard = System.Diagnostics.Stopwatch.StartNew();
            while (!task.IsCompleted && guard.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Yield();
                while (ThreadPool.PendingWorkItemCount > 0 && guard.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Yield(); // let the pipeline's queued continuations run before the clock moves on
                }

                if (!task.IsCompleted)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(250));
                }
            }

            Assert.True(task.IsCompleted, "The pipeline did not finish while the fake clock advanced.");
            return await task;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private TimeSpan[] Gaps() => [.. _attempts.Zip(_attempts.Skip(1), (a, b) => b - a)];

    [Fact]
    public async Task Execute_ServerErrorsThenSuccess_RetriesWithExponentialBackoff()
    {
        var pipeline = Pipeline(Options());

        var response = await Run(pipeline, (n, _) => Task.FromResult(Response(n < 4 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, _attempts.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], Gaps());
    }

    [Fact]
    public async Task Execute_AlwaysFailing_GivesUpAfterMaxRetriesWithTheLastResponse()
    {
        var pipeline = Pipeline(Options(o => o.MaxRetryAttempts = 2));

        var response = await Run(pipeline, (_, _) => Task.FromResult(Response(HttpStatusCode.BadGateway)));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(3, _attempts.Count);
    }

    [Fact]
    public async Task Execute_ClientError_IsNotRetried()
    {
        var response = await Run(Pipeline(Options()), (_, _) => Task.FromResult(Response(HttpStatusCode.BadRequest)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(_attempts);
    }

    [Fact]
    public async Task Execute_TooManyRequestsWithRetryAfter_WaitsExactlyRetryAfter()
    {
        var pipeline = Pipeline(Options());

        await Run(pipeline, (n, _) => Task.FromResult(n == 1
            ? Response(HttpStatusCode.TooManyRequests, headers: h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)))
            : Response(HttpStatusCode.OK)));

        Assert.Equal([TimeSpan.FromSeconds(7)], Gaps());
    }

    [Fact]
    public async Task Execute_RetryAfterDate_WaitsUntilThatTimeOnTheInjectedClock()
    {
        var pipeline = Pipeline(Options());
        var until = _time.GetUtcNow().AddSeconds(12);

        await Run(pipeline, (n, _) => Task.FromResult(n == 1
            ? Response(HttpStatusCode.ServiceUnavailable, headers: h => h.RetryAfter = new RetryConditionHeaderValue(until))
            : Response(HttpStatusCode.OK)));

        Assert.Equal([TimeSpan.FromSeconds(12)], Gaps());
    }

    [Fact]
    public async Task Execute_RetryAfterBeyondMaxRetryAfter_ReturnsTheResponseToTheCaller()
    {
        var pipeline = Pipeline(Options(o => o.MaxRetryAfter = TimeSpan.FromSeconds(10)));

        var response = await Run(pipeline, (_, _) => Task.FromResult(
            Response(HttpStatusCode.TooManyRequests, headers: h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(5)))));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Single(_attempts);
    }

    [Theory]
    [InlineData("130429", 2)]
    [InlineData("131047", 1)]
    public async Task Execute_PlatformErrorCodeOnBadRequest_RetriedOnlyWhenAThrottlingCode(string code, int attempts)
    {
        var options = Options(o =>
        {
            o.ThrottlingErrorCodes.Add("130429");
            o.ErrorCodeReader = async (response, ct) =>
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                return json.RootElement.GetProperty("error").GetProperty("code").GetRawText();
            };
        });

        var response = await Run(Pipeline(options), (n, _) => Task.FromResult(n == 1
            ? Response(HttpStatusCode.BadRequest, $$$"""{"error":{"code":{{{code}}}}}""")
            : Response(HttpStatusCode.OK)));

        Assert.Equal(attempts, _attempts.Count);
        Assert.Equal(attempts == 2 ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Execute_NetworkError_IsRetried()
    {
        var response = await Run(Pipeline(Options()), (n, _) => n == 1
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult(Response(HttpStatusCode.OK)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _attempts.Count);
    }

    [Fact]
    public async Task Execute_WithJitter_DelaysStayWithinMaxDelay()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.UseJitter = true;
            o.MaxDelay = TimeSpan.FromSeconds(5);
        }));

        await Run(pipeline, (n, _) => Task.FromResult(Response(n < 4 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK)));

        Assert.Equal(4, _attempts.Count);
        Assert.All(Gaps(), gap => Assert.InRange(gap, TimeSpan.Zero, TimeSpan.FromSeconds(5.25)));
    }

    [Fact]
    public async Task Execute_AttemptTimesOut_ThrowsTimeoutAndDoesNotRetryByDefault()
    {
        var pipeline = Pipeline(Options(o => o.AttemptTimeout = TimeSpan.FromSeconds(3)));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => Run(pipeline, async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
            return Response(HttpStatusCode.OK);
        }));

        Assert.Single(_attempts);
    }

    [Fact]
    public async Task Execute_AttemptTimesOutWithRetryOnTimeout_Retries()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(3);
            o.RetryOnTimeout = true;
        }));

        var response = await Run(pipeline, async (n, ct) =>
        {
            if (n == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
            }

            return Response(HttpStatusCode.OK);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _attempts.Count);
    }

    [Fact]
    public async Task Execute_FailuresAboveRatio_OpensCircuitAndRefusesWithoutCalling()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitBreakerMinimumThroughput = 2;
            o.CircuitBreakerFailureRatio = 0.5;
        }));

        await Run(pipeline, (_, _) => Task.FromResult(Response(HttpStatusCode.InternalServerError)));
        await Run(pipeline, (_, _) => Task.FromResult(Response(HttpStatusCode.InternalServerError)));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(pipeline, (_, _) => Task.FromResult(Response(HttpStatusCode.OK))));

        Assert.Equal(2, _attempts.Count);
    }

    [Fact]
    public async Task Execute_AccountOverRateLimit_RefusedWithRetryAfterWhileOtherAccountsProceed()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RateLimitPermits = 2;
            o.RateLimitPeriod = TimeSpan.FromSeconds(1);
            o.RateLimitMaxWait = TimeSpan.Zero;
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));

        await Run(pipeline, Ok, "A");
        await Run(pipeline, Ok, "A");
        var refused = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => Run(pipeline, Ok, "A"));
        await Run(pipeline, Ok, "B");
        _time.Advance(TimeSpan.FromSeconds(1));
        await Run(pipeline, Ok, "A");

        Assert.Equal("A", refused.Account);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter); // the first call leaves the window after a second
        Assert.Equal(4, _attempts.Count);
    }

    [Fact]
    public async Task Execute_RateLimit_NoWindowOfThePeriodHoldsMoreThanThePermits_PlusTheSafetyMargin()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RateLimitPermits = 3;
            o.RateLimitPeriod = TimeSpan.FromSeconds(1);
            o.RateLimitMaxWait = TimeSpan.FromSeconds(5);
            o.RateLimitSafetyMargin = TimeSpan.FromMilliseconds(10);
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));

        await Run(pipeline, Ok);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await Run(pipeline, Ok);
        await Run(pipeline, Ok);
        for (var i = 0; i < 3; i++)
        {
            await Run(pipeline, Ok); // each waits until the call three places before it is 1.010 s old
        }

        // (The test clock moves in 250 ms steps while a call waits, so check the rule, not exact instants.)
        Assert.Equal(6, _attempts.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(300), _attempts[2] - _attempts[0]); // a burst up to the limit goes at once
        for (var i = 3; i < _attempts.Count; i++)
        {
            Assert.True(_attempts[i] - _attempts[i - 3] >= TimeSpan.FromMilliseconds(1010), $"call {i + 1} came {_attempts[i] - _attempts[i - 3]} after call {i - 2}");
        }
    }

    [Fact]
    public async Task Execute_AccountOverRateLimitWithinMaxWait_WaitsForTheNextToken()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RateLimitPermits = 1;
            o.RateLimitPeriod = TimeSpan.FromSeconds(2);
            o.RateLimitMaxWait = TimeSpan.FromSeconds(5);
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));

        await Run(pipeline, Ok);
        await Run(pipeline, Ok);

        Assert.Equal(2, _attempts.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), Gaps()[0]);
    }

    [Fact]
    public async Task Execute_RecipientPacing_BurstGoesAtOnce_ThenOnePerInterval_OtherRecipientsUnaffected()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RecipientInterval = TimeSpan.FromSeconds(6);
            o.RecipientBurst = 2;
            o.RateLimitMaxWait = TimeSpan.FromSeconds(10);
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));
        var start = _time.GetUtcNow();

        await Run(pipeline, Ok, "A", "alice");
        await Run(pipeline, Ok, "A", "alice"); // the burst of two goes at once
        await Run(pipeline, Ok, "A", "bob"); // another recipient of the same account is not held back
        await Run(pipeline, Ok, "A", "alice"); // the third waits until the first interval has passed
        await Run(pipeline, Ok, "A", "alice"); // and each later one a further interval

        Assert.Equal([start, start, start], _attempts.Take(3));
        Assert.Equal(start + TimeSpan.FromSeconds(6), _attempts[3]);
        Assert.Equal(start + TimeSpan.FromSeconds(12), _attempts[4]);
    }

    [Fact]
    public async Task Execute_RecipientPaceBeyondMaxWait_RefusedNamingAccountAndRecipientWithTheWait()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RecipientInterval = TimeSpan.FromSeconds(6);
            o.RateLimitMaxWait = TimeSpan.FromSeconds(2);
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));

        await Run(pipeline, Ok, "A", "alice");
        var refused = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => Run(pipeline, Ok, "A", "alice"));
        await Run(pipeline, Ok, "A"); // no recipient named: only the account limit applies
        _time.Advance(TimeSpan.FromSeconds(6));
        await Run(pipeline, Ok, "A", "alice");

        Assert.Equal("A", refused.Account);
        Assert.Equal("alice", refused.Recipient);
        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter);
        Assert.Contains("RecipientInterval", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", refused.Message, StringComparison.Ordinal); // a customer's handle stays out of logs
        Assert.Equal(3, _attempts.Count);
    }

    [Fact]
    public async Task Execute_GroupPacing_GroupsKeepTheirOwnPace_PeopleTheirs()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RecipientInterval = TimeSpan.FromSeconds(1);
            o.GroupInterval = TimeSpan.FromSeconds(3);
            o.GroupBurst = 2;
            o.IsGroupRecipient = r => r.StartsWith('-');
            o.RateLimitMaxWait = TimeSpan.FromSeconds(10);
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));
        var start = _time.GetUtcNow();

        await Run(pipeline, Ok, "A", "-100"); // a group: a burst of two, then one per 3 s
        await Run(pipeline, Ok, "A", "-100");
        await Run(pipeline, Ok, "A", "42"); // a person: not held back by the group
        await Run(pipeline, Ok, "A", "42"); // one per second
        await Run(pipeline, Ok, "A", "-100");

        Assert.Equal([start, start, start], _attempts.Take(3));
        Assert.Equal(start + TimeSpan.FromSeconds(1), _attempts[3]);
        Assert.Equal(start + TimeSpan.FromSeconds(3), _attempts[4]);
    }

    [Fact]
    public async Task Execute_GroupIntervalWithoutIsGroupRecipient_PacesEveryRecipientAlike()
    {
        var pipeline = Pipeline(Options(o =>
        {
            o.RecipientInterval = TimeSpan.FromSeconds(1);
            o.GroupInterval = TimeSpan.FromSeconds(3);
            o.RateLimitMaxWait = TimeSpan.FromSeconds(10);
            o.RateLimitSafetyMargin = TimeSpan.Zero;
        }));
        Task<HttpResponseMessage> Ok(int n, CancellationToken ct) => Task.FromResult(Response(HttpStatusCode.OK));
        var start = _time.GetUtcNow();

        await Run(pipeline, Ok, "A", "-100");
        await Run(pipeline, Ok, "A", "-100");

        Assert.Equal(start + TimeSpan.FromSeconds(1), _attempts[1]);
    }

    [Fact]
    public void RecipientPacer_Sweep_ForgetsPairsBackAtAFullBurst_KeepsPairsStillPaced()
    {
        var pacer = new RecipientPacer(TimeSpan.FromSeconds(6), burst: 1, _time);
        for (var i = 0; i < RecipientPacer.SweepEvery - 2; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.TryTake("A", "one-off-" + i)); // each paced until 6 s from now
        }

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.Zero, pacer.TryTake("A", "paced")); // paced until 9 s
        _time.Advance(TimeSpan.FromSeconds(4)); // 7 s: the one-offs are back at a full burst, "paced" is not

        var wait = pacer.TryTake("A", "paced"); // the sweeping call

        Assert.Equal(TimeSpan.FromSeconds(2), wait); // still paced: its state was kept
        Assert.Equal(1, pacer.Count);
        Assert.Equal(TimeSpan.Zero, pacer.TryTake("A", "one-off-0")); // a forgotten pair starts afresh
    }

    [Theory]
    [InlineData(nameof(ChannelResilienceOptions.MaxRetryAttempts))]
    [InlineData(nameof(ChannelResilienceOptions.RateLimitPermits))]
    [InlineData(nameof(ChannelResilienceOptions.RecipientInterval))]
    [InlineData(nameof(ChannelResilienceOptions.RecipientBurst))]
    [InlineData(nameof(ChannelResilienceOptions.GroupInterval))]
    [InlineData(nameof(ChannelResilienceOptions.GroupBurst))]
    [InlineData(nameof(ChannelResilienceOptions.CircuitBreakerFailureRatio))]
    public void Create_SettingOutOfRange_ThrowsNamingTheSetting(string setting)
    {
        var options = Options(o =>
        {
            switch (setting)
            {
                case nameof(o.MaxRetryAttempts): o.MaxRetryAttempts = -1; break;
                case nameof(o.RateLimitPermits): o.RateLimitPermits = 0; break;
                case nameof(o.RecipientInterval): o.RecipientInterval = TimeSpan.FromSeconds(-1); break;
                case nameof(o.RecipientBurst): o.RecipientBurst = 0; break;
                case nameof(o.GroupInterval): o.GroupInterval = TimeSpan.FromDays(2); break;
                case nameof(o.GroupBurst): o.GroupBurst = 0; break;
                default: o.CircuitBreakerFailureRatio = 2; break;
            }
        });

        var ex = Assert.Throws<ArgumentException>(() => Pipeline(options));

        Assert.Contains("ChannelResilienceOptions." + setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetPipeline_SamePlatform_ReturnsTheSamePipeline()
    {
        var factory = new ChannelResiliencePipelineFactory(_time);

        Assert.Same(factory.GetPipeline("whatsapp", Options()), factory.GetPipeline("whatsapp", Options()));
        Assert.NotSame(factory.GetPipeline("whatsapp", Options()), factory.GetPipeline("x", Options()));
    }
}
