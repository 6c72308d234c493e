using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Aws;
using Build.Docker;
using Build.Files;
using Build.Settings;

namespace Build.Runner;

/// <summary>
/// The runner's compose project as Up starts it: the asset compose file, the values it interpolates, and the site's
/// parts (credentials per source, extra hosts, network) as a generated override. Everything here is derived from the
/// settings, the daemon's platform and the staged helper, so the same inputs give the same files and hash.
/// </summary>
public sealed class RunnerStack
{
    public const string ServerProfile = "server";
    public const string RunnerService = "runner";

    /// <summary>The DinD token refresher (DIND_AUTH=token): a service, and the profile that starts it.</summary>
    public const string TokenService = "ecr-token";

    /// <summary>The refresher's script, from the repository root.</summary>
    public static readonly string TokenScript = Path.Combine("assets", "dind-token", "refresh-dind-tokens.sh");

    private RunnerStack(BuildSettings settings, string composeFile, string directory, IReadOnlyDictionary<string, string> values, string overrideJson, RunnerCredentials credentials)
    {
        Settings = settings;
        ComposeFile = composeFile;
        Directory = directory;
        Values = values;
        OverrideJson = overrideJson;
        Credentials = credentials;
    }

    public BuildSettings Settings { get; }

    /// <summary>assets/compose/compose.yaml.</summary>
    public string ComposeFile { get; }

    /// <summary>STATE_DIR/compose: the generated files.</summary>
    public string Directory { get; }

    /// <summary>The values compose.yaml interpolates (no secret among them).</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    public string OverrideJson { get; }

    public RunnerCredentials Credentials { get; }

    /// <summary>How every Compose command of this project runs: the values to interpolate, and secret variables by environment only.</summary>
    public Processes.CommandOptions Options => new() { Environment = Values, SecretEnvironment = Credentials.Runner.SecretEnvironment };

    public string OverrideFile => Path.Combine(Directory, "runner.override.json");

    public string ValuesFile => Path.Combine(Directory, "compose.env");

    /// <summary>A script that runs the detected Compose with the same files and values, for following the runner by hand.</summary>
    public string Script => Path.Combine(Directory, "compose");

    public string RunnerConfigDirectory => Values["RUNNER_CONFIG_DIR"];

    public string HelperBinary => Values["HELPER_BINARY"];

    /// <summary>True when DinD jobs get tokens: the refresher runs beside the runner.</summary>
    public bool TokenMode => Settings.Runner.DindAuth == DindAuth.Token;

    /// <summary>The project with the profiles of the settings' services: the refresher in token mode, the server in server mode (what Up starts).</summary>
    public ComposeProject Project => ProjectWith([.. TokenMode ? [TokenService] : Array.Empty<string>(), .. Settings.Server.Enabled ? [ServerProfile] : Array.Empty<string>()]);

    /// <summary>The project with every profile (what Up validates, so the parts that are off are checked too).</summary>
    public ComposeProject ProjectWithAllProfiles => ProjectWith([TokenService, ServerProfile]);

