using Microsoft.Extensions.DependencyInjection;

namespace SocialCare;

/// <summary>
/// The composition root of SocialCare, returned by <c>services.AddSocialCare()</c>. Channel adapters, storage providers,
/// rules and host steps add themselves with extension methods on this builder: <c>Add*</c> for what can be registered
/// many times, <c>Use*</c> for a single slot.
/// </summary>
public interface ISocialCareBuilder
{
    /// <summary>The service collection SocialCare registers into.</summary>
    IServiceCollection Services { get; }
}

internal sealed class SocialCareBuilder(IServiceCollection services) : ISocialCareBuilder
{
    public IServiceCollection Services { get; } = services;
}
