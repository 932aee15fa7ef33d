using SocialCare.Storage;
using Xunit;

namespace SocialCare.Testing.Storage;

/// <summary>
/// Dead letters (<see cref="IDeadLetterStore"/>): kept exactly (every body byte), listed newest first, deleted; the
/// first of two with one id wins; invalid ones are refused and leave nothing.
/// </summary>
/// <typeparam name="TFixture">The provider's fixture.</typeparam>
/// <param name="fixture">The provider's fixture.</param>
public abstract class DeadLetterSpecification<TFixture>(TFixture fixture) : CareStoreSpecification<TFixture>(fixture)
    where TFixture : CareStoreFixture
{
    /// <summary>Dead letters list newest first, up to the count asked; a delete removes one, once.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task AddListDelete_NewestFirst()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        var oldest = NewDeadLetter(T0.AddMinutes(1));
        var newest = NewDeadLetter(T0.AddMinutes(3));
        var middle = NewDeadLetter(T0.AddMinutes(2));
        foreach (var d in new[] { oldest, newest, middle })
        {
            await deadLetters.AddDeadLetterAsync(d, Ct);
        }

        Assert.Equal([newest.Id, middle.Id, oldest.Id], (await deadLetters.ListDeadLettersAsync(10, Ct)).Select(d => d.Id));
        Assert.Equal([newest.Id, middle.Id], (await deadLetters.ListDeadLettersAsync(2, Ct)).Select(d => d.Id));

        Assert.True(await deadLetters.DeleteDeadLetterAsync(middle.Id, Ct));
        Assert.False(await deadLetters.DeleteDeadLetterAsync(middle.Id, Ct));
        Assert.False(await deadLetters.DeleteDeadLetterAsync(Guid.NewGuid(), Ct));
        Assert.Equal([newest.Id, oldest.Id], (await deadLetters.ListDeadLettersAsync(10, Ct)).Select(d => d.Id));
    }

    /// <summary>Newest first compares instants, not local clock readings: a later instant with a smaller offset still lists first.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task List_OrdersByInstantAcrossOffsets()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        var earlierInPlus5 = NewDeadLetter(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.FromHours(5))); // 08:00Z
        var laterInUtc = NewDeadLetter(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await deadLetters.AddDeadLetterAsync(earlierInPlus5, Ct);
        await deadLetters.AddDeadLetterAsync(laterInUtc, Ct);

        Assert.Equal([laterInUtc.Id, earlierInPlus5.Id], (await deadLetters.ListDeadLettersAsync(10, Ct)).Select(d => d.Id));
    }

    /// <summary>Every field reads back as written: the body byte for byte (bytes that are not UTF-8, an empty body, 1 MB), the timestamp with its offset.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Add_RoundTripsEveryFieldAndEveryBodyByte()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        byte[] notUtf8 = [0xFF, 0xFE, 0x00, 0xC3, 0x28, 0xA0, 0xA1, 0x80, 0x00, 0x7F, 0xF8, 0x88, 0x80, 0x80, 0x80];
        var large = new byte[1024 * 1024];
        for (var i = 0; i < large.Length; i++)
        {
            large[i] = unchecked((byte)((i * 31) ^ (i >> 8)));
        }

        var full = NewDeadLetter(new DateTimeOffset(2026, 3, 1, 11, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567)) with
        {
            RegistrationName = "brand-eu",
            ContentType = "application/json; charset=utf-8",
            Body = notUtf8,
            Url = "https://hooks.example.com/socialcare/whatsapp/brand-eu?x=1&y=%C3%A9",
        };
        var empty = NewDeadLetter(T0.AddMinutes(1)) with { Channel = ChannelKind.Messenger, Method = "GET", Body = ReadOnlyMemory<byte>.Empty };
        var big = NewDeadLetter(T0.AddMinutes(2)) with { Body = large, ContentType = "application/octet-stream" };

        var expectedFull = full with { Body = notUtf8.ToArray() };
        foreach (var d in new[] { full, empty, big })
        {
            await deadLetters.AddDeadLetterAsync(d, Ct);
        }

        notUtf8[0] = 0x00; // the caller reuses its buffer: the store kept its own copy
        var listed = (await deadLetters.ListDeadLettersAsync(10, Ct)).ToDictionary(d => d.Id);

        Assert.Equal(3, listed.Count);
        AssertSame(expectedFull, listed[full.Id]);
        AssertSame(empty, listed[empty.Id]);
        AssertSame(big, listed[big.Id]);
    }

    /// <summary>Adding an id again keeps the first dead letter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Add_SameIdTwice_KeepsTheFirst()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        var first = NewDeadLetter(T0);
        await deadLetters.AddDeadLetterAsync(first, Ct);

        await deadLetters.AddDeadLetterAsync(first with { Reason = "second", ReceivedAt = T0.AddHours(1), Body = new byte[] { 1, 2, 3 } }, Ct);

        AssertSame(first, Assert.Single(await deadLetters.ListDeadLettersAsync(10, Ct)));
    }

    /// <summary>A dead letter without a reason, id or channel is refused with a validation error, and nothing is stored.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Add_Invalid_ThrowsValidationAndStoresNothing()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        var valid = NewDeadLetter(T0);

        await Assert.ThrowsAsync<CareValidationException>(async () => await deadLetters.AddDeadLetterAsync(valid with { Reason = string.Empty }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await deadLetters.AddDeadLetterAsync(valid with { Reason = "  " }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await deadLetters.AddDeadLetterAsync(valid with { Id = Guid.Empty }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await deadLetters.AddDeadLetterAsync(valid with { Channel = default }, Ct));
        await Assert.ThrowsAsync<CareValidationException>(async () => await deadLetters.AddDeadLetterAsync(valid with { Url = string.Empty }, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await deadLetters.AddDeadLetterAsync(null!, Ct));

        Assert.Empty(await deadLetters.ListDeadLettersAsync(1000, Ct));
    }

    /// <summary>A list asks for 1 to 1000 dead letters.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task List_CountOutsideOneToThousand_Throws()
    {
        var deadLetters = await NewDeadLetterStoreAsync();
        await deadLetters.AddDeadLetterAsync(NewDeadLetter(T0), Ct);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await deadLetters.ListDeadLettersAsync(0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await deadLetters.ListDeadLettersAsync(-1, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await deadLetters.ListDeadLettersAsync(1001, Ct));
        Assert.Single(await deadLetters.ListDeadLettersAsync(1, Ct));
        Assert.Single(await deadLetters.ListDeadLettersAsync(1000, Ct));
    }

    /// <summary>A fresh store, as a dead-letter store.</summary>
    /// <returns>The dead-letter store.</returns>
    protected async Task<IDeadLetterStore> NewDeadLetterStoreAsync()
    {
        var (store, _) = await NewStoreAsync();
        var deadLetters = store as IDeadLetterStore;
        Assert.True(deadLetters is not null, $"{store.GetType().Name} does not implement IDeadLetterStore; every care store must (webhook ingestion keeps what it cannot process there).");
        return deadLetters;
    }

    /// <summary>A new dead letter with a fresh id.</summary>
    /// <param name="receivedAt">When it was received.</param>
    /// <returns>The dead letter.</returns>
    protected DeadLetter NewDeadLetter(DateTimeOffset receivedAt) => new()
    {
        Id = Guid.CreateVersion7(NextTime()),
        Channel = ChannelKind.WhatsApp,
        ReceivedAt = receivedAt,
        Reason = "no registration for phone number id 123",
        Method = "POST",
        Url = "https://hooks.example.com/socialcare/whatsapp",
        Body = "{\"object\":\"whatsapp_business_account\"}"u8.ToArray(),
    };

    /// <summary>Asserts every field equal, the timestamp with its offset, the body byte for byte.</summary>
    /// <param name="expected">What was added.</param>
    /// <param name="actual">What was read.</param>
    protected static void AssertSame(DeadLetter expected, DeadLetter actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Channel, actual.Channel);
        Assert.Equal(expected.RegistrationName, actual.RegistrationName);
        Assert.Equal(expected.ReceivedAt, actual.ReceivedAt);
        Assert.Equal(expected.ReceivedAt.Offset, actual.ReceivedAt.Offset);
        Assert.Equal(expected.ReceivedAt.Ticks, actual.ReceivedAt.Ticks);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Url, actual.Url);
        Assert.Equal(expected.ContentType, actual.ContentType);
        Assert.Equal(expected.Body.Length, actual.Body.Length);
        Assert.True(expected.Body.Span.SequenceEqual(actual.Body.Span), "The body bytes differ.");
    }
}