    /// <summary>SHA-256 over everything that decides the containers: a changed hash means Compose must look again.</summary>
    public string InputsHash
    {
        get
        {
            var text = new StringBuilder(File.ReadAllText(ComposeFile)).Append('\0').Append(OverrideJson).Append('\0');
            // Turning server mode or token mode on starts another service: Up must run, though no file changed.
            foreach (var profile in Project.Profiles)
            {
                text.Append("profile=").Append(profile).Append('\0');
            }

            foreach (var (key, value) in Values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                text.Append(key).Append('=').Append(value).Append('\n');
            }

            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    /// <summary>STATE_DIR/runner/config on the host: the runner's /etc/gitlab-runner, where config.toml lives.</summary>
    public static string ConfigDirectoryFor(BuildSettings settings) => State.StateLayout.Of(settings).RunnerConfig;

    public static RunnerStack Create(BuildSettings settings, string root, string helperBinary, string helperSha256, RunnerCredentials credentials)
    {
        var state = State.StateLayout.Of(settings);
        var script = Path.Combine(root, TokenScript);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["COMPOSE_PROJECT_NAME"] = settings.ComposeProjectName,
            ["GITLAB_RUNNER_IMAGE"] = settings.Runner.Image.ToString(),
            ["RUNNER_RESTART_POLICY"] = settings.Runner.RestartPolicy,
            ["RUNNER_CONFIG_DIR"] = state.RunnerConfig,
            ["HELPER_BINARY"] = helperBinary,
            ["HELPER_SHA256"] = helperSha256,
            ["CREDENTIALS_STAMP"] = CredentialsStamp(credentials),
            ["GITLAB_SERVER_IMAGE"] = settings.Server.Image.ToString(),
            ["GITLAB_SERVER_WEB_PORT"] = settings.Server.WebPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GITLAB_SERVER_SSH_PORT"] = settings.Server.SshPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SERVER_DATA_DIR"] = state.Server,
            ["DIND_TOKEN_DIR"] = state.DindToken,
            ["DIND_TOKEN_SCRIPT"] = script,
            ["DIND_TOKEN_SCRIPT_SHA256"] = ScriptHash(settings, script),
            ["DIND_TOKEN_REGISTRIES"] = string.Join(',', settings.Aws.Registries.Select(r => r.Host)),
            ["DIND_TOKEN_REFRESH_SECONDS"] = ((long)settings.Runner.DindTokenRefresh.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new RunnerStack(
            settings,
            Path.Combine(root, "assets", "compose", "compose.yaml"),
            state.Compose,
            values,
            RenderOverride(settings, credentials),
            credentials);
    }

    /// <summary>
    /// The site-specific parts of the runner (and, in token mode, of the refresher) as a compose override (JSON is YAML to
    /// Compose): credential mounts and variables per CREDENTIALS_SOURCE (secret variables by name only: Compose takes
    /// their values from its own environment, so they are never written to a file), extra hosts, and the external network.
    /// </summary>
    public static string RenderOverride(BuildSettings settings, RunnerCredentials credentials)
    {
        var services = new JsonObject { [RunnerService] = SiteParts(settings, credentials) };
        if (settings.Fleet.Enabled)
        {
            // The manager of a fleet: the fleeting plugin's folder in the state folder (and an air-gapped plugin's binary).
            var (volumes, variables) = Fleet.FleetPlugin.ComposeParts(settings, State.StateLayout.Of(settings));
            var runner = services[RunnerService]!.AsObject();
            runner["volumes"] = new JsonArray([.. (runner["volumes"]?.AsArray().Select(v => (string)v!) ?? []).Concat(volumes).Select(v => (JsonNode)v)]);
            runner["environment"] = new JsonArray([.. (runner["environment"]?.AsArray().Select(v => (string)v!) ?? []).Concat(variables).Select(v => (JsonNode)v)]);
        }

        if (settings.Runner.DindAuth == DindAuth.Token)
        {
            // The refresher asks ECR as the runner does: the same credentials, hosts and networks.
            services[TokenService] = SiteParts(settings, credentials);
        }

        var document = new JsonObject { ["services"] = services };
        if (settings.Runner.Network is { } network)
        {
            document["networks"] = new JsonObject { ["site"] = new JsonObject { ["external"] = true, ["name"] = network } };
            if (settings.Server.Enabled)
            {
                // The jobs run on RUNNER_NETWORK: the local GitLab joins it too, where its service name resolves as well.
                services["gitlab"] = new JsonObject { ["networks"] = new JsonArray("default", "site") };
            }
        }

        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>A service's credential mounts and variables (secret ones by name only), extra hosts and networks.</summary>
    private static JsonObject SiteParts(BuildSettings settings, RunnerCredentials credentials)
    {
        var service = new JsonObject();
        var environment = new JsonArray();
        foreach (var (name, value) in credentials.Runner.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            environment.Add($"{name}={value}");
        }

        foreach (var name in credentials.Runner.SecretEnvironment.Keys.Order(StringComparer.Ordinal))
        {
            environment.Add(name);
        }

        if (environment.Count > 0)
        {
            service["environment"] = environment;
        }

        if (credentials.Runner.Mounts.Count > 0)
        {
            service["volumes"] = new JsonArray([.. credentials.Runner.Mounts.Select(m => (JsonNode)m.ToString())]);
        }

        if (settings.Runner.ExtraHosts.Count > 0)
        {
            service["extra_hosts"] = new JsonArray([.. settings.Runner.ExtraHosts.Select(h => (JsonNode)$"{h.Host}:{h.Address}")]);
        }

        if (settings.Runner.Network is not null)
        {
            service["networks"] = new JsonArray("default", "site");
        }

        return service;
    }

    /// <summary>Writes the override, the values file and the by-hand script (each atomically); returns whether any changed.</summary>
    public bool Write(ComposeVersion compose)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var values = string.Concat(Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={ShellQuote(v.Value)}\n"));
        var command = compose.IsPlugin ? "docker compose" : "docker-compose";
        var script =
            $"""
            #!/usr/bin/env bash
            # Runs {compose} on the runner's project with the files and values Up used, e.g.
            #   {Script} ps
            #   {Script} logs -f runner{(TokenMode ? $"\n#   {Script} logs -f {TokenService}" : string.Empty)}
            # Generated by ./build.sh --target=Up; with CREDENTIALS_SOURCE=environment, export the AWS_* keys first.
            set -euo pipefail
            set -a; . {ShellQuote(ValuesFile)}; set +a
            exec {command} --project-name {ShellQuote(Settings.ComposeProjectName)} --file {ShellQuote(ComposeFile)} --file {ShellQuote(OverrideFile)}{string.Concat(Project.Profiles.Select(p => " --profile " + p))} "$@"

            """;
        var changed = AtomicFile.Write(OverrideFile, OverrideJson);
        changed |= AtomicFile.Write(ValuesFile, values);
        changed |= AtomicFile.Write(Script, script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return changed;
    }

    private ComposeProject ProjectWith(IReadOnlyList<string> profiles) =>
        new(Settings.ComposeProjectName, [new Cake.Core.IO.FilePath(ComposeFile), new Cake.Core.IO.FilePath(OverrideFile)], profiles);

    /// <summary>
    /// The credentials file's size and time, not its content: a file replaced by an editor is a new inode the running
    /// container's bind mount does not see, and a changed stamp makes Compose recreate the runner.
    /// </summary>
    private static string CredentialsStamp(RunnerCredentials credentials)
    {
        var file = credentials.Runner.Mounts.FirstOrDefault(m => m.Target == RunnerCredentials.CredentialsTarget)?.Source;
        if (file is null || !File.Exists(file))
        {
            return "none";
        }

        var info = new FileInfo(file);
        return $"{info.Length}-{info.LastWriteTimeUtc.Ticks}";
    }

    /// <summary>The refresher script's SHA-256 in token mode (a missing script is an incomplete checkout); unused otherwise.</summary>
    private static string ScriptHash(BuildSettings settings, string script)
    {
        if (settings.Runner.DindAuth != DindAuth.Token)
        {
            return "unused";
        }

        return File.Exists(script)
            ? Helper.FileHash.Sha256(script)
            : throw new BuildFailure($"{script} is missing, and DIND_AUTH=token runs it in the ecr-token service", $"restore it (git checkout -- {TokenScript}), or set DIND_AUTH=helper");
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
