using System.Diagnostics;
using Build.Aws;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;
using Build.Smoke;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// Per-job DinD authentication, token mode against helper mode, side by side in one run: a fresh job container per
/// sample (as each CI job is: an empty helper cache), started from the config.toml Register writes for each mode (the
/// musl job image, the lab's DinD and registry), times <c>docker pull</c> of the private image already in the DinD
/// daemon (so only authentication and the registry's answers differ), interleaved, median of N. Token mode's
/// config.json is the real refresher script's, run once. benchmarks/dind-auth/run.sh runs it and keeps the table. Not
/// part of the test suite (test.sh leaves Category=Benchmark out).
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Benchmark")]
public sealed class DindAuthBenchmark(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task Docker_pull_in_a_fresh_job_with_the_refreshers_tokens_and_with_the_helper()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("DIND_AUTH_BENCH_RUNS"), out var n) && n > 0 ? n : 3;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5 + runs));
        var cancel = timeout.Token;
        var registry = lab.Registries[0];
        var image = await MuslCliImage.BuildAsync(lab, cancel);
        var dind = await LabDind.StartAsync(lab, "bench-dind", registry, cancel);
        try
        {
            var helper = await LabHelper.Amd64Async();
            var jobs = new Dictionary<string, JobSettings>
            {
                ["token"] = await JobAsync("token", helper, image, cancel),
                ["helper"] = await JobAsync("helper", helper, image, cancel),
            };

            // Warm-up: the DinD daemon pulls the layers once; every timed pull finds the image and asks for its manifest.
            foreach (var mode in jobs.Keys)
            {
                var (warm, _, _) = await PullInFreshJobAsync(jobs[mode], registry, cancel);
                Assert.True(warm.Succeeded, $"{mode}: {warm.Output} {warm.Error}");
            }

            var times = jobs.Keys.ToDictionary(m => m, _ => new List<double>());
            var execs = new List<double>();
            var calls = jobs.Keys.ToDictionary(m => m, _ => 0);
            for (var i = 0; i < runs; i++)
            {
                foreach (var mode in i % 2 == 0 ? jobs.Keys.ToList() : jobs.Keys.Reverse().ToList())
                {
                    var before = lab.Emulator.Requests.Snapshot().Count(r => r.Operation == "GetAuthorizationToken");
                    var (pull, ms, exec) = await PullInFreshJobAsync(jobs[mode], registry, cancel);
                    Assert.True(pull.Succeeded, $"{mode}: {pull.Output} {pull.Error}");
                    times[mode].Add(ms);
                    execs.Add(exec);
                    calls[mode] += lab.Emulator.Requests.Snapshot().Count(r => r.Operation == "GetAuthorizationToken") - before;
                }
            }

            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToList();
                return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
            }

            string Row(string name, string mode) =>
                $"| {name} | {Median(times[mode]):0} | {times[mode].Min():0} | {times[mode].Max():0} | {(double)calls[mode] / runs:0.#} |";
            var table = string.Join('\n',
                $"DinD authentication per job: docker pull of an image the DinD daemon has, in a fresh job container (musl image), {runs} runs each, interleaved ({DateTime.UtcNow:yyyy-MM-dd HH:mm}Z)",
                string.Empty,
                "| mode | median ms | min ms | max ms | ECR calls per job |",
                "|---|---|---|---|---|",
                Row("token: docker reads the refresher's config.json (auths)", "token"),
                Row("helper: credHelpers, the helper asks ECR", "helper"),
                $"| difference of the medians (helper - token) | {Median(times["helper"]) - Median(times["token"]):0} | | | |",
                $"| for scale: docker exec of `true` in the same jobs (both modes) | {Median(execs):0} | {execs.Min():0} | {execs.Max():0} | |");
            output.WriteLine(table);
            if (Environment.GetEnvironmentVariable("DIND_AUTH_BENCH_OUT") is { Length: > 0 } file)
            {
                File.WriteAllText(file, table + "\n");
            }

            // The verdict: a token-mode job asks ECR nothing and is not slower than a helper-mode one.
            Assert.Equal(0, calls["token"]);
            Assert.Equal(runs, calls["helper"]);
            Assert.True(Median(times["token"]) <= Median(times["helper"]), table);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", dind], CancellationToken.None);
            await Cli.RunAsync("docker", ["rmi", image], CancellationToken.None);
        }
    }

    /// <summary>
    /// The job settings Register writes for <paramref name="mode"/>, read back as SmokeTest reads them; in token mode the
    /// token folder is filled by one run of the refresher script on this machine, with the lab's key and helper.
    /// </summary>
    private async Task<JobSettings> JobAsync(string mode, string helper, string jobImage, CancellationToken cancel)
    {
        var state = lab.NewFolder("bench-state-" + mode);
        var values = new Dictionary<string, string>
        {
            ["STATE_DIR"] = state, ["DIND_AUTH"] = mode, ["CREDENTIALS_SOURCE"] = "file", ["RUNNER_CREDENTIALS_FILE"] = lab.CredentialsFile,
            ["AWS_PROFILE"] = "default", ["AWS_REGION"] = lab.Registries[0].Ecr.Region, ["AWS_CA_BUNDLE"] = lab.CaPath, ["ECR_REGISTRIES"] = lab.Registries[0].Host,
            ["RUNNER_NETWORK"] = lab.Network, ["RUNNER_EXTRA_HOSTS"] = $"api.ecr.{lab.Registries[0].Ecr.Region}.amazonaws.com:{lab.Gateway}", ["DOCKER_CLI_IMAGE"] = jobImage,
        };
        var settings = BuildSettings.Load(new Cake.Core.IO.DirectoryPath(state), new Cake.Core.IO.DirectoryPath(state), new Dictionary<string, string>(), values.GetValueOrDefault, null);
        var credentials = RunnerCredentials.For(settings, values.GetValueOrDefault);
        var layout = Build.State.StateLayout.Of(settings);
        var config = Path.Combine(state, "config.toml");
        File.WriteAllText(config, ConfigToml.Merge(null, RunnerEntry.For(settings, credentials, new Secret("glrt-benchmark0000000000"), helper, layout.DindConfig)));
        if (mode == "helper")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(layout.DindConfig)!);
            File.WriteAllText(layout.DindConfig, DockerAuthConfig.File([lab.Registries[0].Host], useCredsStore: false));
        }
        else
        {
            Directory.CreateDirectory(layout.DindTokenDocker);
            var environment = new Dictionary<string, string>(credentials.HostEnvironment())
            {
                ["DIND_TOKEN_DIR"] = layout.DindToken, ["DIND_TOKEN_REGISTRIES"] = lab.Registries[0].Host, ["DIND_TOKEN_REFRESH_SECONDS"] = "3600",
                ["DIND_TOKEN_HELPER"] = helper, ["DIND_TOKEN_ONCE"] = "true", ["AWS_ECR_DISABLE_CACHE"] = "true", ["AWS_ECR_CACHE_DIR"] = lab.NewFolder("bench-cache"),
            };
            var refresh = await Cli.RunAsync("/bin/sh", [Path.Combine(LabImages.RepositoryRoot(), "assets", "dind-token", "refresh-dind-tokens.sh")], cancel, environment);
            Assert.True(refresh.Succeeded, refresh.Output + refresh.Error);
        }

        return JobSettings.Read(config, settings.Runner.Name);
    }

    /// <summary>A job container as the executor starts it from <paramref name="job"/>, then the timed <c>docker pull</c> in it.</summary>
    private async Task<(ProcessResult Pull, double Milliseconds, double Exec)> PullInFreshJobAsync(JobSettings job, LabRegistry registry, CancellationToken cancel)
    {
        var name = $"{lab.RunId}-bench-job-{Guid.NewGuid():N}";
        await Cli.DockerAsync("start a job", cancel,
        [
            "run", "-d", "--pull", "never", "--name", name, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", job.NetworkMode!,
            .. job.Volumes.SelectMany(v => new[] { "-v", v }), .. job.Environment.SelectMany(e => new[] { "-e", e }), .. job.ExtraHosts.SelectMany(h => new[] { "--add-host", h }),
            "-e", "DOCKER_HOST=tcp://docker:2375", job.Image, "sleep", "300",
        ]);
        try
        {
            // What any docker exec costs, so that the pull's own time can be read off.
            var clock = Stopwatch.StartNew();
            await Cli.DockerAsync("exec in the job", cancel, "exec", name, "true");
            var exec = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var pull = await Cli.RunAsync("docker", ["exec", name, "docker", "pull", "--quiet", registry.PrivateImage], cancel);
            return (pull, clock.Elapsed.TotalMilliseconds, exec);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", name], CancellationToken.None);
        }
    }
}
