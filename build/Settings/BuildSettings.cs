using System.Text.RegularExpressions;
using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>
/// The run's settings: typed, read-only, built once before any task runs (see <see cref="Load"/>), one record per
/// concern. Secrets are <see cref="Secret"/>s, so printing this object or any part of it never shows them.
/// </summary>
public sealed partial class BuildSettings
{
    private BuildSettings()
    {
    }

    /// <summary>STATE_DIR: the folder of everything the build generates.</summary>
    public required DirectoryPath StateDirectory { get; init; }

    /// <summary>COMPOSE_PROJECT_NAME: the compose project, and the label of everything the build creates (the helper build, the server, SmokeTest's containers).</summary>
    public required string ComposeProjectName { get; init; }

    /// <summary>IMAGE_PULL=missing: a missing image (the runner's, the server's, the Go toolchain, SmokeTest's) is pulled; never: it is an error.</summary>
    public required bool PullMissingImages { get; init; }

    public required AwsSettings Aws { get; init; }

    public required HelperSettings Helper { get; init; }

    public required RunnerSettings Runner { get; init; }

    public required GitLabSettings GitLab { get; init; }

    public required ServerSettings Server { get; init; }

    public required SmokeSettings Smoke { get; init; }

    public required CleanSettings Clean { get; init; }

    public required DiagnoseSettings Diagnose { get; init; }

    public required FleetSettings Fleet { get; init; }

    /// <summary>Every secret the run read, from any layer, with the setting it came from: the redactor masks them all.</summary>
    public IEnumerable<(string Name, Secret Secret)> Secrets => GitLab.Secrets.Concat(Aws.Secrets);

    /// <summary>One line per value of .env.local or .env that an argument or the environment overrides (secrets' values never shown).</summary>
    public required IReadOnlyList<string> OverriddenFileValues { get; init; }

    /// <summary>True when a secret's value came from the .env file (whose permissions then matter).</summary>
    public required bool SecretsFromDotEnv { get; init; }

    /// <summary>True when a secret's value came from .env.local (whose permissions then matter).</summary>
    public required bool SecretsFromDotEnvLocal { get; init; }

    /// <summary>
    /// Builds the settings from <c>--name=value</c> arguments, environment variables and the texts of .env.local
    /// and .env; throws <see cref="SettingsException"/> listing every invalid value.
    /// </summary>
    /// <param name="secretSeen">Called with every secret value found in any layer, before anything else runs (git's tracked check among them).</param>
    /// <param name="invocationDirectory">Where the user ran the command: relative paths from arguments and the environment start there; those from .env.local, .env and defaults start at <paramref name="root"/>.</param>
    public static BuildSettings Load(
        DirectoryPath root,
        DirectoryPath invocationDirectory,
        IReadOnlyDictionary<string, string> arguments,
        Func<string, string?> environment,
        string? dotEnvText,
        string? dotEnvLocalText = null,
        Func<bool>? dotEnvIsTracked = null,
        Action<string, Secret>? secretSeen = null)
    {
        var s = SettingsLayers.Resolve(root, invocationDirectory, arguments, environment, dotEnvText, dotEnvLocalText, dotEnvIsTracked, secretSeen);
        var settings = new BuildSettings
        {
            StateDirectory = s.Directory(SettingCatalog.StateDir),
            ComposeProjectName = s.Defaulted(SettingCatalog.ComposeProjectName, SettingParsers.Matching(ComposeName())),
            PullMissingImages = s.Defaulted(SettingCatalog.ImagePull, text => text.Trim() switch { "missing" => true, "never" => false, _ => (bool?)null }),
            Aws = AwsSettings.Read(s),
            Helper = HelperSettings.Read(s),
            Runner = RunnerSettings.Read(s),
            GitLab = GitLabSettings.Read(s),
            Server = ServerSettings.Read(s),
            Smoke = SmokeSettings.Read(s),
            Clean = CleanSettings.Read(s),
            Diagnose = DiagnoseSettings.Read(s),
            Fleet = FleetSettings.Read(s),
            OverriddenFileValues = s.Overridden.Select(o => o.Line).ToList(),
            SecretsFromDotEnv = SettingCatalog.All.Any(d => d.IsSecret && s.Get(d)?.Origin == SettingOrigin.DotEnv),
            SecretsFromDotEnvLocal = SettingCatalog.All.Any(d => d.IsSecret && s.Get(d)?.Origin == SettingOrigin.DotEnvLocal),
        };

        if (s.Problems.Count > 0)
        {
            throw new SettingsException(s.Problems);
        }

        return settings;
    }

    public override string ToString() =>
        $"BuildSettings {{ Runner = {Runner.Name}, Registries = [{string.Join(", ", Aws.Registries)}], GitLab = {GitLab.Url}, Tokens = {string.Join(", ", Secrets)} }}";

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]*\z")]
    private static partial Regex ComposeName();
}
