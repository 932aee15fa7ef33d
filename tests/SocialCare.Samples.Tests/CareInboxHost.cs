using System.Net.Http.Json;
using System.Text.Json;
using CareInbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SocialCare.Samples;

/// <summary>
/// The CareInbox sample exactly as <c>dotnet run</c> composes it (<see cref="CareInboxApp.Build"/> with its appsettings.json),
/// on 127.0.0.1 with a free port and a temporary SQLite file. Its demo webhooks, outbox and Graph API stand-in run for
/// real, on the system clock: tests wait for them by polling with a bounded timeout.
/// </summary>
internal sealed class CareInboxHost : IAsyncDisposable
{
    /// <summary>The longest a test waits for something the background work does.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    private readonly WebApplication _app;
    private readonly string _directory;

    private CareInboxHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public static async Task<CareInboxHost> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("careinbox-tests-").FullName;
        var app = CareInboxApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", AppContext.BaseDirectory,
            $"--SocialCare:Sqlite:ConnectionString=Data Source={Path.Combine(directory, "care-inbox.db")}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new CareInboxHost(app, directory, new Uri(address));
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls <paramref name="read"/> every 50 ms until <paramref name="done"/> holds, for at most <see cref="Patience"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Waited {Patience.TotalSeconds:0} s for {what}.");
            }
        }
    }

    /// <summary>Waits until the demo webhooks made every demo conversation, and returns the open view.</summary>
    public Task<JsonElement[]> DemoConversationsAsync() => EventuallyAsync(
        async () => (await GetJsonAsync("/api/conversations")).GetProperty("items").EnumerateArray().ToArray(),
        items => items.Length == DemoWebhooks.ConversationCount && items.Sum(i => i.GetProperty("messageCount").GetInt64()) == DemoWebhooks.Messages.Length,
        "the demo conversations");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory; the OS cleans it eventually.
        }
    }
}
