using System.Reflection;
using SocialCare.Testing.Channels;
using Xunit.Sdk;

namespace SocialCare.Testing.Tests.Channels;

/// <summary>The specification suites have teeth: each fact fails against an adapter with the flaw it is about.</summary>
public sealed class SpecificationCatchesFlawsTests
{
    [Theory]
    [InlineData(Flaws.AcceptsUnsigned, false, "MissingSignature_IsRejected")]
    [InlineData(Flaws.AcceptsUnsigned, false, "WrongSignature_IsRejected")]
    [InlineData(Flaws.AcceptsUnsigned, false, "BodyChangedByOneByte_IsRejected")]
    [InlineData(Flaws.ThrowsOnGarbage, false, "SignedGarbage_IsUnparseableAndNeverThrows")]
    [InlineData(Flaws.HasNoCapabilities, false, "Capabilities_AreSane")]
    [InlineData(Flaws.IgnoresMaxTextLength, false, "Send_TextLongerThanMaxTextLength_FailsWithoutCallingThePlatform")]
    [InlineData(Flaws.ServerErrorNotRetryable, false, "Send_ServerErrorOnce_IsRetryableFailureOrRetriedOnce")]
    [InlineData(Flaws.ServerErrorNotRetryable, false, "Send_ServerErrorAlways_IsRetryableFailureAfterBoundedAttempts")]
    [InlineData(Flaws.DropsRetryAfter, false, "Send_ThrottledWithRetryAfter_IsRetryableWithTheWaitOrWaitedFor")]
    [InlineData(Flaws.RetriesWithoutWaiting, true, "Send_ThrottledWithRetryAfter_IsRetryableWithTheWaitOrWaitedFor")]
    [InlineData(Flaws.RetriesRefusals, false, "Send_Refused_IsNotRetryableFailure")]
    [InlineData(Flaws.NoOutboundCheck, false, "CheckOutbound_RefusesWhatSendRefuses_WithoutCallingThePlatform")]
    public async Task Fact_FailsForTheFlaw(Flaws flaws, bool retriesInternally, string fact)
    {
        await using var fixture = new FlawedFixture(flaws, retriesInternally);
        object suite = fact.StartsWith("Send_", StringComparison.Ordinal) || fact.StartsWith("CheckOutbound_", StringComparison.Ordinal) ? new FlawedSendSuite(fixture) : new FlawedWebhookSuite(fixture);
        var method = suite.GetType().GetMethod(fact, BindingFlags.Public | BindingFlags.Instance)!;

        var failure = await Record.ExceptionAsync(() => (Task)method.Invoke(suite, null)!);

        Assert.NotNull(failure);
        Assert.IsNotType<SkipException>(failure, exactMatch: false);
    }

    [Theory]
    [InlineData("Send_ServerErrorOnce_IsRetryableFailureOrRetriedOnce")]
    [InlineData("Send_Refused_IsNotRetryableFailure")]
    [InlineData("MissingSignature_IsRejected")]
    public async Task Fact_PassesWithoutFlaws(string fact)
    {
        await using var fixture = new FlawedFixture(Flaws.None, retriesInternally: false);
        object suite = fact.StartsWith("Send_", StringComparison.Ordinal) ? new FlawedSendSuite(fixture) : new FlawedWebhookSuite(fixture);

        await (Task)suite.GetType().GetMethod(fact, BindingFlags.Public | BindingFlags.Instance)!.Invoke(suite, null)!;
    }

    internal sealed class FlawedFixture : ReferenceAdapterFixture
    {
        public FlawedFixture(Flaws flaws, bool retriesInternally)
        {
            Flaws = flaws;
            RetriesInternally = retriesInternally;
        }
    }

    internal sealed class FlawedWebhookSuite(FlawedFixture f) : ChannelWebhookSpecification<FlawedFixture>(f);

    internal sealed class FlawedSendSuite(FlawedFixture f) : ChannelSendSpecification<FlawedFixture>(f);
}
