using System.Diagnostics.CodeAnalysis;

namespace SocialCare.Channels;

/// <summary>
/// A request's headers, names compared case-insensitively, a repeated name's values joined with <c>", "</c>, in the
/// order the names first appeared. A webhook carries a dozen or two headers and an adapter reads one or two of them,
/// so they are kept as one exactly sized array searched in order — a hash table costs more to build than it saves on
/// so few lookups. Past <see cref="IndexedAbove"/> names a hash index is added, so a request with many headers is not
/// searched in quadratic time.
/// </summary>
internal sealed class WebhookHeaders : IReadOnlyDictionary<string, string>
{
    /// <summary>The number of distinct names above which lookups go through a hash index.</summary>
    internal const int IndexedAbove = 24;

    private readonly KeyValuePair<string, string>[] _items;
    private readonly int _count;
    private readonly Dictionary<string, int>? _index;

    private WebhookHeaders(KeyValuePair<string, string>[] items, int count, Dictionary<string, int>? index)
    {
        _items = items;
        _count = count;
        _index = index;
    }

    public int Count => _count;

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                yield return _items[i].Key;
            }
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                yield return _items[i].Value;
            }
        }
    }

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The request has no header '{key}'.");

    /// <summary>Collects <paramref name="headers"/>; a list or array is read by index, anything else enumerated once.</summary>
    public static WebhookHeaders Create(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var builder = new Builder(headers.TryGetNonEnumeratedCount(out var count) ? count : 8);
        switch (headers)
        {
            case KeyValuePair<string, string>[] array:
                foreach (var (name, value) in array)
                {
                    builder.Add(name, value);
                }

                break;
            case IReadOnlyList<KeyValuePair<string, string>> list:
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Add(list[i].Key, list[i].Value);
                }

                break;
            default:
                foreach (var (name, value) in headers)
                {
                    builder.Add(name, value);
                }

                break;
        }

        return builder.Build();
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            value = null;
            return false;
        }

        value = _items[i].Value;
        return true;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var at) ? at : -1;
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private struct Builder(int capacity)
    {
        private KeyValuePair<string, string>[] _items = capacity == 0 ? [] : new KeyValuePair<string, string>[capacity];
        private int _count;
        private Dictionary<string, int>? _index;

        public void Add(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(name);
            var at = Find(name);
            if (at >= 0)
            {
                _items[at] = new(_items[at].Key, _items[at].Value + ", " + value);
                return;
            }

            if (_count == _items.Length)
            {
                Array.Resize(ref _items, Math.Max(4, _count * 2));
            }

            _items[_count] = new(name, value);
            _index?.Add(name, _count);
            _count++;
            if (_index is null && _count > IndexedAbove)
            {
                _index = new Dictionary<string, int>(_count * 2, StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < _count; i++)
                {
                    _index.Add(_items[i].Key, i);
                }
            }
        }

        public readonly WebhookHeaders Build()
        {
            var items = _items;
            if (_count != items.Length)
            {
                // A repeated name left unused slots: trim so the request keeps only what it needs.
                Array.Resize(ref items, _count);
            }

            return new WebhookHeaders(items, _count, _index);
        }

        private readonly int Find(string name)
        {
            if (_index is not null)
            {
                return _index.TryGetValue(name, out var at) ? at : -1;
            }

            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
