using Build.Helper;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>
/// The DinD level: what a job container gets from <c>[runners.docker]</c> and the entry's <c>environment</c> for its
/// own <c>docker pull</c> (which does not use the runner's DOCKER_AUTH_CONFIG): a docker config (a file or a folder,
/// DOCKER_CONFIG), a helper that runs in the job image, credentials; and what a job could read that it should not.
/// </summary>
public sealed class DindChecks(HelperPlatform? platform, ImageProbe? images, HelperVersionReader versions, Redactor redactor, DateTimeOffset now)
{
    private const string Binary = "docker-credential-" + ExecutorAuth.HelperSuffix;

    public IEnumerable<Finding> Run(DiagnosedEntry entry)
    {
        var mounts = JobMount.Of(entry.Docker.Volumes);
        var socket = mounts.FirstOrDefault(m => m.Target == "/var/run/docker.sock");
        if (!entry.Docker.Privileged && socket is null)
        {
            yield return Finding.Skip("dind.service", "DinD in jobs", "privileged is false and the Docker socket is not mounted: jobs cannot run docker, so the DinD checks are skipped");
            yield break;
        }

        yield return Finding.Ok("dind.service", "DinD in jobs", entry.Docker.Privileged ? "privileged = true: jobs can run a DinD service (docker:dind) and pull in it" : "jobs drive the host's daemon through the mounted socket");
        var (finding, config) = DockerConfig(entry, mounts);
        yield return finding;
        yield return Helper(entry, mounts, config);
        yield return JobCredentials.Check(entry, mounts, config, socket is not null);
    }

