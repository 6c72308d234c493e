namespace Lab.Docker;

/// <summary>Pulls of the lab's private image through real Docker daemons, with and without the helper.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PullProofTests(LabFixture lab)
{
    [Fact]
    public async Task Host_daemon_pulls_the_private_image_with_a_credHelpers_config_and_fails_without()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var registry = lab.Registries[1];
        var cache = lab.NewFolder("helper-cache");
        var environment = LabClient.HelperEnvironment(lab, lab.CredentialsFile, cache);
        await Cli.RunAsync("docker", ["rmi", "-f", registry.PrivateImage], timeout.Token);

        var anonymous = await LabClient.DockerAsync(environment, timeout.Token, "--config", lab.NewFolder("empty-config"), "pull", registry.PrivateImage);
        var tokensBefore = SuccessfulCalls(registry);
        var withHelper = await LabClient.DockerAsync(environment, timeout.Token, "--config", LabClient.CredHelpersConfig(lab, [registry.Host]), "pull", registry.PrivateImage);
        var run = await Cli.RunAsync("docker", ["run", "--rm", "--pull", "never", "--network", "none", registry.PrivateImage], timeout.Token);

        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("no basic auth credentials", anonymous.Error);
        Assert.True(withHelper.Succeeded, $"pull with credHelpers failed: {withHelper.Error} / helper log: {LabClient.HelperLog(cache)}");
        Assert.Contains("hello from private ECR", run.Output);
        Assert.True(SuccessfulCalls(registry) > tokensBefore, $"the emulator saw no new successful call for {registry.Host} during the pull: {lab.Emulator.Requests}");
    }

    [Fact]
    public async Task Job_container_pulls_the_private_image_through_a_DinD_daemon_with_the_mounted_helper()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var registry = lab.Registries[0];
        var dind = $"{lab.RunId}-dind";
        var certs = lab.NewFolder("dind-certs");
        Directory.CreateDirectory(Path.Combine(certs, registry.Host));
        File.Copy(lab.CaPath, Path.Combine(certs, registry.Host, "ca.crt"));
        var config = LabClient.CredHelpersConfig(lab, [registry.Host]);

        // --privileged is refused on this machine (CAP_SYS_RESOURCE is outside the bounding set); this is its equivalent.
        await Cli.DockerAsync("start the DinD daemon", timeout.Token,
            "run", "-d", "--pull", "never", "--name", dind, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "--network", lab.Network, "--network-alias", "docker",
            "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
            "-v", certs + ":/etc/docker/certs.d:ro", lab.Images.Dind);
        try
        {
            await WaitForDaemonAsync(dind, timeout.Token);

            var job = await Cli.RunAsync("docker",
            [
                "run", "--rm", "--pull", "never", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", lab.Network,
                "--add-host", $"api.ecr.{registry.Ecr.Region}.amazonaws.com:{lab.Gateway}",
                "-v", Path.Combine(config, "config.json") + ":/root/.docker/config.json:ro",
                "-v", lab.Images.Helper + ":/usr/local/bin/docker-credential-ecr-login:ro",
                "-v", lab.CredentialsFile + ":/root/.aws/credentials:ro",
                "-v", lab.CaPath + ":/etc/lab/ca.pem:ro",
                "-e", "AWS_CA_BUNDLE=/etc/lab/ca.pem", "-e", "AWS_EC2_METADATA_DISABLED=true", "-e", "DOCKER_HOST=tcp://docker:2375",
                lab.Images.DockerCli,
                "sh", "-c", $"docker pull {registry.PrivateImage} && docker run --rm {registry.PrivateImage}",
            ], timeout.Token);

            Assert.True(job.Succeeded, $"job exited {job.ExitCode}: {job.Output} {job.Error}");
            Assert.Contains("hello from private ECR", job.Output);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", dind], CancellationToken.None);
        }
    }

    /// <summary>Successful calls the emulator answered so far for the registry's account and region, whichever test made them.</summary>
    private int SuccessfulCalls(LabRegistry registry) =>
        lab.Emulator.Requests.Snapshot().Count(r => r.Succeeded && r.Region == registry.Ecr.Region && r.RegistryIds.Contains(registry.Ecr.AccountId));

    /// <summary>Waits until the DinD daemon in <paramref name="container"/> answers (shared with Register's lab test).</summary>
    internal static async Task WaitForDaemonAsync(string container, CancellationToken cancel)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if ((await Cli.RunAsync("docker", ["exec", container, "docker", "version", "--format", "{{.Server.Version}}"], cancel)).Succeeded)
            {
                return;
            }

            await Task.Delay(500, cancel);
        }

        var logs = await Cli.RunAsync("docker", ["logs", "--tail", "30", container], cancel);
        throw new LabException($"the DinD daemon in {container} did not answer within 60 s: {logs.Output}{logs.Error}");
    }
}
