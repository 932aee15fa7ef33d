using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>Workspaces: create, read, begin a unit of work.</summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class WorkspaceSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>A new workspace is created and reads back with every property.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task CreateWorkspace_New_ReturnsTrueAndReadsBack()
    {
        var store = await Fixture.CreateStoreAsync(Ct);
        var workspace = new Workspace { Id = new WorkspaceId("brand.one"), Name = "Brand One 🍀 品牌", CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.5)) };

        Assert.True(await store.CreateWorkspaceAsync(workspace, Ct));

        var read = await store.GetWorkspaceAsync(workspace.Id, Ct);
        Assert.Equal(workspace, read);
        Assert.Equal(workspace.CreatedAt.Offset, read!.CreatedAt.Offset);
    }

    /// <summary>Creating an existing workspace changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task CreateWorkspace_Existing_ReturnsFalseAndKeepsTheFirst()
    {
        var store = await Fixture.CreateStoreAsync(Ct);
        var id = new WorkspaceId("ws-dup");
        Assert.True(await store.CreateWorkspaceAsync(new Workspace { Id = id, Name = "First", CreatedAt = T0 }, Ct));

        Assert.False(await store.CreateWorkspaceAsync(new Workspace { Id = id, Name = "Second", CreatedAt = T0.AddDays(1) }, Ct));

        Assert.Equal("First", (await store.GetWorkspaceAsync(id, Ct))!.Name);
    }

    /// <summary>An unknown workspace reads as null.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task GetWorkspace_Unknown_ReturnsNull()
    {
        var store = await Fixture.CreateStoreAsync(Ct);

        Assert.Null(await store.GetWorkspaceAsync(new WorkspaceId("nobody"), Ct));
    }

    /// <summary>A unit of work needs an existing workspace.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Begin_UnknownWorkspace_ThrowsWorkspaceNotFound()
    {
        var store = await Fixture.CreateStoreAsync(Ct);

        var ex = await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await store.BeginAsync(new WorkspaceId("nobody"), Ct));
        Assert.Equal("nobody", ex.WorkspaceId.Value);
    }

    /// <summary>A workspace without a name is refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task CreateWorkspace_EmptyName_ThrowsValidation()
    {
        var store = await Fixture.CreateStoreAsync(Ct);

        await Assert.ThrowsAsync<CareValidationException>(async () => await store.CreateWorkspaceAsync(new Workspace { Id = new WorkspaceId("x"), Name = " " }, Ct));
    }
}
