using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using SocialCare.Testing.Channels;

namespace SocialCare.Testing.Tests.Channels;

public sealed class FakePlatformServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_ListensOnLoopbackWithAFreePort()
    {
        await using var server = await FakePlatformServer.StartAsync(cancellationToken: Ct);

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.EndsWith("/", server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_IsRecordedExactly_MethodTargetHeadersAndRawBytes()
    {
        await using var server = await FakePlatformServer.StartAsync(cancellationToken: Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        byte[] body = [0x00, 0xFF, 0xC3, 0x28, (byte)'{', 0x0A, 0x0D];
        using var request = new HttpRequestMessage(HttpMethod.Put, "v21.0/123/messages?a=b%20c&x=%2F") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-1");
        request.Headers.Add("X-Custom", ["one", "two"]);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync(Ct));
        var recorded = Assert.Single(server.Requests);
        Assert.Equal(1, recorded.Sequence);
        Assert.Equal("PUT", recorded.Method);
        Assert.Equal("/v21.0/123/messages?a=b%20c&x=%2F", recorded.PathAndQuery);
        Assert.Equal("/v21.0/123/messages", recorded.Path);
        Assert.Equal("?a=b%20c&x=%2F", recorded.Query);
        Assert.Equal(body, recorded.Body.ToArray());
        Assert.Equal("Bearer token-1", recorded.GetHeader("authorization"));
        Assert.Equal("one, two", recorded.GetHeader("X-CUSTOM"));
        Assert.Equal("application/octet-stream", recorded.GetHeader("Content-Type"));
        Assert.Equal(200, recorded.StatusCode);
        Assert.False(recorded.Throttled);
    }

    [Fact]
    public async Task ScriptedResponses_AreUsedInOrder_ThenTheDefault()
    {
        await using var server = await FakePlatformServer.StartAsync(cancellationToken: Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        server.RespondWith(429, retryAfter: TimeSpan.FromSeconds(1.2));
        server.RespondWith(FakeResponse.Text(503, "down").WithHeader("X-Trace", "t1"));
        server.DefaultResponse = r => FakeResponse.Json(201, $$"""{"n":{{r.Sequence}}}""");

        using var first = await client.PostAsync("send", new StringContent("1"), Ct);
        using var second = await client.PostAsync("send", new StringContent("2"), Ct);
        using var third = await client.PostAsync("send", new StringContent("3"), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("down", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal("t1", second.Headers.GetValues("X-Trace").Single());
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        Assert.Equal("""{"n":3}""", await third.Content.ReadAsStringAsync(Ct));
        Assert.Equal([429, 503, 201], server.Requests.Select(r => r.StatusCode));
        Assert.Equal(["1", "2", "3"], server.Requests.Select(r => r.BodyText));
        Assert.Equal(0, server.PendingResponses);
    }

    [Fact]
    public async Task RateLimit_OverThePermitsPerPath_Answers429AndCountsThrottled()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await FakePlatformServer.StartAsync(time, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        server.EnforceRateLimit(permits: 2, period: TimeSpan.FromSeconds(1));
        server.RespondWith(202);

        var a = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync("111/messages", null, Ct);
            a.Add(response.StatusCode);
        }

        using var otherNumber = await client.PostAsync("222/messages", null, Ct);
        using var throttled = await client.PostAsync("111/messages", null, Ct);
        time.Advance(TimeSpan.FromMilliseconds(999));
        using var stillThrottled = await client.PostAsync("111/messages", null, Ct);
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var afterWindow = await client.PostAsync("111/messages", null, Ct);

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], a);
        Assert.Equal(TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, otherNumber.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillThrottled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterWindow.StatusCode);
        Assert.Equal(3, server.ThrottledCount);
        Assert.Equal([false, false, true, false, true, true, false], server.Requests.Select(r => r.Throttled));
    }

    [Fact]
    public async Task RateLimit_ThrottledRequests_DoNotUseScriptedResponses()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakePlatformServer.StartAsync(time, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        server.EnforceRateLimit(1, TimeSpan.FromMinutes(1), _ => "everyone", wait => FakeResponse.Status(420, wait));
        server.RespondWith(201);
        server.RespondWith(202);

        using var first = await client.GetAsync("a", Ct);
        using var second = await client.GetAsync("b", Ct);
        time.Advance(TimeSpan.FromMinutes(1));
        using var third = await client.GetAsync("c", Ct);

        Assert.Equal([201, 420, 202], [(int)first.StatusCode, (int)second.StatusCode, (int)third.StatusCode]);
        Assert.Equal(TimeSpan.FromMinutes(1), second.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task WaitForRequests_CompletesWhenTheRequestsArrive()
    {
        await using var server = await FakePlatformServer.StartAsync(cancellationToken: Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var wait = server.WaitForRequestsAsync(2, Ct);
        Assert.False(wait.IsCompleted);
        using var first = await client.PostAsync("x", new StringContent("1"), Ct);
        Assert.False(wait.IsCompleted);
        using var second = await client.PostAsync("x", new StringContent("2"), Ct);

        var requests = await wait;
        Assert.Equal(2, requests.Count);
        Assert.Single(await server.WaitForRequestsAsync(1, Ct), r => r.BodyText == "1");
    }

    [Fact]
    public async Task WaitForRequests_Cancelled_Throws()
    {
        await using var server = await FakePlatformServer.StartAsync(cancellationToken: Ct);
        using var cts = new CancellationTokenSource();

        var wait = server.WaitForRequestsAsync(1, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
