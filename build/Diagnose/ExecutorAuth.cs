using Build.Secrets;

namespace Build.Diagnose;

/// <summary>A docker configuration the runner may read for pulls, and whether it does.</summary>
public sealed record AuthSource(string Where, string Text, bool Used)
{
    public (DockerConfigJson? Config, string? Problem) Parsed { get; init; }
}

/// <summary>
/// The executor level's docker configuration, found as the runner finds it: DOCKER_AUTH_CONFIG among the job's variables
/// (the entry's <c>environment</c>; a project or group variable would override it, which Diagnose cannot see), then the
/// runner user's <c>~/.docker/config.json</c>. A DOCKER_AUTH_CONFIG in the runner process's own environment is not read
/// by the runner; it is looked at only to say so.
/// </summary>
public sealed class ExecutorAuth
{
    public const string HelperSuffix = "ecr-login";

    private ExecutorAuth(IReadOnlyList<AuthSource> sources, string dockerConfigPath)
    {
        Sources = sources;
        DockerConfigPath = dockerConfigPath;
        Effective = sources.FirstOrDefault(s => s.Used) ?? sources.FirstOrDefault();
    }

    public IReadOnlyList<AuthSource> Sources { get; }

    /// <summary>The configuration the runner reads first (or, when it reads none, the unused one to explain).</summary>
    public AuthSource? Effective { get; }

    public DockerConfigJson? Config => Effective?.Parsed.Config;

    public string DockerConfigPath { get; }

    /// <summary>The private ECR and ECR Public hosts the effective configuration sends to the ECR helper.</summary>
    public IReadOnlyList<string> EcrHosts => Config is null ? [] : [.. Config.CredHelpers.Where(h => h.Value == HelperSuffix && RegistryHosts.IsEcr(h.Key)).Select(h => RegistryHosts.Normalise(h.Key)).Distinct()];

    public static ExecutorAuth Read(DiagnosedEntry entry, IRunnerProcess runner, Redactor redactor)
    {
        var folder = runner.Environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } set ? set : runner.Home is { } home ? home.TrimEnd('/') + "/.docker" : null;
        var path = (folder ?? "~/.docker") + "/config.json";
        var sources = new List<AuthSource>();
        void Add(string where, string? text, bool used)
        {
            if (text is { Length: > 0 })
            {
                sources.Add(new AuthSource(where, text, used) { Parsed = DockerConfigJson.Parse(text, redactor, "an auth of " + where) });
            }
        }

