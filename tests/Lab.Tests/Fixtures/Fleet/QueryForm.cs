using System.Text;

namespace Lab.Fixtures.Fleet;

/// <summary>The form parameters of a Query-protocol request body (Auto Scaling and EC2 send them there).</summary>
internal static class QueryForm
{
    public static IReadOnlyList<(string Name, string Value)> Parameters(SigV4Request request) =>
        [.. Encoding.UTF8.GetString(request.Body.Span)
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0].Replace('+', ' ')), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : ""))];

    public static string? Parameter(SigV4Request request, string name) =>
        Parameters(request).Where(p => p.Name == name).Select(p => p.Value).FirstOrDefault();

    /// <summary>The values of <c>&lt;prefix&gt;1</c>, <c>&lt;prefix&gt;2</c>, … in index order.</summary>
    public static IEnumerable<string> Members(SigV4Request request, string prefix) =>
        Parameters(request)
            .Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(p.Name[prefix.Length..], out _))
            .OrderBy(p => int.Parse(p.Name[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => p.Value);
}
