using System.Xml.Linq;
using Build.Docker;
using Build.Helper;
using Build.Processes;
using Build.RunnerConfig;
using Build.Settings;

namespace Build.Runner;

/// <summary>
/// Status: one screen of what is there (containers, helper, credentials, registries, runner entry, last SmokeTest),
/// each line read from Docker or the state folder; nothing missing is an error.
/// </summary>
/// <param name="runGitLab">The run's GitLab, asked only when config.toml holds the runner.</param>
public sealed class RunnerStatus(BuildSettings settings, State.StateLayout state, DockerCli docker, Func<GitLab.EffectiveGitLab> runGitLab)
{
    /// <summary>Where SmokeTest leaves its result (JUnit XML).</summary>
    public static string SmokeTestResult(BuildSettings settings) => State.StateLayout.Of(settings).SmokeTestResult;

    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string> { $"project      {settings.ComposeProjectName} (state folder {settings.StateDirectory.FullPath}{(Directory.Exists(settings.StateDirectory.FullPath) ? string.Empty : ", not created yet")})" };
        lines.AddRange(Containers());
        lines.Add("helper       " + Helper(settings));
        lines.Add($"credentials  CREDENTIALS_SOURCE={CredentialsName(settings.Aws.CredentialsSource)}{(settings.Aws.CredentialsSource == CredentialsSource.File ? $", file {settings.Aws.CredentialsFile?.FullPath ?? "(none set)"}{(settings.Aws.CredentialsFile is { } f && !File.Exists(f.FullPath) ? " (missing)" : string.Empty)}" : string.Empty)}");
        lines.Add("registries   " + (settings.Aws.Registries.Count == 0 ? "(none set: ECR_REGISTRIES)" : string.Join(", ", settings.Aws.Registries.Select(r => r.Host))));
        if (settings.Server.Enabled)
        {
            var token = new Server.ServerState(state).TokenFile;
            lines.Add($"server       local GitLab {Build.GitLab.EffectiveGitLab.LocalUrl(settings)} (runners: http://gitlab:{settings.Server.WebPort}), project root/{settings.Server.Project}, root token {(File.Exists(token) ? token : "not created yet (./build.sh --target=Up --server bootstraps it)")}");
        }

        lines.Add("runner       " + Runner());
        lines.AddRange(DindAuth());
        lines.Add("smoke test   " + SmokeTest(settings));
        return lines;
    }

    private IReadOnlyList<string> DindAuth()
    {
        if (settings.Runner.DindAuth != Settings.DindAuth.Token)
        {
            return DindToken.TokenReport.Lines(settings, state, (null, null), null, DateTimeOffset.UtcNow);
        }

        (DindToken.TokenStatus?, string?) read;
        try
        {
            read = (DindToken.TokenStatus.Read(state.DindTokenStatus), null);
        }
        catch (InvalidDataException ex)
        {
            read = (null, ex.Message);
        }

        string? refresher;
        try
        {
            docker.Engine(TimeSpan.FromSeconds(10));
            refresher = docker.ContainerIds(ProjectLabels.Of(settings.ComposeProjectName, DindToken.TokenRefresher.Role)).FirstOrDefault() is { } id ? docker.ContainerStatus(id) : null;
        }
        catch (CommandException)
        {
            refresher = "unknown";
        }

        return DindToken.TokenReport.Lines(settings, state, read, refresher, DateTimeOffset.UtcNow);
    }

    private IEnumerable<string> Containers()
    {
        try
        {
            docker.Engine(TimeSpan.FromSeconds(10));
            var containers = new ProjectResources(docker, settings.ComposeProjectName).Containers();
            return containers.Count == 0
                ? ["containers   none (./build.sh --target=Up starts the runner)"]
                : containers.Select((c, i) => (i == 0 ? "containers   " : "             ") + $"{c.Name}: {c.Detail}");
        }
        catch (CommandException ex)
        {
            return [$"containers   unknown: Docker is not reachable ({ex.Message})"];
        }
    }

    private static string Helper(BuildSettings settings)
    {
        try
        {
            return HelperOutput.For(settings).ReadManifest() is { } manifest
                ? $"{manifest.Describe()} (HELPER_SOURCE={manifest.Source}), built {manifest.CreatedAt:yyyy-MM-dd HH:mm} UTC{(manifest.FromEarlierBuild ? "; ./build.sh --target=BuildHelper reads its version" : string.Empty)}"
                : "not built (./build.sh --target=BuildHelper)";
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return $"manifest unreadable ({ex.Message})";
        }
    }

    private static string CredentialsName(CredentialsSource source) => source switch
    {
        CredentialsSource.File => "file",
        CredentialsSource.InstanceRole => "instance-role",
        _ => "environment",
    };

    private string Runner()
    {
        var file = state.ConfigToml;
        if (!File.Exists(file))
        {
            return "not registered (no config.toml; ./build.sh --target=Register)";
        }

        try
        {
            var text = File.ReadAllText(file);
            if (ConfigToml.TokenOf(text, settings.Runner.Name, file) is null)
            {
                return $"config.toml has no entry \"{settings.Runner.Name}\" with a token ({file})";
            }

            var id = RunnerUnregister.GitLabIdOf(text, settings.Runner.Name);
            return $"\"{settings.Runner.Name}\" at {runGitLab().RunnerUrl}, GitLab id {id ?? "not written yet (the runner adds it when it starts)"} ({file})";
        }
        catch (Exception ex) when (ex is ConfigTomlException or IOException or UnauthorizedAccessException)
        {
            return $"config.toml unreadable: {ex.Message}";
        }
    }

    private static string SmokeTest(BuildSettings settings)
    {
        var file = SmokeTestResult(settings);
        if (!File.Exists(file))
        {
            return "never run";
        }

        var when = File.GetLastWriteTimeUtc(file).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC";
        try
        {
            // The counts are on each <testsuite>; a <testsuites> root may carry totals, or nothing (SmokeTest's).
            var suites = XDocument.Load(file).Descendants().Where(e => e.Name.LocalName == "testsuite").ToList();
            int Sum(string attribute) => suites.Sum(s => int.TryParse((string?)s.Attribute(attribute), out var n) ? n : 0);
            var failed = Sum("failures") + Sum("errors");
            return $"{(failed == 0 ? "passed" : $"failed ({failed} failing)")}, {when} ({file})";
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or IOException)
        {
            return $"result unreadable ({ex.Message}), {when}";
        }
    }
}
