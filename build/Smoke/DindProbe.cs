using System.Diagnostics;
using Build.Aws;
using Build.Docker;
using Build.Processes;
using Build.RunnerConfig;

namespace Build.Smoke;

/// <summary>
/// The DinD level: a DinD service (alias <c>docker</c>) and a job container started as the Docker executor starts
/// them from <c>[runners.docker]</c> (the same volumes, environment, extra hosts, privileges and network mode), on a
/// network of their own (internal), and the job runs <c>docker pull</c> of each subject's image against the service:
/// over TLS on 2376 when the service wrote client certificates into <c>/certs/client</c> (docker:*-dind with
/// DOCKER_TLS_CERTDIR), otherwise on 2375 (an image without that entrypoint, such as the lab's). Before each pull the
/// job checks that it holds credentials for the image's registry (helper mode: the helper's get; token mode: an entry of
/// the refresher's config.json), so a pull that went anonymous (ECR Public serves images to anyone) fails its row
/// instead of passing. In token mode the job runs no helper, and the job container is then searched for AWS values.
/// </summary>
/// <param name="awsValues">Token mode: the runner's AWS key id, secret and session token, which the job must not hold.</param>
public sealed class DindProbe(DockerCli docker, SmokeResources resources, bool privileged, string? registryCaBundle, IReadOnlyList<Secrets.Secret>? awsValues = null)
{
    public const string Level = "DinD (docker pull in a job)";

    /// <summary>A container that is to be privileged: --privileged, or where the host refuses it (DIND_PRIVILEGED=false) the equivalent capability set.</summary>
    public static ContainerSpec Privileged(ContainerSpec spec, bool privileged) => privileged
        ? spec with { Privileged = true }
        : spec with { CapAdd = ["ALL"], CapDrop = ["SYS_RESOURCE"], SecurityOptions = ["seccomp=unconfined"] };

    private const string CacheDir = "/tmp/gitlab-runner-ecr-smoke";

    /// <summary>
    /// The job's script: wait for the service, check the helper can run, then for each image of SMOKE_IMAGES ask the
    /// helper for its registry (the token goes to /dev/null), pull it, and print the helper's error lines.
    /// </summary>
    public static string Script =>
        """
        i=0
        while :; do
          if [ -f /certs/client/ca.pem ]; then export DOCKER_HOST=tcp://docker:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/certs/client; else export DOCKER_HOST=tcp://docker:2375; fi
          docker version >/dev/null 2>&1 && break
          i=$((i+1)); if [ $i -ge 90 ]; then echo "smoke: dind-not-answering $DOCKER_HOST"; exit 3; fi
          sleep 1
        done
        echo "smoke: dind $DOCKER_HOST"
        if [ -n "${SMOKE_TOKEN_MODE:-}" ]; then
          if [ ! -r "$DOCKER_CONFIG/config.json" ]; then echo "smoke: token-config-unreadable $DOCKER_CONFIG"; exit 5; fi
        else
          if ! command -v docker-credential-ecr-login >/dev/null 2>&1; then echo "smoke: helper-not-on-path"; exit 4; fi
          docker-credential-ecr-login version </dev/null >/dev/null 2>&1; rc=$?
          if [ $rc -ge 126 ]; then echo "smoke: helper-cannot-run $rc"; fi
        fi
        failed=0
        for image in $SMOKE_IMAGES; do
          registry=${image%%/*}
          if [ -n "${SMOKE_TOKEN_MODE:-}" ]; then
            if grep -q "\"$registry\"" "$DOCKER_CONFIG/config.json"; then echo "smoke: credentials $image"; else echo "smoke: no-credentials $image"; fi
          elif printf '%s\n' "$registry" | docker-credential-ecr-login get >/dev/null 2>&1; then echo "smoke: credentials $image"; else echo "smoke: no-credentials $image"; fi
          docker pull "$image"; rc=$?
          echo "smoke: pulled $rc $image"
          for f in "$AWS_ECR_CACHE_DIR"/log/*.log; do [ -f "$f" ] && grep -E 'level=(error|warn)' "$f" | sed "s|^|smoke-log: $image |"; rm -f "$f"; done
          [ $rc -eq 0 ] || failed=$rc
        done
        exit $failed
        """;

