namespace SocialCare.Conversations;

/// <summary>Checks and normalizes agent input (tags, text, attachments).</summary>
internal static class Normalize
{
    public const int MaxTagLength = 64;

    public static string Tag(string? tag, string field)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            throw new CareValidationException(field, "a tag must not be null, empty or white space.");
        }

        var normalized = tag.Trim().ToLowerInvariant();
        if (normalized.Length > MaxTagLength)
        {
            throw new CareValidationException(field, $"a tag is at most {MaxTagLength} characters; '{normalized[..16]}…' has {normalized.Length}.");
        }

        return normalized;
    }

    /// <summary>Adds and removes tags, keeping them distinct and ordinally sorted. Returns the same list when unchanged.</summary>
    public static IReadOnlyList<string> ChangeTags(IReadOnlyList<string> current, IEnumerable<string> add, IEnumerable<string> remove)
    {
        var set = new SortedSet<string>(current, StringComparer.Ordinal);
        var changed = false;
        foreach (var t in add)
        {
            changed |= set.Add(t);
        }

        foreach (var t in remove)
        {
            changed |= set.Remove(t);
        }

        return changed ? [.. set] : current;
    }

    public static void Text(string? text, int maxLength, string field, string? inboundEventType = null)
    {
        if (text is not null && text.Length > maxLength)
        {
            throw Fail(inboundEventType, field, $"the text is {text.Length} characters; the limit is {maxLength} (SocialCareOptions.MaxTextLength).");
        }
    }

    public static void Attachments(IReadOnlyList<Attachment>? attachments, int maxCount, string field, string? inboundEventType = null)
    {
        if (attachments is null)
        {
            throw Fail(inboundEventType, field, "must not be null; use an empty list.");
        }

        if (attachments.Count > maxCount)
        {
            throw Fail(inboundEventType, field, $"{attachments.Count} attachments; the limit is {maxCount} (SocialCareOptions.MaxAttachments).");
        }

        for (var i = 0; i < attachments.Count; i++)
        {
            var a = attachments[i];
            var path = $"{field}[{i}]";
            if (a is null)
            {
                throw Fail(inboundEventType, path, "must not be null.");
            }

            if (!Enum.IsDefined(a.Kind))
            {
                throw Fail(inboundEventType, $"{path}.Kind", $"'{a.Kind}' is not an AttachmentKind.");
            }

            if (a.Kind == AttachmentKind.Location)
            {
                if (a.Location is null)
                {
                    throw Fail(inboundEventType, $"{path}.Location", "a location attachment needs the place (latitude and longitude).");
                }

                if (a.Location.Latitude is < -90 or > 90 || double.IsNaN(a.Location.Latitude))
                {
                    throw Fail(inboundEventType, $"{path}.Location.Latitude", $"must be between -90 and 90; it is {a.Location.Latitude}.");
                }

                if (a.Location.Longitude is < -180 or > 180 || double.IsNaN(a.Location.Longitude))
                {
                    throw Fail(inboundEventType, $"{path}.Location.Longitude", $"must be between -180 and 180; it is {a.Location.Longitude}.");
                }
            }
            else if (a.Url is null)
            {
                throw Fail(inboundEventType, $"{path}.Url", $"a {a.Kind} attachment needs a URL (or the platform's media reference as a URI).");
            }

            if (a.SizeBytes is < 0)
            {
                throw Fail(inboundEventType, $"{path}.SizeBytes", $"must not be negative; it is {a.SizeBytes}.");
            }
        }
    }

    private static CareValidationException Fail(string? inboundEventType, string field, string reason) =>
        inboundEventType is null ? new CareValidationException(field, reason) : new InvalidInboundEventException(inboundEventType, field, reason);
}
