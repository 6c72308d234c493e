using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Lab.Up;

/// <summary>
/// Up against the real Docker Engine and Compose, with the lab's runner-host image in place of gitlab/gitlab-runner
/// (which cannot be pulled here): the container, its mounts, the executor-level call the runner makes (the helper
/// inside the container with the container's own environment), and a pull with those credentials passed the way the
/// runner passes them (registry auth on the Engine API's image-create call).
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class UpTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task Up_starts_the_runner_whose_helper_authenticates_the_executor_and_a_second_Up_changes_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-file");

        var up = await run.UpAsync(cancel);

        Assert.True(up.Succeeded, Printed(up));
        var container = await run.RunnerContainerAsync(cancel);
        var inspected = await run.InspectAsync(container, cancel);
        Assert.Equal("running", inspected.GetProperty("State").GetProperty("Status").GetString());

        // The mounts are exactly these, read-only where they should be, and nothing else of the host.
        var helper = await LabHelper.Amd64Async();
        var mounts = inspected.GetProperty("Mounts").EnumerateArray()
            .Select(m => (Type: m.GetProperty("Type").GetString(), Source: m.GetProperty("Type").GetString() == "volume" ? m.GetProperty("Name").GetString() : m.GetProperty("Source").GetString(), Target: m.GetProperty("Destination").GetString(), Writable: m.GetProperty("RW").GetBoolean()))
            .OrderBy(m => m.Target, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            new[]
            {
                ("bind", lab.CaPath, "/etc/gitlab-runner-ecr/aws-ca-bundle.pem", false),
                ("bind", Path.Combine(run.State, "runner", "config"), "/etc/gitlab-runner", true),
                ("bind", run.CredentialsFile, "/root/.aws/credentials", false),
                ("bind", Path.Combine(run.State, "helper", "linux-amd64", "docker-credential-ecr-login"), "/usr/local/bin/docker-credential-ecr-login", false),
                ("volume", $"{run.Project}_ecr-cache", "/var/cache/ecr-login", true),
                ("bind", "/var/run/docker.sock", "/var/run/docker.sock", true),
            }.OrderBy(m => m.Item3, StringComparer.Ordinal).Select(m => ((string?)m.Item1, (string?)m.Item2, (string?)m.Item3, m.Item4)),
            mounts.Select(m => (m.Type, m.Source, m.Target, m.Writable)));
        Assert.Equal(File.ReadAllBytes(helper), File.ReadAllBytes(Path.Combine(run.State, "helper", "linux-amd64", "docker-credential-ecr-login")));

        // The executor-level call: the helper on the runner's PATH, with the container's environment only.
        foreach (var registry in lab.Registries)
        {
            var before = lab.Emulator.Requests.Snapshot().Count(r => r.Succeeded && r.Region == registry.Ecr.Region);
            var get = await UpRun.HelperGetAsync(container, registry.Host, cancel);
            Assert.True(get.Succeeded, $"helper get for {registry.Host} in the runner failed: {get.Error}\n{await HelperLogAsync(container, cancel)}");
            using var credentials = JsonDocument.Parse(get.Output);
            Assert.Equal("AWS", credentials.RootElement.GetProperty("Username").GetString());
            Assert.Equal(registry.Ecr.Password, credentials.RootElement.GetProperty("Secret").GetString());
            Assert.True(lab.Emulator.Requests.Snapshot().Count(r => r.Succeeded && r.Region == registry.Ecr.Region) > before, "the emulator saw no new call for " + registry.Host);
        }

        // The host daemon pulls the private image with those credentials on the image-create call, as the runner does.
        var first = lab.Registries[0];
        var token = JsonDocument.Parse((await UpRun.HelperGetAsync(container, first.Host, cancel)).Output).RootElement;
        await Cli.RunAsync("docker", ["rmi", "-f", first.PrivateImage], cancel);
        await PullWithAuthAsync(first, token.GetProperty("Username").GetString()!, token.GetProperty("Secret").GetString()!, cancel);
        var hello = await Cli.RunAsync("docker", ["run", "--rm", "--pull", "never", "--network", "none", first.PrivateImage], cancel);
        Assert.Contains("hello from private ECR", hello.Output);

        // The server profile validates too, with the same files and values.
        var config = await Cli.RunAsync(run.ComposeScript, ["--profile", "server", "config", "--quiet"], cancel, run.Environment);
        Assert.True(config.Succeeded, config.Error);

        // A second Up with nothing changed recreates nothing.
        var started = inspected.GetProperty("State").GetProperty("StartedAt").GetString();
        var again = await run.RunAsync(cancel, "--target=Up", "--exclusive");
        Assert.True(again.Succeeded, Printed(again));
        Assert.Contains($"Skipping task Up: runner container {container[..12]} running with the same inputs", again.Output);
        Assert.Equal(container, await run.RunnerContainerAsync(cancel));
        Assert.Equal(started, (await run.InspectAsync(container, cancel)).GetProperty("State").GetProperty("StartedAt").GetString());
    }

    [HelperArchiveFact]
    public async Task The_whole_chain_builds_the_helper_proves_the_credentials_and_starts_the_runner()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-chain");

        var up = await run.ChainAsync(cancel);

        var printed = Printed(up);
        Assert.True(up.Succeeded, printed);
        Assert.Matches(@"BuildHelper\s+[\d:.]+\s+Succeeded", printed);
        Assert.Matches(@"Preflight\s+[\d:.]+\s+Succeeded", printed);
        Assert.Matches(@"StageCredentials\s+[\d:.]+\s+Succeeded", printed);
        Assert.Matches(@"\n\s*Up\s+[\d:.]+\s+Succeeded", printed);
        var container = await run.RunnerContainerAsync(cancel);
        Assert.True((await UpRun.HelperGetAsync(container, lab.Registries[1].Host, cancel)).Succeeded);
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed);
        Assert.DoesNotContain(lab.Registries[1].Ecr.Password, printed);
    }

    [HelperArchiveFact]
    public async Task A_wrong_secret_staged_recreates_the_runner_whose_helper_fails_and_Up_fails_with_the_refreshers_cause()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-wrong");
        Assert.True((await run.UpAsync(cancel)).Succeeded);
        var before = await run.RunnerContainerAsync(cancel);

        // A replaced file is a new inode the running container would not see: Up must recreate the runner.
        var replacement = run.CredentialsFile + ".new";
        lab.WriteCredentials(replacement, "wrong-" + lab.Key.SecretAccessKey);
        File.Move(replacement, run.CredentialsFile, overwrite: true);
        var up = await run.RunAsync(cancel, "--target=Up", "--exclusive");
        var container = await run.RunnerContainerAsync(cancel);
        var get = await UpRun.HelperGetAsync(container, lab.Registries[1].Host, cancel);

        // Up recreated the runner, then stopped at the token refresher's first refresh, naming the cause and its fix
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("Up: the DinD token refresher's first refresh failed (it retries on its own):", Printed(up));
        Assert.Contains("InvalidSignatureException", Printed(up));
        Assert.Contains("fix: wrong secret access key: copy the secret access key again", Printed(up));
        Assert.DoesNotContain("wrong-" + lab.Key.SecretAccessKey, Printed(up));
        Assert.NotEqual(before, container);
        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains(LabClient.NotFound, get.Error + get.Output);
        Assert.Contains("InvalidSignatureException", await HelperLogAsync(container, cancel));
    }

    [HelperArchiveFact]
    public async Task Environment_credentials_reach_the_runner_from_the_compose_environment_and_no_file()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-env");
        run.Environment["CREDENTIALS_SOURCE"] = "environment";
        run.Environment["AWS_ACCESS_KEY_ID"] = lab.Key.AccessKeyId;
        run.Environment["AWS_SECRET_ACCESS_KEY"] = lab.Key.SecretAccessKey;

        var up = await run.UpAsync(cancel);

        Assert.True(up.Succeeded, Printed(up));
        var container = await run.RunnerContainerAsync(cancel);
        var mounts = (await run.InspectAsync(container, cancel)).GetProperty("Mounts").EnumerateArray().Select(m => m.GetProperty("Destination").GetString()).ToList();
        Assert.DoesNotContain("/root/.aws/credentials", mounts);
        var get = await UpRun.HelperGetAsync(container, lab.Registries[0].Host, cancel);
        Assert.True(get.Succeeded, get.Error + await HelperLogAsync(container, cancel));
        Assert.DoesNotContain(lab.Key.SecretAccessKey, up.Output + up.Error);
        foreach (var file in Directory.GetFiles(Path.Combine(run.State, "compose")))
        {
            Assert.DoesNotContain(lab.Key.SecretAccessKey, File.ReadAllText(file));
        }
    }

    [HelperArchiveFact]
    public async Task Instance_role_mounts_no_credentials_and_leaves_the_metadata_service_to_the_helper()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-imds");
        run.Environment["CREDENTIALS_SOURCE"] = "instance-role";
        // No token refresher: with no credentials its helper would call the instance metadata address, which is off this machine.
        run.Environment["DIND_AUTH"] = "helper";

        var up = await run.UpAsync(cancel);

        // The helper is not run here: with no credentials it would call the instance metadata address.
        Assert.True(up.Succeeded, Printed(up));
        var inspected = await run.InspectAsync(await run.RunnerContainerAsync(cancel), cancel);
        Assert.DoesNotContain("/root/.aws/credentials", inspected.GetProperty("Mounts").EnumerateArray().Select(m => m.GetProperty("Destination").GetString()));
        var environment = inspected.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.DoesNotContain(environment, e => e.StartsWith("AWS_EC2_METADATA_DISABLED=", StringComparison.Ordinal));
        Assert.Contains("AWS_ECR_CACHE_DIR=/var/cache/ecr-login", environment);
    }

    [HelperArchiveFact]
    public async Task Inputs_that_are_not_there_stop_Up_with_the_fix_and_start_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var cancel = timeout.Token;
        await using var run = new UpRun(lab, "up-bad");
        Environment(run, "HELPER_PATH", await LabHelper.Amd64Async());

        var unstaged = await run.RunAsync(cancel, "--target=Up", "--exclusive");
        Environment(run, "RUNNER_NETWORK", lab.RunId + "-no-such-network");
        var network = await run.UpAsync(cancel);
        Environment(run, "RUNNER_NETWORK", lab.Network);
        Environment(run, "GITLAB_RUNNER_IMAGE", "ecrlab/no-such-image:" + lab.RunId);
        var image = await run.RunAsync(cancel, "--target=Up", "--exclusive");

        Assert.Equal(1, unstaged.ExitCode);
        Assert.Contains("run ./build.sh --target=BuildHelper", Printed(unstaged));
        Assert.Equal(1, network.ExitCode);
        Assert.Contains($"RUNNER_NETWORK = {lab.RunId}-no-such-network: no such Docker network", Printed(network));
        Assert.Equal(1, image.ExitCode);
        Assert.Contains("is not on this machine, and IMAGE_PULL=never", Printed(image));
        Assert.Empty(await run.RunnerContainerAsync(cancel));
    }

    private static void Environment(UpRun run, string key, string value) => run.Environment[key] = value;

    private static string Printed(ProcessResult result) => result.Output + result.Error;

    private static async Task<string> HelperLogAsync(string container, CancellationToken cancel) =>
        (await Cli.RunAsync("docker", ["exec", container, "cat", "/var/cache/ecr-login/log/ecr-login.log"], cancel)).Output;

    private static async Task PullWithAuthAsync(LabRegistry registry, string username, string password, CancellationToken cancel)
    {
        var api = (await Cli.DockerAsync("read the daemon's API version", cancel, "version", "--format", "{{.Server.APIVersion}}")).Output.Trim();
        using var client = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).WithApiVersion(System.Version.Parse(api)).Build();
        var reference = registry.PrivateImage;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = reference[..reference.LastIndexOf(':')], Tag = reference[(reference.LastIndexOf(':') + 1)..] },
            new AuthConfig { Username = username, Password = password, ServerAddress = registry.Host },
            new Progress<JSONMessage>(),
            cancel);
    }
}
