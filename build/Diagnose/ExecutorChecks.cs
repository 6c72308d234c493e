using Build.Aws;
using Build.Smoke;

namespace Build.Diagnose;

/// <summary>
/// The executor level beyond the docker configuration: the helpers it names as the runner process runs them (on its
/// PATH, able to run, static or not, their version), the runner's HOME and the helper's cache folder, where the helper
/// finds AWS credentials, and a <c>get</c> per ECR registry with the runner's own environment.
/// </summary>
public sealed class ExecutorChecks(IRunnerProcess runner, string configPath, RunnerVersion version)
{
    private const string Binary = "docker-credential-" + ExecutorAuth.HelperSuffix;
    private readonly Dictionary<string, (string? Path, FoundHelper? Binary)> _helpers = new(StringComparer.Ordinal);

    public IEnumerable<Finding> Run(DiagnosedEntry entry, ExecutorAuth auth)
    {
        yield return Resolves(auth);
        yield return Helper(entry, auth);
        yield return RunnerHome.Check(runner, configPath, auth.DockerConfigPath);
        yield return RunnerHome.CacheDir(runner);
        foreach (var finding in CredentialSources.Executor(runner, entry))
        {
            yield return finding;
        }

        foreach (var finding in Gets(entry, auth))
        {
            yield return finding;
        }
    }

    /// <summary>Where <c>docker-credential-&lt;suffix&gt;</c> is on the runner's PATH and what it is (asked once per run).</summary>
    private (string? Path, FoundHelper? Binary) Find(string suffix)
    {
        if (!_helpers.TryGetValue(suffix, out var found))
        {
            var path = suffix.Contains('/', StringComparison.Ordinal) ? null : runner.Which("docker-credential-" + suffix);
            _helpers[suffix] = found = (path, path is null ? null : runner.Inspect(path));
        }

        return found;
    }

    private Finding Resolves(ExecutorAuth auth)
    {
        const string Id = "executor.auth-resolves", Check = "every helper runs";
        if (auth.Config is not { } config || !config.Helpers.Any())
        {
            return Finding.Skip(Id, Check, auth.Config is null ? "no docker configuration to read" : "the configuration names no credential helper");
        }

        var broken = config.Helpers.Select(s => (Suffix: s, Found: Find(s))).Where(h => h.Found.Binary is not { Runs: true }).ToList();
        if (broken.Count == 0)
        {
            return Finding.Ok(Id, Check, "the runner can run every helper the configuration names: " + string.Join(", ", config.Helpers.Select(s => "docker-credential-" + s)));
        }

        var others = config.Auths.Count + config.CredHelpers.Count - 1;
        return Finding.Fail(Id, Check,
            $"{string.Join(", ", broken.Select(b => $"docker-credential-{b.Suffix} ({(b.Found.Path is null ? "not on the runner's PATH" : b.Found.Binary!.Said)})"))} cannot be run by the runner process {runner.Where}: "
            + $"one helper that cannot run voids all of {auth.Effective!.Where}, its credHelpers, credsStore and auths{(others > 0 ? $" ({others} other {(others == 1 ? "entry" : "entries")})" : string.Empty)} alike, and every pull goes without credentials (\"no basic auth credentials\"); {version.WhatTheJobLogSays}",
            "put each helper the configuration names on the PATH of the runner process (where gitlab-runner runs, not in the job image), or remove the entries of helpers it does not have");
    }

