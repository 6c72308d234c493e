namespace Build.State;

/// <summary>
/// The one place that names what the build keeps under STATE_DIR. Every generated path comes from here, and Clean
/// removes only these names (plus the marker), never anything else that lies in the folder.
/// </summary>
public sealed class StateLayout(string root)
{
    /// <summary>The file the build writes when it creates (or takes over) the folder: it names the compose project.</summary>
    public const string MarkerName = ".gitlab-runner-ecr-state";

    /// <summary>The top-level names the build writes (folders and files); anything else in STATE_DIR is not the build's.</summary>
    public static readonly IReadOnlyList<string> Entries = ["helper", "helper.lock", "preflight", "compose", "runner", "pipeline", "smoketest", "server", "fleet"];

    /// <summary>Prefixes of short-lived top-level names (BuildHelper's staging and previous outputs, Up's write probe).</summary>
    public static readonly IReadOnlyList<string> TransientPrefixes = ["helper.staging-", "helper.previous-", ".write-test-"];

    /// <summary>The layout of the settings' STATE_DIR.</summary>
    public static StateLayout Of(Settings.BuildSettings settings) => new(settings.StateDirectory.FullPath);

    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    public string Marker => In(MarkerName);

    /// <summary>BuildHelper's output: per-platform binaries and manifest.json.</summary>
    public string Helper => In("helper");

    /// <summary>Preflight's logs of a failed helper run.</summary>
    public string Preflight => In("preflight");

    /// <summary>Up's generated compose files, the by-hand script and up.json.</summary>
    public string Compose => In("compose");

    public string ComposeScript => In("compose", "compose");

    public string UpState => In("compose", "up.json");

    /// <summary>The runner's /etc/gitlab-runner on the host.</summary>
    public string RunnerConfig => In("runner", "config");

    public string ConfigToml => In("runner", "config", "config.toml");

    public string DindConfig => In("runner", "dind", "config.json");

    /// <summary>The token refresher's folder (DIND_AUTH=token): <c>docker/config.json</c> for the jobs, and <c>status.json</c>.</summary>
    public string DindToken => In("runner", "dind-token");

    /// <summary>The folder DinD jobs mount read-only in token mode: it holds the config.json the refresher renews.</summary>
    public string DindTokenDocker => In("runner", "dind-token", "docker");

    public string DindTokenConfig => In("runner", "dind-token", "docker", "config.json");

    /// <summary>The refresher's last result, time and each token's expiry (never a token).</summary>
    public string DindTokenStatus => In("runner", "dind-token", "status.json");

    /// <summary>FLEET=aws: the runner container's fleeting folder (FLEETING_PLUGIN_PATH's plugins, an unpacked plugin archive).</summary>
    public string Fleeting => In("runner", "fleeting");

    /// <summary>The AWS credentials file Register writes for jobs when the keys come from the environment.</summary>
    public string JobsCredentials => In("runner", "jobs", "credentials");

    public string Backups => In("runner", "backups");

    public string PipelineFile => In("pipeline", ".gitlab-ci.yml");

    public string SmokeTestResult => In("smoketest", "junit.xml");

    /// <summary>The fleet's generated worker files (FLEET=aws): user-data, systemd units, launch template, IAM policies, CloudFormation.</summary>
    public string Fleet => In("fleet");

    /// <summary>The local GitLab's data (server mode).</summary>
    public string Server => In("server");

    public string ServerBootstrap => In("server", "bootstrap");

    /// <summary>True for a top-level name the build writes.</summary>
    public static bool IsOwnEntry(string name) =>
        name == MarkerName || Entries.Contains(name, StringComparer.Ordinal) || TransientPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    private string In(params string[] parts) => Path.Combine([Root, .. parts]);
}