    private (Finding, DockerConfigJson?) DockerConfig(DiagnosedEntry entry, IReadOnlyList<JobMount> mounts)
    {
        const string Id = "dind.docker-config", Check = "docker config for jobs";
        var folder = (entry.Variable("DOCKER_CONFIG") ?? "/root/.docker").TrimEnd('/');
        var file = folder + "/config.json";
        var fileMount = mounts.FirstOrDefault(m => m.Target == file);
        var mount = fileMount ?? mounts.FirstOrDefault(m => m.Target == folder);
        if (mount is null)
        {
            return (Finding.Warn(Id, Check,
                $"the jobs get no docker config ({file}) from config.toml, and docker pull in a job does not use the runner's DOCKER_AUTH_CONFIG (jobs do not inherit the executor's authentication): it pulls ECR images without credentials, unless the job image or script brings a config",
                "mount a config.json with credHelpers into the jobs with the helper and credentials ([runners.docker] volumes = [\"<config.json>:/root/.docker/config.json:ro\", …]; ./build.sh --target=Register does), or give them short-lived tokens only (a read-only folder with a config.json of auths, and DOCKER_CONFIG pointing at it)"), null);
        }

        if (!mount.FromHost)
        {
            return (Finding.Skip(Id, Check, $"{file} comes from the volume {mount.Source ?? "(anonymous)"}, which cannot be read from here"), null);
        }

        var source = mount == fileMount ? mount.Source! : mount.Source + "/config.json";

        string text;
        try
        {
            text = File.ReadAllText(source);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var missing = !File.Exists(source) && !Directory.Exists(source) ? ", so docker mounts an empty folder in its place" : string.Empty;
            return (Finding.Fail(Id, Check, $"{file} is mounted from {source}, which cannot be read on this host ({ex.GetType().Name}){missing}: the jobs get no docker config",
                "create that file (./build.sh --target=Register writes it), or correct the volume's source path"), null);
        }

        var (config, problem) = DockerConfigJson.Parse(text, redactor, "an auth of the jobs' docker config " + source);
        if (config is null)
        {
            return (Finding.Fail(Id, Check, $"{source} (the jobs' {file}): {problem}; docker in the job refuses it", "write it as valid JSON (jq . < file shows where it breaks)"), null);
        }

        var hosts = config.CredHelpers.Where(h => h.Value == ExecutorAuth.HelperSuffix).Select(h => RegistryHosts.Problem(h.Key)).OfType<string>().ToList();
        var expired = config.Auths.Where(a => RegistryHosts.IsEcr(a.Host) && a.Expires is { } at && at <= now).Select(a => $"the token for {a.Host} expired at {a.Expires!.Value.UtcDateTime:yyyy-MM-dd HH:mm}Z").ToList();
        var tokens = config.Auths.Where(a => RegistryHosts.IsEcr(a.Host)).ToList();
        var found = $"{source} mounted at {file}";
        return (
            hosts.Count > 0 ? Finding.Fail(Id, Check, $"{found}: {string.Join("; ", hosts)}", "name each registry host exactly in credHelpers, one entry per host")
            : expired.Count > 0 ? Finding.Fail(Id, Check, $"{found}: {string.Join("; ", expired)}; ECR tokens last 12 hours and nothing renewed these", "renew the tokens before they expire (a refresher that rewrites the file hourly), or use credHelpers with the helper")
            : config.CredsStore == ExecutorAuth.HelperSuffix ? Finding.Warn(Id, Check,
                $"{found}: credsStore=ecr-login sends every registry to the ECR helper, so docker login in a job (to $CI_REGISTRY, say) fails with \"not implemented\" (the helper cannot store), and pulls from other registries ask the helper too",
                "use credHelpers with one entry per ECR host instead of credsStore (or set AWS_ECR_IGNORE_CREDS_STORAGE=true for the jobs, helper 0.9.0 and later)")
            : tokens.Count > 0 && config.Helpers.All(h => h != ExecutorAuth.HelperSuffix) ? Finding.Ok(Id, Check,
                $"{found}: short-lived ECR tokens only ({string.Join(", ", tokens.Select(t => t.Expires is { } at ? $"{t.Host} until {at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : t.Host))}); something must renew them within 12 hours")
            : Finding.Ok(Id, Check, $"{found} ({(config.CredHelpers.Count > 0 ? $"credHelpers: {string.Join(", ", config.CredHelpers.Keys)}" : "no credHelpers")})"),
            config);
    }

    private Finding Helper(DiagnosedEntry entry, IReadOnlyList<JobMount> mounts, DockerConfigJson? config)
    {
        const string Id = "dind.helper", Check = "helper for jobs";
        if (config is null || !config.Helpers.Contains(ExecutorAuth.HelperSuffix))
        {
            return config is null ? Finding.Skip(Id, Check, "no docker config for the jobs to read") : Finding.Ok(Id, Check, "the jobs' docker config names no ecr-login: they need no helper");
        }

        var mount = mounts.FirstOrDefault(m => Path.GetFileName(m.Target) == Binary);
        if (mount is not { FromHost: true, Source: { } source })
        {
            return mount is null
                ? Finding.Fail(Id, Check, $"the jobs' docker config names ecr-login, but no {Binary} is mounted into the jobs: docker pull fails with \"executable file not found in $PATH\" unless the job image ({entry.Docker.Image ?? "unknown"}) has one",
                    $"mount the static helper into the jobs: [runners.docker] volumes = [\"<helper>:/usr/local/bin/{Binary}:ro\"] (./build.sh --target=Register does)")
                : Finding.Skip(Id, Check, $"the helper comes from the volume {mount.Source ?? "(anonymous)"}, which cannot be read from here");
        }

        if (!File.Exists(source))
        {
            return Finding.Fail(Id, Check, $"{mount.Target} is mounted from {source}, which does not exist on this host (docker mounts an empty folder there)", "correct the volume's source, or run ./build.sh --target=BuildHelper and Register");
        }

        var linking = StaticElf.Problem(source, platform ?? HelperLocation());
        var version = versions.Read(source, platform ?? HelperLocation()).Version ?? "unknown";
        if (linking is null)
        {
            return Finding.Ok(Id, Check, $"{source} at {mount.Target}: static (runs in glibc and musl job images), version {version}");
        }

        var tried = entry.Docker.Image is { } image ? images?.Run(image, mount.Target, ["-v"], [$"{source}:{mount.Target}:ro"]) : null;
        var seen = tried is { } run ? $"; in the job image {entry.Docker.Image} it {(run.ExitCode == 0 ? "runs (that image has glibc)" : $"exited {run.ExitCode} ({run.Output.Split('\n')[0].Trim()})")}" : $"; the job image {entry.Docker.Image ?? "(none)"} is not on this machine to try it in";
        const string Fix = "mount a static helper (CGO_ENABLED=0: an official release binary, or ./build.sh --target=BuildHelper) instead; Debian's and Ubuntu's packaged helper is linked against glibc";
        return tried is { ExitCode: 0 }
            ? Finding.Warn(Id, Check, $"{source} (version {version}): {linking}{seen}, but not in musl images (docker:*-cli, Alpine)", Fix)
            : Finding.Fail(Id, Check, $"{source} (version {version}): {linking}; in a musl job image (docker:*-cli, Alpine) it fails with exit 127 \"not found\" and docker pull with \"executable file not found\"{seen}", Fix);
    }

    private static HelperPlatform HelperLocation() => Aws.HelperLocation.Host;
}
