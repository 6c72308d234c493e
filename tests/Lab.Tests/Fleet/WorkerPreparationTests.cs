using System.Text.Json;
using Build.Fleet;
using Build.Helper;

namespace Lab.Fleet;

/// <summary>
/// A worker prepared by the generated user-data, both modes: the helper downloaded and checked, the SSH user in the
/// docker group, and the DinD level's credentials working on the worker's daemon with the worker's role through IMDSv2
/// (a stand-in on the lab network). SmokeTest's fleet mode, SSH and the runner's autoscaler are not part of this.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class WorkerPreparationTests(LabFixture lab)
{
    private const string SshUser = "ec2-user";

    private async Task<(IReadOnlyDictionary<string, string> Files, ImdsStandIn Imds, AwsKey Role, string Helper)> PrepareAsync(string mode, CancellationToken cancel)
    {
        var helper = await LabHelper.Amd64Async();
        var role = new AwsKey("ASIAWORKER" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "worker-secret/" + Guid.NewGuid().ToString("N"), lab.Key.AccountId,
            $"arn:aws:sts::{lab.Key.AccountId}:assumed-role/{ImdsStandIn.Role}/i-0lab", SessionToken: "worker-session-" + Guid.NewGuid().ToString("N"));
        lab.Emulator.SetKey(role);
        var imds = await ImdsStandIn.StartAsync(lab.Gateway, role, helper, LabHelper.Version, cancel);
        var values = new Dictionary<string, string>
        {
            ["STATE_DIR"] = lab.NewFolder("fleet-state"),
            ["FLEET"] = "aws",
            ["FLEET_ASG"] = "lab-workers",
            ["FLEET_SSH_USER"] = SshUser,
            ["FLEET_HELPER_URL"] = new Uri(imds.BaseAddress, "helpers").ToString(),
            ["HELPER_VERSION"] = LabHelper.Version,
            ["ECR_REGISTRIES"] = string.Join(',', lab.Registries.Select(r => r.Host)),
            ["REGISTRY_CA_BUNDLE"] = lab.CaPath,
            ["DIND_AUTH"] = mode,
        };
        var settings = Build.Settings.BuildSettings.Load(new Cake.Core.IO.DirectoryPath(values["STATE_DIR"]), new Cake.Core.IO.DirectoryPath(values["STATE_DIR"]), new Dictionary<string, string>(), values.GetValueOrDefault, null);
        var manifest = new HelperManifest
        {
            Source = "path",
            Version = LabHelper.Version,
            Origin = helper,
            CreatedAt = DateTimeOffset.UtcNow,
            Binaries = [new HelperBinary("linux/amd64", "linux-amd64/" + HelperOutput.BinaryName, FileHash.Sha256(helper), new FileInfo(helper).Length)],
        };
        var files = WorkerFiles.Render(settings, TestRepository.Root(), manifest).ToDictionary(f => f.Name, f => f.Text);
        return (files, imds, role, helper);
    }

    /// <summary>What an instance has by itself and a lab container does not: the metadata service's address, and trust in the lab's ECR endpoint.</summary>
    private static Dictionary<string, string> InstanceEnvironment(ImdsStandIn imds) => new()
    {
        ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.BaseAddress.ToString(),
        ["AWS_CA_BUNDLE"] = "/etc/lab-ca.pem",
    };

    [HelperArchiveFact]
    public async Task Token_mode_user_data_prepares_a_worker_whose_refresher_gets_tokens_with_the_role_for_DinD_pulls()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        var (files, imds, role, helper) = await PrepareAsync("token", cancel);
        await using var _ = imds;
        await using var worker = await LabWorker.StartAsync(lab, "token", SshUser, cancel);

        // When the user-data runs as cloud-init would (the refresher's service started once, as systemctl start does)
        var cloudInit = new CloudInitRunner(worker.Container, InstanceEnvironment(imds));
        await cloudInit.RunAsync(files[WorkerFiles.UserData], cancel);

        // Then the helper is BuildHelper's binary, and the SSH user may use the worker's daemon
        Assert.Equal(FileHash.Sha256(helper), (await worker.ExecAsync(cancel, "sha256sum", "/usr/local/bin/docker-credential-ecr-login")).Output.Split(' ')[0]);
        Assert.Contains("docker", (await worker.ExecAsync(cancel, "id", "-nG", SshUser)).Output.Split(' ', StringSplitOptions.TrimEntries));

        // And the refresher wrote a token per registry, with the role it got from IMDSv2 (a token on every metadata read)
        using var status = JsonDocument.Parse((await worker.ExecAsync(cancel, "cat", "/etc/gitlab-runner-ecr/dind-token/status.json")).Output);
        Assert.Equal(lab.Registries.Select(r => r.Host).Order(), status.RootElement.GetProperty("registries").EnumerateArray().Select(r => r.GetProperty("host").GetString()).Order());
        Assert.All(status.RootElement.GetProperty("registries").EnumerateArray(), r => Assert.Equal("ok", r.GetProperty("result").GetString()));
        Assert.Contains(imds.Requests, r => r.StartsWith("PUT /latest/api/token", StringComparison.Ordinal));
        Assert.DoesNotContain(imds.Requests, r => r.Contains("security-credentials", StringComparison.Ordinal) && r.EndsWith("no-token", StringComparison.Ordinal));
        Assert.Contains(lab.Emulator.Requests.Snapshot(), r => r.AccessKeyId == role.AccessKeyId && r.Succeeded);

        // And a DinD-level pull on the worker's daemon succeeds with the jobs' token folder, and fails without it
        var image = lab.Registries[0].PrivateImage;
        var pull = await worker.ExecAsync(cancel, "sh", "-c", $"DOCKER_CONFIG=/etc/gitlab-runner-ecr/dind-token/docker docker pull {image}");
        Assert.True(pull.Succeeded, pull.Output + pull.Error + string.Join('\n', cloudInit.Log));
        await worker.ExecAsync(cancel, "docker", "rmi", image);
        var anonymous = await worker.ExecAsync(cancel, "sh", "-c", $"DOCKER_CONFIG=/tmp/empty docker pull {image}");
        Assert.False(anonymous.Succeeded);

        // And no credential of the role was printed by any step
        Assert.DoesNotContain(role.SecretAccessKey, string.Join('\n', cloudInit.Log), StringComparison.Ordinal);
        Assert.DoesNotContain(role.SessionToken!, string.Join('\n', cloudInit.Log), StringComparison.Ordinal);
    }

    [HelperArchiveFact]
    public async Task Helper_mode_user_data_prepares_a_worker_whose_helper_pulls_with_the_role_for_DinD()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancel = timeout.Token;
        var (files, imds, role, helper) = await PrepareAsync("helper", cancel);
        await using var _ = imds;
        await using var worker = await LabWorker.StartAsync(lab, "helper", SshUser, cancel);

        // When the user-data runs as cloud-init would
        var cloudInit = new CloudInitRunner(worker.Container, InstanceEnvironment(imds));
        await cloudInit.RunAsync(files[WorkerFiles.UserData], cancel);

        // Then the DinD config.json names the helper for each registry, and no refresher was installed
        Assert.Equal(FileHash.Sha256(helper), (await worker.ExecAsync(cancel, "sha256sum", "/usr/local/bin/docker-credential-ecr-login")).Output.Split(' ')[0]);
        using var config = JsonDocument.Parse((await worker.ExecAsync(cancel, "cat", "/etc/gitlab-runner-ecr/dind/config.json")).Output);
        Assert.All(lab.Registries, r => Assert.Equal("ecr-login", config.RootElement.GetProperty("credHelpers").GetProperty(r.Host).GetString()));
        Assert.False((await worker.ExecAsync(cancel, "test", "-e", "/etc/systemd/system/gitlab-runner-ecr-token.timer")).Succeeded);

        // And a DinD-level pull with that config asks the helper, which uses the worker's role through IMDSv2
        var image = lab.Registries[0].PrivateImage;
        var environment = InstanceEnvironment(imds).SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" });
        var pull = await Cli.RunAsync("docker", ["exec", .. environment, "-e", "DOCKER_CONFIG=/etc/gitlab-runner-ecr/dind", worker.Container, "docker", "pull", image], cancel);
        Assert.True(pull.Succeeded, pull.Output + pull.Error);
        Assert.Contains(lab.Emulator.Requests.Snapshot(), r => r.AccessKeyId == role.AccessKeyId && r.Succeeded);
        Assert.DoesNotContain(role.SecretAccessKey, pull.Output + pull.Error + string.Join('\n', cloudInit.Log), StringComparison.Ordinal);
    }
}
