using System.Text.RegularExpressions;
using Build.Aws;
using Build.Docker;
using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

public enum CredentialsSource
{
    File,
    InstanceRole,
    Environment,
}

/// <summary>
/// The run's settings: typed, read-only, built once before any task runs (see <see cref="Load"/>).
/// Secrets are <see cref="Secret"/>s, so printing this object or any property never shows them.
/// </summary>
public sealed partial class BuildSettings
{
    private BuildSettings()
    {
    }

    public required DirectoryPath StateDirectory { get; init; }

    public required string ComposeProjectName { get; init; }

    public required CredentialsSource CredentialsSource { get; init; }

    public FilePath? CredentialsFile { get; init; }

    public required string AwsProfile { get; init; }

    public Secret? AwsAccessKeyId { get; init; }

    public Secret? AwsSecretAccessKey { get; init; }

    public Secret? AwsSessionToken { get; init; }

    public string? AwsRegion { get; init; }

    /// <summary>ECR_REGISTRIES plus the registry of PRIVATE_ECR_IMAGE, without duplicates.</summary>
    public required IReadOnlyList<EcrRegistry> Registries { get; init; }

    public ImageReference? PrivateImage { get; init; }

    /// <summary>IMAGE_PULL=missing: Up pulls an image the daemon lacks; never: a missing image is an error.</summary>
    public required bool PullMissingImages { get; init; }

    public required HelperSettings Helper { get; init; }

    public required RunnerSettings Runner { get; init; }

    public required GitLabSettings GitLab { get; init; }

    public required ServerSettings Server { get; init; }

    /// <summary>Every secret the run read, from any layer, with the setting it came from: the redactor masks them all.</summary>
    public IEnumerable<(string Name, Secret Secret)> Secrets =>
        GitLab.Secrets.Concat(new (SettingDefinition Setting, Secret? Value)[]
        {
            (SettingCatalog.AwsAccessKeyId, AwsAccessKeyId), (SettingCatalog.AwsSecretAccessKey, AwsSecretAccessKey), (SettingCatalog.AwsSessionToken, AwsSessionToken),
        }
        .Where(s => s.Value is not null)
        .Select(s => (s.Setting.Key, s.Value!)));

    /// <summary>One line per value of .env.local or .env that an argument or the environment overrides (secrets' values never shown).</summary>
    public IReadOnlyList<string> OverriddenFileValues { get; init; } = [];

    /// <summary>True when a secret's value came from the .env file (whose permissions then matter).</summary>
    public required bool SecretsFromDotEnv { get; init; }

    /// <summary>True when a secret's value came from .env.local (whose permissions then matter).</summary>
    public required bool SecretsFromDotEnvLocal { get; init; }

    // Credentials and preflight (issue 8).
    public Uri? StsEndpoint { get; init; }

    public FilePath? CaBundle { get; init; }

    public required bool WriteCredentialsFromEnv { get; init; }

    public required bool FixCredentialsMode { get; init; }

    public required SmokeSettings Smoke { get; init; }

    public required CleanSettings Clean { get; init; }

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

        FilePath? File(SettingDefinition d) => s.File(d);
        string? Matching(SettingDefinition d, Regex pattern) => s.Parse(d, SettingParsers.Matching(pattern));
        ImageReference? Image(SettingDefinition d) => s.Parse(d, SettingParsers.Image);
        bool Flag(SettingDefinition d) => s.Defaulted(d, SettingParsers.Bool);
        Secret? SecretOf(SettingDefinition d) => s.SecretOf(d);

        var registries = new List<EcrRegistry>();
        foreach (var host in (s.Get(SettingCatalog.Registries)?.Text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (EcrRegistry.TryParse(host, out var registry))
            {
                registries.Add(registry!);
            }
            else
            {
                s.Fail(SettingCatalog.Registries, $"\"{host}\" is not an ECR registry host");
            }
        }

        var privateImage = Image(SettingCatalog.PrivateImage);
        if (privateImage is not null)
        {
            if (privateImage.Registry is not null && EcrRegistry.TryParse(privateImage.Registry, out var registry))
            {
                registries.Add(registry!);
            }
            else
            {
                s.Fail(SettingCatalog.PrivateImage, "its registry is not an ECR host");
            }
        }

        var settings = new BuildSettings
        {
            StateDirectory = s.Directory(SettingCatalog.StateDir),
            ComposeProjectName = s.Defaulted(SettingCatalog.ComposeProjectName, SettingParsers.Matching(ComposeName())),
            CredentialsSource = s.Parse(SettingCatalog.CredentialsSource, ParseCredentialsSource) ?? CredentialsSource.File,
            CredentialsFile = File(SettingCatalog.CredentialsFile),
            AwsProfile = Matching(SettingCatalog.AwsProfile, ProfilePattern()) ?? string.Empty,
            AwsAccessKeyId = SecretOf(SettingCatalog.AwsAccessKeyId),
            AwsSecretAccessKey = SecretOf(SettingCatalog.AwsSecretAccessKey),
            AwsSessionToken = SecretOf(SettingCatalog.AwsSessionToken),
            AwsRegion = s.Parse(SettingCatalog.AwsRegion, text => AwsKey.IsRegionShaped(text) ? text : null),
            Registries = registries.DistinctBy(r => r.Host).ToList(),
            PrivateImage = privateImage,
            PullMissingImages = s.Defaulted(SettingCatalog.ImagePull, text => text.Trim() switch { "missing" => true, "never" => false, _ => (bool?)null }),
            OverriddenFileValues = s.Overridden.Select(o => o.Line).ToList(),
            SecretsFromDotEnv = SettingCatalog.All.Any(d => d.IsSecret && s.Get(d)?.Origin == SettingOrigin.DotEnv),
            SecretsFromDotEnvLocal = SettingCatalog.All.Any(d => d.IsSecret && s.Get(d)?.Origin == SettingOrigin.DotEnvLocal),
            StsEndpoint = s.Parse(SettingCatalog.StsEndpoint, text => Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == "https" && uri.UserInfo.Length == 0 ? uri : null),
            CaBundle = File(SettingCatalog.CaBundle),
            WriteCredentialsFromEnv = Flag(SettingCatalog.WriteCredentialsFromEnv),
            FixCredentialsMode = Flag(SettingCatalog.FixCredentialsMode),
            Helper = HelperSettings.Read(s),
            Runner = RunnerSettings.Read(s),
            GitLab = GitLabSettings.Read(s),
            Server = ServerSettings.Read(s),
            Smoke = SmokeSettings.Read(s),
            Clean = CleanSettings.Read(s),
        };

        if (s.Problems.Count > 0)
        {
            throw new SettingsException(s.Problems);
        }

        return settings;
    }

    public override string ToString() =>
        $"BuildSettings {{ Runner = {Runner.Name}, Registries = [{string.Join(", ", Registries)}], GitLab = {GitLab.Url}, Tokens = {string.Join(", ", Secrets)} }}";
}
