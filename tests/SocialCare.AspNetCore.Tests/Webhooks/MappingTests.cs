using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SocialCare.AspNetCore.Webhooks;

/// <summary>Routes, prefix, conventions and the public base URL.</summary>
public sealed class MappingTests
{
    [Fact]
    public async Task MapSocialCareWebhooks_CustomPrefix_ServesOnlyThere()
    {
        await using var host = await WebhookHost.StartAsync(prefix: "/inbound");

        using var ok = await host.Client.PostAsync("/inbound/test/main", new ByteArrayContent([1]));
        using var missing = await host.Client.PostAsync("/webhooks/test/main", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Single(host.TestAdapter.Requests);
    }

    [Fact]
    public async Task MapSocialCareWebhooks_OtherMethods_Return405()
    {
        await using var host = await WebhookHost.StartAsync();

        using var response = await host.Client.PutAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(host.TestAdapter.Requests);
    }

    [Fact]
    public async Task MapSocialCareWebhooks_ReturnsGroup_WhoseConventionsReachTheEndpoints()
    {
        // A stand-in for RequireAuthorization/RequireRateLimiting: metadata added on the group, enforced by middleware.
        await using var host = await WebhookHost.StartAsync(configure: (app, group) =>
        {
            group.WithMetadata(new BlockedMarker());
            app.Use(next => context => context.GetEndpoint()?.Metadata.GetMetadata<BlockedMarker>() is null
                ? next(context)
                : Results.StatusCode(StatusCodes.Status429TooManyRequests).ExecuteAsync(context));
        });

        using var response = await host.Client.PostAsync("/webhooks/test", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Empty(host.TestAdapter.Requests);
    }

    [Fact]
    public async Task PublicBaseUrl_RebuildsTheUrlThePlatformSigned()
    {
        await using var host = await WebhookHost.StartAsync(o => o.PublicBaseUrl = new Uri("https://care.example.com/api/"));

        using var response = await host.Client.PostAsync("/webhooks/test/main?x=a%20b&y=%2F", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://care.example.com/api/webhooks/test/main?x=a%20b&y=%2F", Assert.Single(host.TestAdapter.Requests).Url.OriginalString);
    }

    private sealed class BlockedMarker;
}
