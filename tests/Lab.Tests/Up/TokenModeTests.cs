using System.Text;
using System.Text.Json;
using Tomlyn;
using Tomlyn.Model;
using Xunit.Abstractions;

namespace Lab.Up;

/// <summary>
/// Token mode (DIND_AUTH=token) against the real Engine and Compose: Up starts the ecr-token service, which writes the
/// jobs' config.json with each registry's token and renews it; jobs started as the Docker executor starts them from
/// config.toml read it through the read-only folder mount, also a job that was already running when it was renewed;
/// no job holds an AWS value, and no output, log or container inspection holds a token.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TokenModeTests(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task The_refresher_renews_config_json_and_a_running_job_reads_the_renewed_file_through_the_folder_mount()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "token");
        var runner = run.UseGitLab(gitlab);
        run.Environment["DIND_TOKEN_REFRESH"] = "10s";
        var registry = lab.Registries[0];
        var printed = new StringBuilder();

        // Given Up and Register in token mode (the default)
        var up = await run.UpAsync(cancel);
        printed.Append(up.Output).Append(up.Error);
        Assert.True(up.Succeeded, up.Output + up.Error);
        Assert.Contains("DinD tokens: refresher ", up.Output);
        var register = await run.RunAsync(cancel, "--target=Register", "--exclusive");
        printed.Append(register.Output).Append(register.Error);
        Assert.True(register.Succeeded, register.Output + register.Error);

        // Then the jobs' config.json holds docker's auths entry of each registry's token, and status.json says ok
        var tokens = Path.Combine(run.State, "runner", "dind-token");
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(tokens, "docker", "config.json"))).RootElement.GetProperty("auths");
        foreach (var each in lab.Registries)
        {
            Assert.Equal("AWS:" + each.Ecr.Password, Encoding.UTF8.GetString(Convert.FromBase64String(config.GetProperty(each.Host).GetProperty("auth").GetString()!)));
        }

        Assert.Equal("ok", Status(tokens).GetProperty("result").GetString());

        // And the refresher's command line, environment, labels and log hold no token
        var refresher = (await Cli.DockerAsync("find the refresher", cancel, "ps", "--quiet", "--filter", $"label=com.docker.compose.project={run.Project}", "--filter", "label=com.docker.compose.service=ecr-token")).Output.Trim();
        Assert.NotEmpty(refresher);
        var inspected = (await Cli.DockerAsync("inspect the refresher", cancel, "inspect", refresher)).Output;
        Assert.Contains("/usr/local/lib/gitlab-runner-ecr/refresh-dind-tokens.sh", inspected);
        var logs = await Cli.DockerAsync("read the refresher's log", cancel, "logs", refresher);
        printed.Append(inspected).Append(logs.Output).Append(logs.Error);
        Assert.Contains("refreshed:", logs.Output);

        // Given a DinD service, and the jobs' settings read back from config.toml
        var job = JobSettings(run);
        var dind = await LabDind.StartAsync(lab, "token-dind", registry, cancel);
        var running = $"{lab.RunId}-token-job";
        try
        {
            // When, right after a refresh, an old token replaces config.json by a rename (as the refresher writes it),
            // and a job container starts and pulls
            var last = Status(tokens).GetProperty("refreshed_at").GetInt64();
            await WaitAsync(() => Status(tokens).GetProperty("refreshed_at").GetInt64() > last, cancel);
            var stale = Path.Combine(tokens, "docker", ".stale");
            File.WriteAllText(stale, $"{{\"auths\": {{\"{registry.Host}\": {{\"auth\": \"{Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:stale-token"))}\"}}}}}}\n");
            File.Move(stale, Path.Combine(tokens, "docker", "config.json"), overwrite: true);
            var replacedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await Cli.DockerAsync("start a job", cancel, [.. Run(job, "-d", "--name", running), lab.Images.DockerCli, "sleep", "600"]);
            var before = await Cli.RunAsync("docker", ["exec", running, "docker", "pull", registry.PrivateImage], cancel);

            // Then the job reads the file in place, and is refused with the old token
            Assert.NotEqual(0, before.ExitCode);

            // And once the refresher has written again, the same job, still running, pulls: the folder mount shows the new file
            await WaitAsync(() => Status(tokens).GetProperty("refreshed_at").GetInt64() > replacedAt, cancel);
            var after = await Cli.RunAsync("docker", ["exec", running, "docker", "pull", registry.PrivateImage], cancel);
            Assert.True(after.Succeeded, $"the running job could not pull after the refresh: {after.Output} {after.Error}");

            // And a job started after the refresh pulls and runs the image, and may not write the token folder, while buildx may write its own
            var fresh = await Cli.RunAsync("docker", [.. Run(job, "--rm"), lab.Images.DockerCli, "sh", "-c",
                $"docker pull {registry.PrivateImage} && docker run --rm {registry.PrivateImage} && ! touch \"$DOCKER_CONFIG/probe\" && mkdir -p \"$BUILDX_CONFIG/instances\""], cancel);
            Assert.True(fresh.Succeeded, $"a new job failed: {fresh.Output} {fresh.Error}");
            Assert.Contains("hello from private ECR", fresh.Output);

            // And the job container holds no AWS key id or secret, in its environment or any file it mounts
            AssertNoAwsValue(JsonDocument.Parse((await Cli.DockerAsync("inspect the job", cancel, "inspect", running)).Output).RootElement[0]);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", running, dind], CancellationToken.None);
        }

        // And nothing printed, logged or inspected holds a token, the runner token or the secret key
        var text = printed.Append((await Cli.DockerAsync("read the refresher's log", cancel, "logs", refresher)).Output).ToString();
        foreach (var form in lab.Registries.SelectMany(r => Build.Secrets.SecretForms.Of(r.Ecr.Password)).Concat(Build.Secrets.SecretForms.Of(lab.Key.SecretAccessKey)))
        {
            Assert.False(text.Contains(form, StringComparison.Ordinal), "a token or the secret key was printed, logged or inspected");
        }

        Assert.DoesNotContain(runner.Token, text);
        output.WriteLine(text);
    }

    [Fact]
    public async Task The_refresher_script_runs_with_busybox_alone_as_in_an_Alpine_runner_image()
    {
        // Given the lab's musl image (busybox's shell and tools, no glibc), a fake helper answering an ECR-shaped token,
        // and a token folder owned by another user
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var folder = lab.NewFolder("busybox-refresher");
        var tokens = Directory.CreateDirectory(Path.Combine(folder, "dind-token", "docker")).Parent!.FullName;
        var expiration = DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds();
        var secret = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"payload\":\"cGF5\",\"datakey\":\"a2V5\",\"version\":\"2\",\"type\":\"DATA_KEY\",\"expiration\":{expiration}}}"));
        var helper = Path.Combine(folder, "helper");
        File.WriteAllText(helper, $"#!/bin/sh\nread host\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"AWS\",\"Secret\":\"{secret}\"}}\\n' \"$host\"\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var path in new[] { tokens, Path.Combine(tokens, "docker") })
        {
            new Build.Files.FileOwnership(65534, 65534).ApplyTo(path);
        }

        // When the script refreshes once there
        var host = lab.Registries[0].Host;
        var run = await Cli.RunAsync("docker",
        [
            "run", "--rm", "--pull", "never", "--network", "none", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "-v", Path.Combine(LabImages.RepositoryRoot(), "assets", "dind-token", "refresh-dind-tokens.sh") + ":/refresh.sh:ro",
            "-v", helper + ":/usr/local/bin/docker-credential-ecr-login:ro", "-v", tokens + ":/var/lib/gitlab-runner-ecr/dind-token",
            "-e", "DIND_TOKEN_DIR=/var/lib/gitlab-runner-ecr/dind-token", "-e", "DIND_TOKEN_REGISTRIES=" + host, "-e", "DIND_TOKEN_REFRESH_SECONDS=3600",
            "-e", "DIND_TOKEN_ONCE=true", "-e", "AWS_ECR_CACHE_DIR=/tmp/ecr-login", lab.Images.Musl, "sh", "/refresh.sh",
        ], timeout.Token);

        // Then it wrote docker's auths entry and the token's own expiry, as the folder's owner, and printed no token
        Assert.True(run.Succeeded, run.Output + run.Error);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(tokens, "docker", "config.json"))).RootElement;
        Assert.Equal("AWS:" + secret, Encoding.UTF8.GetString(Convert.FromBase64String(config.GetProperty("auths").GetProperty(host).GetProperty("auth").GetString()!)));
        var registry = Status(tokens).GetProperty("registries")[0];
        Assert.Equal(expiration, registry.GetProperty("expires_at").GetInt64());
        Assert.Equal("token", registry.GetProperty("expiry_from").GetString());
        Assert.Equal(new Build.Files.FileOwnership(65534, 65534), Build.Files.FileOwnership.Of(Path.Combine(tokens, "docker", "config.json")));
        Assert.DoesNotContain(secret, run.Output + run.Error);
        Assert.Contains($"refreshed: {host} expires ", run.Output);
    }

    /// <summary>The [runners.docker] settings of config.toml, as the Docker executor gives them to a job (the lab DinD as <c>docker</c>, no TLS).</summary>
    private static (List<string> Volumes, List<string> Environment, List<string> ExtraHosts, string Network) JobSettings(UpRun run)
    {
        var entry = ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(Path.Combine(run.State, "runner", "config", "config.toml")))!["runners"]).Cast<TomlTable>().Single();
        var docker = (TomlTable)entry["docker"];
        return (
            [.. ((TomlArray)docker["volumes"]).Cast<string>()],
            [.. ((TomlArray)entry["environment"]).Cast<string>(), "DOCKER_HOST=tcp://docker:2375"],
            [.. ((TomlArray)docker["extra_hosts"]).Cast<string>()],
            (string)docker["network_mode"]);
    }

    private string[] Run((List<string> Volumes, List<string> Environment, List<string> ExtraHosts, string Network) job, params string[] options) =>
    [
        "run", "--pull", "never", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", job.Network, .. options,
        .. job.Volumes.SelectMany(v => new[] { "-v", v }), .. job.Environment.SelectMany(e => new[] { "-e", e }), .. job.ExtraHosts.SelectMany(h => new[] { "--add-host", h }),
    ];

    /// <summary>The container's environment and every file under its bind mounts, searched for the lab key's id and secret.</summary>
    private void AssertNoAwsValue(JsonElement container)
    {
        var values = new[] { lab.Key.AccessKeyId, lab.Key.SecretAccessKey };
        foreach (var variable in container.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()!))
        {
            Assert.False(values.Any(variable.Contains), "an AWS value is in the job's environment");
            Assert.False(variable.StartsWith("AWS_", StringComparison.Ordinal), $"the job's environment has {variable.Split('=')[0]}");
        }

        var mounts = container.GetProperty("Mounts").EnumerateArray().Where(m => m.GetProperty("Type").GetString() == "bind").Select(m => m.GetProperty("Source").GetString()!).ToList();
        Assert.NotEmpty(mounts);
        foreach (var file in mounts.SelectMany(m => Directory.Exists(m) ? Directory.EnumerateFiles(m, "*", SearchOption.AllDirectories) : [m]))
        {
            var content = File.ReadAllText(file);
            Assert.False(values.Any(content.Contains), $"{file}, which the job mounts, holds an AWS value");
        }
    }

    private static JsonElement Status(string tokens) => JsonDocument.Parse(File.ReadAllText(Path.Combine(tokens, "status.json"))).RootElement;

    private static async Task WaitAsync(Func<bool> done, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if (done())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                // Read while it was being replaced: look again.
            }

            Assert.True(DateTime.UtcNow < deadline, "the refresher did not write again within 60 s");
            await Task.Delay(200, cancel);
        }
    }
}
