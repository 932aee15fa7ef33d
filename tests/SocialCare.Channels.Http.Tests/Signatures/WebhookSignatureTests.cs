using System.Text;
using System.Text.Json;

namespace SocialCare.Channels.Http.Signatures;

public sealed class WebhookSignatureTests
{
    private static readonly Vector Pywa = Vector.Load("whatsapp/pywa-x-hub-signature-256.signature.json");

    [Fact]
    public void VerifyHex_PywaVector_Verifies()
    {
        Assert.True(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, Pywa.Signature, "sha256="));
    }

    [Fact]
    public void ComputeHex_PywaVector_EqualsExpectedSignature()
    {
        Assert.Equal(Pywa.Signature, WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(Pywa.Secret), Pywa.Body, "sha256="));
    }

    [Fact]
    public void VerifyHex_UpperCaseHexAndPrefix_Verifies()
    {
        Assert.True(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, Pywa.Signature.ToUpperInvariant(), "sha256="));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(510)]
    public void VerifyHex_BodyChangedByOneByte_Fails(int index)
    {
        var body = Pywa.Body.ToArray();
        body[index] ^= 0x01;

        Assert.False(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret, body, Pywa.Signature, "sha256="));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(70)]
    public void VerifyHex_SignatureChangedByOneCharacter_Fails(int index)
    {
        var chars = Pywa.Signature.ToCharArray();
        chars[index] = chars[index] == '0' ? '1' : '0';

        Assert.False(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, new string(chars), "sha256="));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441")]
    [InlineData("54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441")]
    [InlineData("sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc4")]
    [InlineData("sha256=zzedfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441")]
    public void VerifyHex_MissingOrMalformedSignature_FailsWithoutThrowing(string? signature)
    {
        Assert.False(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, signature, "sha256="));
    }

    [Fact]
    public void VerifyHex_WrongSecret_Fails()
    {
        Assert.False(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, Pywa.Secret + "x", Pywa.Body, Pywa.Signature, "sha256="));
    }

    [Fact]
    public void HmacSha1_Rfc2202Case2_ComputesAndVerifiesHexAndBase64()
    {
        // RFC 2202, test case 2: key "Jefe", data "what do ya want for nothing?".
        var key = "Jefe"u8.ToArray();
        var data = "what do ya want for nothing?"u8.ToArray();
        const string Hex = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";

        Assert.Equal(Hex, WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha1, key, data));
        Assert.True(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha1, key, data, "sha1=" + Hex, "sha1="));
        var base64 = Convert.ToBase64String(Convert.FromHexString(Hex));
        Assert.Equal(base64, WebhookSignature.ComputeBase64(SignatureAlgorithm.HmacSha1, key, data));
        Assert.True(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha1, key, data, base64));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha1, key, "what do ya want for nothing!"u8, base64));
    }

    [Fact]
    public void VerifyBase64_PywaVectorAsBase64_VerifiesAndRejectsGarbage()
    {
        var key = Encoding.UTF8.GetBytes(Pywa.Secret);
        var base64 = Convert.ToBase64String(Convert.FromHexString(Pywa.Signature["sha256=".Length..]));

        Assert.True(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, key, Pywa.Body, base64));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, key, Pywa.Body, "not base64!"));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, key, Pywa.Body, null));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, key, Pywa.Body, Convert.ToBase64String(new byte[20])));
    }

    [Fact]
    public void VerifyBase64_SecretAsText_VerifiesThePywaVectorAndRejectsOtherSecrets()
    {
        var base64 = Convert.ToBase64String(Convert.FromHexString(Pywa.Signature["sha256=".Length..]));

        Assert.True(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, base64));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, Pywa.Secret + "x", Pywa.Body, base64));
        Assert.False(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha256, Pywa.Secret, Pywa.Body, "not base64!"));
        Assert.True(WebhookSignature.VerifyBase64(SignatureAlgorithm.HmacSha1, "Jefe", "what do ya want for nothing?"u8, Convert.ToBase64String(Convert.FromHexString("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))));
    }

    [Fact]
    public async Task VerifyHex_ReusedKeyedHashes_ManyThreadsAndSecretsAtOnce_EveryAnswerRight()
    {
        // The keyed hash of each secret is pooled and reused: concurrent use must neither mix secrets nor leave state
        // from one body in the next.
        var secrets = Enumerable.Range(0, 8).Select(i => $"secret-{i}").ToArray();
        var bodies = Enumerable.Range(0, 16).Select(i => Encoding.UTF8.GetBytes($"{{\"n\":{i},\"pad\":\"{new string('x', i * 37)}\"}}")).ToArray();
        var signatures = secrets.Select(s => bodies.Select(b => WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, Encoding.UTF8.GetBytes(s), b, "sha256=")).ToArray()).ToArray();

        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var s = (i + worker) % secrets.Length;
                var b = (i * 7 + worker) % bodies.Length;
                var other = (s + 1) % secrets.Length;
                if (!WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, secrets[s], bodies[b], signatures[s][b], "sha256=")
                    || WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, secrets[other], bodies[b], signatures[s][b], "sha256="))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void VerifyHex_SameSecretWithSha256ThenSha1OnOneThread_EachVerifiesWithItsOwnAlgorithm()
    {
        // A thread keeps the keyed hash of the first secret it verifies with; the algorithm is part of that key.
        var body = Encoding.UTF8.GetBytes("{\"same\":\"body\"}");
        var key = Encoding.UTF8.GetBytes("one-secret");
        var sha256 = WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha256, key, body, "sha256=");
        var sha1 = WebhookSignature.ComputeHex(SignatureAlgorithm.HmacSha1, key, body, "sha1=");
        var results = new List<bool>();

        var thread = new Thread(() =>
        {
            results.Add(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, "one-secret", body, sha256, "sha256="));
            results.Add(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha1, "one-secret", body, sha1, "sha1="));
            results.Add(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha1, "one-secret", body, "sha1=" + sha256[7..47], "sha1="));
            results.Add(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, "another-secret", body, sha256, "sha256="));
            results.Add(WebhookSignature.VerifyHex(SignatureAlgorithm.HmacSha256, "one-secret", body, sha256, "sha256="));
        });
        thread.Start();
        thread.Join();

        Assert.Equal([true, true, false, false, true], results);
    }

    private sealed record Vector(string Secret, byte[] Body, string Signature)
    {
        public static Vector Load(string relative)
        {
            using var json = JsonDocument.Parse(Fixtures.Bytes(relative));
            var root = json.RootElement;
            var folder = System.IO.Path.GetDirectoryName(relative)!;
            return new Vector(
                root.GetProperty("secret").GetString()!,
                Fixtures.Bytes(System.IO.Path.Combine(folder, root.GetProperty("body_file").GetString()!)),
                root.GetProperty("expected_signature").GetString()!);
        }
    }
}