    /// <summary>One row per subject, in their order; a failure before the pulls (service, helper) fails them all alike.</summary>
    public IReadOnlyList<LevelResult> Run(JobSettings job, string dindImage, IReadOnlyList<EcrRegistry> registries, IReadOnlyList<SmokeSubject> subjects, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var network = resources.Network("net");
        var volumes = job.Volumes.Select(resources.Volume).ToList();
        if (registryCaBundle is not null)
        {
            volumes.AddRange(registries.Select(r => DockerExecutor.RegistryCaTarget(r.Host))
                .Where(target => !job.Volumes.Any(v => DockerExecutor.VolumeTarget(v) == target))
                .Select(target => $"{registryCaBundle}:{target}:ro"));
        }

        // What the executor gives both the service and the job from [runners.docker].
        var common = new ContainerSpec(resources.Container("dind"), dindImage) { Labels = resources.Labels, Network = network, Volumes = volumes, ExtraHosts = job.ExtraHosts };
        common = job.Privileged ? Privileged(common, privileged) : common;

        // The own network is internal (only the alias "docker" lives there); the way out is the network the runner gives
        // jobs: network_mode, or Docker's default bridge when config.toml names none, as the executor does.
        var outside = job.NetworkMode ?? "bridge";
        var service = common with { NetworkAliases = ["docker"], Environment = ["DOCKER_TLS_CERTDIR=/certs"] };
        Create(service, outside);
        Check(docker.Start(service.Name), "start " + service.Name);

        var container = common with
        {
            Name = resources.Container("job"),
            Image = job.Image,
            Environment = [.. job.Environment, .. job.TokenMode ? ["SMOKE_TOKEN_MODE=1"] : new[] { "AWS_ECR_CACHE_DIR=" + CacheDir }, "SMOKE_IMAGES=" + string.Join(' ', subjects.Select(s => s.Image))],
            Command = ["sh", "-c", Script],
        };
        Create(container, outside);
        var run = docker.StartAttached(container.Name, timeout);
        var output = run.StandardOutput + "\n" + run.StandardError;
        if (job.TokenMode && Exposure(container.Name) is { } exposed)
        {
            return [.. subjects.Select(subject => LevelResult.Fail(subject.DindLevel, clock.Elapsed, exposed.Problem, exposed.Fix))];
        }

        return Results(subjects, output, job, dindImage, run.ExitCode, clock.Elapsed);
    }

    /// <summary>Token mode: the job container inspected for AWS credentials; null when it holds none.</summary>
    private BuildFailure? Exposure(string container)
    {
        var inspection = docker.Inspect(container) ?? throw new BuildFailure($"docker could not inspect the job container {container}", "see docker's error; run SmokeTest again");
        var found = JobExposure.Find(inspection, awsValues ?? []);
        return found.Count == 0 ? null : new BuildFailure(
            $"DIND_AUTH=token, but the job container holds AWS credentials: {string.Join("; ", found)}",
            "run ./build.sh --target=Register, which gives token-mode jobs only the token folder; remove from config.toml's [[runners]] entry any volume or variable of your own that carries AWS credentials");
    }

    /// <summary>Each subject's row from the job's output (its markers, the helper's log lines).</summary>
    internal static IReadOnlyList<LevelResult> Results(IReadOnlyList<SmokeSubject> subjects, string output, JobSettings job, string dindImage, int exitCode, TimeSpan time) =>
        [.. subjects.Select(subject => Judge(subject, output, job, dindImage, exitCode, time))];

    private static LevelResult Judge(SmokeSubject subject, string output, JobSettings job, string dindImage, int exitCode, TimeSpan time)
    {
        var endpoint = Marker(output, "smoke: dind ");
        var pulled = Marker(output, "smoke: pulled ", $" {subject.Image}");
        var credentials = Lines(output).Contains("smoke: credentials " + subject.Image);
        if (pulled == "0" && credentials)
        {
            return LevelResult.Pass(subject.DindLevel, time, $"docker pull {subject.Image} in {job.Image} through {dindImage} on {endpoint}{(endpoint?.EndsWith(":2376", StringComparison.Ordinal) == true ? " (TLS)" : " (no TLS: the service wrote no client certificates)")}"
                + (job.TokenMode ? ", with the refresher's tokens; the job holds no AWS value" : string.Empty));
        }

        return Diagnose(subject, output, job.Image, HelperSource(job), pulled, exitCode, time, job.TokenMode);
    }

    /// <summary>The host file config.toml mounts as the jobs' helper, or null.</summary>
    public static string? HelperSource(JobSettings job) =>
        job.Volumes.Select(v => v.Split(':')).FirstOrDefault(p => p.Length >= 2 && p[1] == DockerExecutor.HelperTarget)?[0];

