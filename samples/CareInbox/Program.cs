// SocialCare CareInbox
// --------------------
// The sample care inbox on the embedded SQLite store: a real ASP.NET Core host that a newcomer runs on a fresh machine,
// with no accounts and no internet:
//
//   1. the SocialCare engine on SQLite (care-inbox.db in the current directory), one workspace and one WhatsApp number
//      with demo settings from appsettings.json (CareInboxApp.cs);
//   2. the webhook endpoints, GET and POST /webhooks/whatsapp: Meta's handshake, X-Hub-Signature-256, dead letters;
//   3. demo data: on the first start, a few signed WhatsApp webhooks posted to /webhooks/whatsapp (DemoWebhooks.cs);
//   4. a JSON API for an inbox UI under /api (InboxApi.cs) and the page that uses it (wwwroot/index.html);
//   5. replies leave through the outbox and the real WhatsApp adapter, over HTTP, to a STAND-IN of the Graph API inside
//      this app (DemoPlatform.cs), which answers like the Cloud API and reports the message delivered and read.
//
// Run it with:  dotnet run --project samples/CareInbox          (then open http://localhost:5080)
//          or:  dotnet run --project samples/CareInbox --urls http://127.0.0.1:5099
// Start over:   delete care-inbox.db* (next to the project when started with dotnet run).

using CareInbox;

var app = CareInboxApp.Build(args);
await app.RunAsync();
