using System.Diagnostics;
using Build.Aws;
using Build.Docker;
using Build.Processes;
using Build.RunnerConfig;

namespace Build.Smoke;

/// <summary>
/// The DinD level: a DinD service (alias <c>docker</c>) and a job container started as the Docker executor starts
/// them from <c>[runners.docker]</c> (the same volumes, environment, extra hosts, privileges and network mode), on a
/// network of their own (internal), and the job runs <c>docker pull</c> of the private image against the service:
/// over TLS on 2376 when the service wrote client certificates into <c>/certs/client</c> (docker:*-dind with
/// DOCKER_TLS_CERTDIR), otherwise on 2375 (an image without that entrypoint, such as the lab's). In token mode the job
/// runs no helper (docker reads the refresher's config.json), and the job container is then searched for AWS values.
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

    /// <summary>The job's script: wait for the service, check the helper can run, pull, and print the helper's log on failure.</summary>
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
        docker pull "$SMOKE_IMAGE"; rc=$?
        if [ $rc -eq 0 ]; then exit 0; fi
        for f in "$AWS_ECR_CACHE_DIR"/log/*.log; do [ -f "$f" ] && grep -E 'level=(error|warn)' "$f" | sed 's/^/smoke-log: /'; done
        exit $rc
        """;

    public LevelResult Run(JobSettings job, string dindImage, IReadOnlyList<EcrRegistry> registries, string image, TimeSpan timeout)
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
            Environment = [.. job.Environment, .. job.TokenMode ? ["SMOKE_TOKEN_MODE=1"] : new[] { "AWS_ECR_CACHE_DIR=" + CacheDir }, "SMOKE_IMAGE=" + image],
            Command = ["sh", "-c", Script],
        };
        Create(container, outside);
        var run = docker.StartAttached(container.Name, timeout);
        var output = run.StandardOutput + "\n" + run.StandardError;
        var endpoint = Marker(output, "smoke: dind ");
        if (job.TokenMode && Exposure(container.Name) is { } exposed)
        {
            return exposed with { Time = clock.Elapsed };
        }

        if (run.Succeeded)
        {
            return LevelResult.Pass(Level, clock.Elapsed, $"docker pull in {job.Image} through {dindImage} on {endpoint}{(endpoint?.EndsWith(":2376", StringComparison.Ordinal) == true ? " (TLS)" : " (no TLS: the service wrote no client certificates)")}"
                + (job.TokenMode ? ", with the refresher's tokens; the job holds no AWS value" : string.Empty));
        }

        return Diagnose(output, job.Image, HelperSource(job), run.ExitCode, clock.Elapsed, job.TokenMode);
    }

    /// <summary>Token mode: the job container inspected for AWS credentials; null when it holds none.</summary>
    private LevelResult? Exposure(string container)
    {
        var inspection = docker.Inspect(container) ?? throw new BuildFailure($"docker could not inspect the job container {container}", "see docker's error; run SmokeTest again");
        var found = JobExposure.Find(inspection, awsValues ?? []);
        return found.Count == 0 ? null : LevelResult.Fail(Level, TimeSpan.Zero,
            $"DIND_AUTH=token, but the job container holds AWS credentials: {string.Join("; ", found)}",
            "run ./build.sh --target=Register, which gives token-mode jobs only the token folder; remove from config.toml's [[runners]] entry any volume or variable of your own that carries AWS credentials");
    }

    /// <summary>The host file config.toml mounts as the jobs' helper, or null.</summary>
    public static string? HelperSource(JobSettings job) =>
        job.Volumes.Select(v => v.Split(':')).FirstOrDefault(p => p.Length >= 2 && p[1] == DockerExecutor.HelperTarget)?[0];

    private static LevelResult Diagnose(string output, string jobImage, string? helperBinary, int exitCode, TimeSpan time, bool tokenMode)
    {
        var tail = string.Join('\n', output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
        if (Marker(output, "smoke: dind-not-answering ") is { } host)
        {
            return LevelResult.Fail(Level, time, $"the DinD service did not answer on {host}",
                "DinD needs privileged = true (or DIND_PRIVILEGED=false with the capability set where the host refuses --privileged); see the service's log with docker logs", tail);
        }

        if (Marker(output, "smoke: token-config-unreadable ") is { } folder)
        {
            return LevelResult.Fail(Level, time, $"the job cannot read config.json in {folder} (DOCKER_CONFIG)",
                "the token folder is private to the user who ran Up (mode 0700, config.json 0600): run the job image as root, or as that user; run ./build.sh --target=Up if the folder is missing", tail);
        }

        if (output.Contains("smoke: helper-not-on-path", StringComparison.Ordinal))
        {
            return LevelResult.Fail(Level, time, $"{Helper.HelperOutput.BinaryName} is not on the PATH of the job image {jobImage}",
                "run ./build.sh --target=Register, which mounts the helper at /usr/local/bin/docker-credential-ecr-login through [runners.docker] volumes", tail);
        }

        if (Marker(output, "smoke: helper-cannot-run ") is { } code)
        {
            var elf = helperBinary is not null && File.Exists(helperBinary) ? Helper.StaticElf.Problem(helperBinary, Helper.HelperPlatform.Amd64) : null;
            return LevelResult.Fail(Level, time,
                $"the helper cannot run in the job image {jobImage} (exit {code}, \"not found\"){(elf is null ? string.Empty : $": {helperBinary} {elf}")}",
                "use the static helper from ./build.sh --target=BuildHelper (CGO_ENABLED=0), which runs in glibc and musl images alike", tail);
        }

        var logLines = string.Join('\n', output.Split('\n').Where(l => l.StartsWith("smoke-log: ", StringComparison.Ordinal)).Select(l => l["smoke-log: ".Length..]));
        var cause = AwsFailure.Recognise(logLines);
        return cause is not null
            ? LevelResult.Fail(Level, time, $"{cause.Name} ({ExecutorProbe.Sign(cause, logLines)}): docker pull in the job got no credentials", cause.Fix, tail)
            : tokenMode
                ? LevelResult.Fail(Level, time, $"docker pull in the job failed (exit {exitCode}) with the refresher's token",
                    "read the job's output below: \"unauthorized\" means the registry refused the token in config.json (check that the runner's identity may pull this repository; ./build.sh --target=Up gets a new token); other errors come from the DinD service or the registry", tail)
                : LevelResult.Fail(Level, time, $"docker pull in the job failed (exit {exitCode})", "read the job's output below; the helper's log is printed when it logged an error", tail);
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

    private static string? Marker(string output, string prefix) =>
        output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
}
