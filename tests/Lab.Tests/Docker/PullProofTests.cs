
namespace Lab.Docker;

/// <summary>Pulls of the lab's private image through real Docker daemons, with and without the helper.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PullProofTests(LabFixture lab)
{
    [HelperArchiveFact]
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
        var config = LabClient.CredHelpersConfig(lab, [registry.Host]);
        var dind = await LabDind.StartAsync(lab, "dind", registry, timeout.Token);
        try
        {
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
}
