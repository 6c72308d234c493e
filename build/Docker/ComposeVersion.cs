using System.Text.RegularExpressions;

namespace Build.Docker;

/// <summary>Which Compose the machine has: the v2 plugin (<c>docker compose</c>) or the v1 program (<c>docker-compose</c>).</summary>
public sealed partial record ComposeVersion(int Major, string Version, string Command)
{
    public bool IsPlugin => Command == "docker";

    [GeneratedRegex(@"v?([0-9]+)\.([0-9]+)\.([0-9]+)")]
    private static partial Regex VersionPattern();

    /// <summary>Reads the version from the output of <c>version --short</c> or <c>version</c>/<c>--version</c> of either Compose.</summary>
    public static ComposeVersion? Parse(string output, string command)
    {
        var match = VersionPattern().Match(output);
        if (!match.Success)
        {
            return null;
        }

        var version = $"{match.Groups[1].Value}.{match.Groups[2].Value}.{match.Groups[3].Value}";
        return new ComposeVersion(int.Parse(match.Groups[1].Value), version, command);
    }

    public override string ToString() => IsPlugin ? $"docker compose v{Version} (plugin)" : $"docker-compose {Version}";
}