    private Finding Helper(DiagnosedEntry entry, ExecutorAuth auth)
    {
        const string Id = "executor.helper", Check = Binary;
        if (auth.Config?.Helpers.Contains(ExecutorAuth.HelperSuffix) != true)
        {
            return Finding.Skip(Id, Check, "the docker configuration does not name ecr-login");
        }

        var (path, binary) = Find(ExecutorAuth.HelperSuffix);
        if (path is null || binary is null)
        {
            var jobs = entry.Docker.Volumes.Any(v => v.Contains(Binary, StringComparison.Ordinal))
                ? ": it is mounted into the jobs ([runners.docker] volumes), but the runner process, not the job, runs the helper to pull the job's image"
                : string.Empty;
            return Finding.Fail(Id, Check, $"{Binary} is not on the PATH of the runner process {runner.Where} (PATH={runner.Environment.GetValueOrDefault("PATH") ?? "unset"}){jobs}",
                runner.InContainer
                    ? $"mount the static helper into the runner's container on its PATH (--volume <helper>:/usr/local/bin/{Binary}:ro; ./build.sh --target=Up does), not into the job image"
                    : $"install the static helper on the PATH of the gitlab-runner service on this host (/usr/local/bin), not into the job image; a systemd service has a PATH of its own");
        }

        if (!binary.Runs)
        {
            return Finding.Fail(Id, Check, $"{path} is on the runner's PATH but cannot run ({binary.Said}){(binary.Linking is { } why ? ": " + why : string.Empty)}",
                "use a static build (CGO_ENABLED=0: an official release binary, or ./build.sh --target=BuildHelper), which runs in glibc and musl (Alpine) images alike; Debian's and Ubuntu's packaged helper is linked against glibc");
        }

        var tooOld = auth.EcrHosts.Select(h => (Host: h, Needs: RegistryHosts.Needs(h)))
            .Where(h => h.Needs is { } n && binary.Version is { } v && System.Version.TryParse(v.TrimStart('v').Split('-')[0], out var have) && have < System.Version.Parse(n.Since))
            .Select(h => $"{h.Host} is {h.Needs!.Value.What}, which the helper accepts from {h.Needs.Value.Since} on").ToList();
        var found = $"{path}, version {binary.Version ?? "unknown"}, {(binary.Linking is null ? "static" : "not static: " + binary.Linking + " (it runs here)")}";
        return tooOld.Count > 0
            ? Finding.Fail(Id, Check, $"{found}; {string.Join("; ", tooOld)}: its get answers \"credentials not found\" for them", "install a newer static helper (./build.sh --target=BuildHelper builds HELPER_VERSION, 0.12.0 by default)")
            : Finding.Ok(Id, Check, found);
    }

    private IEnumerable<Finding> Gets(DiagnosedEntry entry, ExecutorAuth auth)
    {
        var hosts = auth.EcrHosts.ToList();
        if (auth.Config?.CredsStore == ExecutorAuth.HelperSuffix)
        {
            hosts.AddRange(new[] { entry.Docker.Image }.Concat(entry.Docker.Services).OfType<string>()
                .Select(i => Docker.ImageReference.TryParse(i, out var image) ? image?.Registry : null).OfType<string>().Where(RegistryHosts.IsEcr).Except(hosts));
        }

        if (hosts.Count == 0)
        {
            yield return Finding.Skip("executor.get", "helper get", "no ECR registry to ask for (with credsStore alone the runner's list decides, which is not run here: it calls ECR Public)");
            yield break;
        }

        var (path, binary) = Find(ExecutorAuth.HelperSuffix);
        foreach (var host in hosts)
        {
            var id = "executor.get:" + host;
            if (path is null || binary is not { Runs: true })
            {
                yield return Finding.Skip(id, "helper get", $"{host}: {Binary} cannot run {runner.Where} (above)");
                continue;
            }

            var answer = runner.Get(path, host);
            yield return answer is null
                ? Finding.Skip(id, "helper get", $"{host}: the helper's get for this host is run only in the runner's container (DIAGNOSE_CONTAINER)")
                : answer.Succeeded
                ? Finding.Ok(id, "helper get", $"{host}: token obtained {runner.Where}{(answer.Expires is { } at ? $", expires {at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : string.Empty)}")
                : answer.Cause is { } cause
                    ? Finding.Fail(id, "helper get", $"{cause.Name} ({ExecutorProbe.Sign(cause, answer.Error)}) for {host}: {cause.Cause}; the helper {answer.Error}", cause.Fix)
                    : Finding.Fail(id, "helper get", $"the helper gave no credentials for {host}: {answer.Error}", $"read the helper's log lines; check the AWS credentials the runner's environment gives it ({RunnerEnvironment.Describe(runner.Environment)})");
        }
    }
}