    private static LevelResult Diagnose(SmokeSubject subject, string output, string jobImage, string? helperBinary, string? pulled, int exitCode, TimeSpan time, bool tokenMode)
    {
        var level = subject.DindLevel;
        var tail = string.Join('\n', output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
        if (Marker(output, "smoke: dind-not-answering ") is { } host)
        {
            return LevelResult.Fail(level, time, $"the DinD service did not answer on {host}",
                "DinD needs privileged = true (or DIND_PRIVILEGED=false with the capability set where the host refuses --privileged); see the service's log with docker logs", tail);
        }

        if (Marker(output, "smoke: token-config-unreadable ") is { } folder)
        {
            return LevelResult.Fail(level, time, $"the job cannot read config.json in {folder} (DOCKER_CONFIG)",
                "the token folder is private to the user who ran Up (mode 0700, config.json 0600): run the job image as root, or as that user; run ./build.sh --target=Up if the folder is missing", tail);
        }

        if (output.Contains("smoke: helper-not-on-path", StringComparison.Ordinal))
        {
            return LevelResult.Fail(level, time, $"{Helper.HelperOutput.BinaryName} is not on the PATH of the job image {jobImage}",
                "run ./build.sh --target=Register, which mounts the helper at /usr/local/bin/docker-credential-ecr-login through [runners.docker] volumes", tail);
        }

        if (Marker(output, "smoke: helper-cannot-run ") is { } code)
        {
            var elf = helperBinary is not null && File.Exists(helperBinary) ? Helper.StaticElf.Problem(helperBinary, Helper.HelperPlatform.Amd64) : null;
            return LevelResult.Fail(level, time,
                $"the helper cannot run in the job image {jobImage} (exit {code}, \"not found\"){(elf is null ? string.Empty : $": {helperBinary} {elf}")}",
                "use the static helper from ./build.sh --target=BuildHelper (CGO_ENABLED=0), which runs in glibc and musl images alike", tail);
        }

        var prefix = $"smoke-log: {subject.Image} ";
        var logLines = string.Join('\n', Lines(output).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..]));
        var cause = AwsFailure.Recognise(logLines, subject.Registry);
        if (pulled == "0" && tokenMode)
        {
            return LevelResult.Fail(level, time,
                $"docker pull {subject.Image} passed without credentials: the refresher's config.json has no token for {subject.Registry.Host}, so the pull counted as anonymous",
                "add the registry to ECR_REGISTRIES and run ./build.sh --target=Up (the refresher then writes its token), then ./build.sh --target=Register", tail);
        }

        if (pulled == "0")
        {
            // The helper gave nothing, yet the pull passed: the registry served the image to anyone (ECR Public does).
            return LevelResult.Fail(level, time,
                $"docker pull {subject.Image} passed without credentials: the helper gave none for {subject.Registry.Host}{(cause is null ? string.Empty : $" ({cause.Name}: {ExecutorProbe.Sign(cause, logLines)})")}, so the pull counted as anonymous",
                cause?.Fix ?? "read the helper's log lines below; run ./build.sh --target=Preflight", logLines.Length > 0 ? logLines : tail);
        }

        var known = subject.Via is not null ? ManifestProbe.Recognise(output, subject.Via) : null;
        return cause is not null
            ? LevelResult.Fail(level, time, $"{cause.Name} ({ExecutorProbe.Sign(cause, logLines)}): docker pull in the job got no credentials", cause.Fix, tail)
            : known is not null
                ? LevelResult.Fail(level, time, $"docker pull {subject.Image} was refused: {known.Value.Cause}", known.Value.Fix, tail)
                : tokenMode
                    ? LevelResult.Fail(level, time, $"docker pull {subject.Image} in the job failed (exit {pulled ?? exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}) with the refresher's token",
                        "read the job's output below: \"unauthorized\" means the registry refused the token in config.json (check that the runner's identity may pull this repository; ./build.sh --target=Up gets a new token); other errors come from the DinD service or the registry", tail)
                    : LevelResult.Fail(level, time, $"docker pull in the job failed (exit {pulled ?? exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)})", "read the job's output below; the helper's log is printed when it logged an error", tail);
    }

    private void Create(ContainerSpec spec, string extraNetwork)
    {
        Check(docker.Create(spec), "create " + spec.Name);
        Check(docker.Connect(extraNetwork, spec.Name), $"connect {spec.Name} to {extraNetwork}");
    }

    private static void Check(CommandResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new BuildFailure($"docker could not {what} (exit {result.ExitCode}): {result.StandardError.Trim()}", "see the error; the images must be on this machine (IMAGE_PULL)");
        }
    }

    private static string? Marker(string output, string prefix, string suffix = "") =>
        Lines(output).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(suffix, StringComparison.Ordinal))?[prefix.Length..^suffix.Length];

    private static IEnumerable<string> Lines(string output) => output.Split('\n').Select(l => l.Trim());
}
