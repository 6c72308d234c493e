using System.Text.RegularExpressions;

namespace Build.Docker;

/// <summary>A docker image reference split into registry host, repository, tag and digest.</summary>
public sealed partial record ImageReference(string? Registry, string Repository, string? Tag, string? Digest)
{
    [GeneratedRegex(@"\A(?:(?<registry>(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+(?::[0-9]+)?|localhost(?::[0-9]+)?|[a-zA-Z0-9-]+:[0-9]+)/)?(?<repo>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?\z")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out ImageReference? reference)
    {
        var match = Pattern().Match(text.Trim(' ', '\t'));
        reference = match.Success
            ? new ImageReference(
                match.Groups["registry"].Success ? match.Groups["registry"].Value.ToLowerInvariant() : null,
                match.Groups["repo"].Value,
                match.Groups["tag"].Success ? match.Groups["tag"].Value : null,
                match.Groups["digest"].Success ? match.Groups["digest"].Value : null)
            : null;
        return match.Success;
    }

    public override string ToString() =>
        (Registry is null ? string.Empty : Registry + "/") + Repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);
}
