namespace Lab.Fixtures.Aws;

/// <summary>The parts of an HTTP request that AWS Signature Version 4 covers, as they are on the wire.</summary>
/// <param name="Method">HTTP method, e.g. <c>POST</c>.</param>
/// <param name="RawPath">Path as sent (still percent-encoded), e.g. <c>/</c>.</param>
/// <param name="RawQuery">Query string as sent, without the leading <c>?</c>; empty when there is none.</param>
/// <param name="Headers">Every header as name/value pairs; a name may repeat.</param>
/// <param name="Body">The request body bytes.</param>
public sealed record SigV4Request(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>Values of every header with this name (case-insensitive), in arrival order.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The first value of a header, or null when it is absent.</summary>
    public string? Header(string name) => HeaderValues(name).FirstOrDefault();

    /// <summary>A copy with one more header.</summary>
    public SigV4Request WithHeader(string name, string value) =>
        this with { Headers = [.. Headers, new(name, value)] };

    /// <summary>A copy where every header of that name is replaced by one with the given value.</summary>
    public SigV4Request ReplaceHeader(string name, string value) =>
        this with
        {
            Headers = [.. Headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)), new(name, value)],
        };
}