        Add("DOCKER_AUTH_CONFIG in the entry's environment", entry.Variable("DOCKER_AUTH_CONFIG"), used: true);
        Add($"the runner user's docker config {path} {runner.Where}", folder is null ? null : runner.ReadFile(path), used: true);
        Add($"DOCKER_AUTH_CONFIG in the environment of the runner process {runner.Where}", runner.Environment.GetValueOrDefault("DOCKER_AUTH_CONFIG"), used: false);
        return new ExecutorAuth(sources, path);
    }

    public IEnumerable<Finding> Check(RunnerVersion version, IReadOnlyDictionary<string, string> environment, DateTimeOffset now)
    {
        yield return Presence();
        yield return Json();
        foreach (var finding in CredsStoreChecks.Run(Config, version, environment))
        {
            yield return finding;
        }

        yield return CredHelpers(version);
        yield return AuthsChecks.Run([.. Sources.Where(s => s.Used)], now);
    }

    private Finding Presence()
    {
        const string Id = "executor.auth-config", Check = "DOCKER_AUTH_CONFIG";
        var ignored = Sources.FirstOrDefault(s => !s.Used);
        var note = ignored is null ? string.Empty : " (the DOCKER_AUTH_CONFIG in the runner process's environment is not used: the runner reads it from the job's variables)";
        if (Effective is { Used: true } used)
        {
            var overridable = used.Where.Contains("entry", StringComparison.Ordinal) ? "; a project or group CI/CD variable of the same name would override it (not visible from here)" : string.Empty;
            return Finding.Ok(Id, Check, $"{used.Where}{overridable}{note}");
        }

        const string Entry = "environment = [\"DOCKER_AUTH_CONFIG={\\\"credHelpers\\\":{\\\"<account>.dkr.ecr.<region>.amazonaws.com\\\":\\\"ecr-login\\\"}}\"] in its [[runners]]";
        return ignored is not null
            ? Finding.Fail(Id, Check, "DOCKER_AUTH_CONFIG is set only in the environment of the runner process, which the runner does not read for pulls: it takes DOCKER_AUTH_CONFIG from the job's variables (the entry's environment, project and group CI/CD variables) and otherwise reads the runner user's ~/.docker/config.json, so ECR images are pulled without credentials (\"no basic auth credentials\")",
                $"move it into the entry ({Entry}), or into a CI/CD variable")
            : Finding.Fail(Id, Check, $"no DOCKER_AUTH_CONFIG in the entry's environment and no docker config at {DockerConfigPath}: the runner pulls ECR images without credentials (\"no basic auth credentials\")",
                $"add it to the entry ({Entry}; ./build.sh --target=Register writes one), or as a CI/CD variable");
    }

    private Finding Json()
    {
        const string Id = "executor.auth-json", Check = "valid JSON";
        if (Effective is null)
        {
            return Finding.Skip(Id, Check, "there is no docker configuration to read");
        }

        return Effective.Parsed.Problem is { } problem
            ? Finding.Fail(Id, Check, $"{Effective.Where}: {problem}; {(Effective.Used ? "the runner cannot read it, so every pull goes without credentials" : "neither would the runner read it where it belongs")}",
                "write it as one line of JSON: in a TOML basic string each inner quote escaped once, environment = [\"DOCKER_AUTH_CONFIG={\\\"credHelpers\\\":{…}}\"], or in a TOML literal string without backslashes, environment = ['DOCKER_AUTH_CONFIG={\"credHelpers\":{…}}']")
            : Finding.Ok(Id, Check, $"{Effective.Where} is valid JSON ({Describe(Config!)})");
    }

    private Finding CredHelpers(RunnerVersion version)
    {
        const string Id = "executor.cred-helpers", Check = "credHelpers hosts";
        if (Config is null || Config.CredHelpers.Count == 0)
        {
            return Finding.Skip(Id, Check, Config is null ? "no docker configuration to read" : "no credHelpers");
        }

        if (version.Below(RunnerVersion.CredHelpers))
        {
            return Finding.Fail(Id, Check, $"credHelpers needs GitLab Runner {RunnerVersion.CredHelpers} or later, and this one is {version.Number}: it ignores them", "upgrade the runner, or use credsStore (runner 9.5 and later)");
        }

        var problems = Config.CredHelpers.Where(h => h.Value == HelperSuffix).Select(h => RegistryHosts.Problem(h.Key)).OfType<string>()
            .Concat(Config.CredHelpers.Where(h => h.Value.Contains('/', StringComparison.Ordinal) || h.Value.Length == 0).Select(h => $"\"{h.Key}\" names the helper \"{h.Value}\", and the runner takes only a bare name (docker-credential-<name> on its PATH), so it refuses to resolve credentials at all"))
            .ToList();
        return problems.Count > 0
            ? Finding.Fail(Id, Check, string.Join("; ", problems), "name each registry host exactly, one credHelpers entry per host (<12-digit account>.dkr.ecr.<region>.amazonaws.com, or public.ecr.aws), with the bare helper name \"ecr-login\"")
            : Finding.Ok(Id, Check, EcrHosts.Count == 0 ? "no ECR host (other helpers only)" : string.Join(", ", EcrHosts));
    }

    private static string Describe(DockerConfigJson config) =>
        string.Join(", ", new[]
        {
            config.CredsStore is { } store ? $"credsStore {store}" : null,
            config.CredHelpers.Count > 0 ? $"{config.CredHelpers.Count} credHelpers" : null,
            config.Auths.Count > 0 ? $"{config.Auths.Count} auths" : null,
        }.OfType<string>()) is { Length: > 0 } text ? text : "empty";
}
