using Tomlyn;
using Tomlyn.Model;

namespace Lab.Register;

/// <summary>
/// Helper mode (DIND_AUTH=helper; token mode's is TokenModeTests): Up, then Register against the GitLab emulator, then
/// the DinD level as the runner would start it: a job-like
/// container given exactly the [runners.docker] volumes, extra hosts, network and environment read back from the
/// config.toml Register wrote (parsed here with Tomlyn), next to the lab's DinD service, runs <c>docker pull</c> of the
/// private image; with a wrong secret in the mounted credentials file the same pull fails.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RegisterTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task In_helper_mode_Register_writes_a_config_toml_whose_job_settings_pull_the_private_image_through_DinD()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "register");
        var runner = run.UseGitLab(gitlab);
        run.Environment["DIND_AUTH"] = "helper";

        // Given the runner up, when Register runs
        var up = await run.UpAsync(cancel);
        Assert.True(up.Succeeded, up.Output + up.Error);
        var register = await run.RunAsync(cancel, "--target=Register", "--exclusive");

        // Then config.toml is in the runner's config folder, private, with the runner verified in GitLab
        Assert.True(register.Succeeded, register.Output + register.Error);
        Assert.DoesNotContain(runner.Token, register.Output + register.Error);
        var configFile = Path.Combine(run.State, "runner", "config", "config.toml");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(configFile));
        Assert.Single(runner.SystemIds);
        var entry = ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(configFile))!["runners"]).Cast<TomlTable>().Single();
        var docker = (TomlTable)entry["docker"];
        Assert.Equal(lab.Images.DockerCli, docker["image"]);
        Assert.Equal(true, docker["privileged"]);
        Assert.Equal(lab.Network, docker["network_mode"]);
        var volumes = ((TomlArray)docker["volumes"]).Cast<string>().ToList();
        var environment = ((TomlArray)entry["environment"]).Cast<string>().ToList();
        var extraHosts = ((TomlArray)docker["extra_hosts"]).Cast<string>().ToList();

        // And a job with exactly those settings pulls through DinD, but not with a wrong secret in the credentials file
        var registry = lab.Registries[0];
        var dind = await LabDind.StartAsync(lab, "register-dind", registry, cancel);
        try
        {
            var wrong = Path.Combine(lab.NewFolder("wrong-credentials"), "credentials");
            lab.WriteCredentials(wrong, "wrong-" + lab.Key.SecretAccessKey);
            var refused = await JobAsync(Replace(volumes, run.CredentialsFile, wrong), environment, extraHosts, (string)docker["network_mode"], registry, cancel);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("no basic auth credentials", refused.Output + refused.Error);

            var job = await JobAsync(volumes, environment, extraHosts, (string)docker["network_mode"], registry, cancel);
            Assert.True(job.Succeeded, $"job exited {job.ExitCode}: {job.Output} {job.Error}");
            Assert.Contains("hello from private ECR", job.Output);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", dind], CancellationToken.None);
        }

        // And a second Register changes nothing
        var written = File.GetLastWriteTimeUtc(configFile);
        var again = await run.RunAsync(cancel, "--target=Register", "--exclusive");
        Assert.True(again.Succeeded, again.Output + again.Error);
        Assert.Equal(written, File.GetLastWriteTimeUtc(configFile));
        Assert.Single(gitlab.Runners);
    }

    private static List<string> Replace(List<string> volumes, string source, string replacement) =>
        [.. volumes.Select(v => v.StartsWith(source + ":", StringComparison.Ordinal) ? replacement + v[source.Length..] : v)];

    /// <summary>A job container as the Docker executor starts it from [runners.docker] (the DinD service as <c>docker</c>).</summary>
    private Task<ProcessResult> JobAsync(IEnumerable<string> volumes, IEnumerable<string> environment, IEnumerable<string> extraHosts, string network, LabRegistry registry, CancellationToken cancel)
    {
        var arguments = new List<string> { "run", "--rm", "--pull", "never", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", network };
        arguments.AddRange(volumes.SelectMany(v => new[] { "-v", v }));
        arguments.AddRange(environment.SelectMany(e => new[] { "-e", e }));
        arguments.AddRange(extraHosts.SelectMany(h => new[] { "--add-host", h }));
        arguments.AddRange(["-e", "DOCKER_HOST=tcp://docker:2375", "-e", "AWS_ECR_DISABLE_CACHE=true", lab.Images.DockerCli, "sh", "-c", $"docker pull {registry.PrivateImage} && docker run --rm {registry.PrivateImage}"]);
        return Cli.RunAsync("docker", arguments, cancel);
    }
}
