using System.Security.Cryptography;

namespace Lab.Clean;

/// <summary>
/// Down, Clean and Status against the real Engine after a real Up and Register (GitLab is the emulator): what Clean
/// removes is checked with docker's own label filters and the file system, what it must keep by hashes and by a
/// look-alike container the project did not create.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class CleanTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task Down_keeps_files_then_Clean_unregisters_and_removes_only_what_the_project_labelled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "clean");
        var runner = run.UseGitLab(gitlab);
        var decoy = $"{run.Project}_runner_1-mine";
        try
        {
            // Given the runner up and registered, and a container named like the runner that the project did not create
            await run.UpAndRegisterAsync(cancel);
            await Cli.DockerAsync("create the look-alike", cancel, "create", "--pull", "never", "--name", decoy, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, lab.Images.RunnerHost, "true");
            var configFile = Path.Combine(run.State, "runner", "config", "config.toml");
            var kept = Hashes(run.CredentialsFile, Path.Combine(LabImages.RepositoryRoot(), ".env"), Path.Combine(LabImages.RepositoryRoot(), ".env.local"));

            // Then Status shows the running runner and its entry
            var status = await run.RunAsync(cancel, "--target=Status", "--exclusive");
            Assert.True(status.Succeeded, status.Output + status.Error);
            Assert.Matches(@"containers +\S+: running", status.Output);
            Assert.Contains($"credentials  CREDENTIALS_SOURCE=file, file {run.CredentialsFile}", status.Output);
            Assert.Contains("smoke test   never run", status.Output);
            Assert.DoesNotContain(runner.Token, status.Output + status.Error);

            // And the DinD token refresher, its last refresh and each registry's token expiry (token mode, the default)
            Assert.Matches(@"containers +(\S+: running.*\n\s+)?\S+ecr-token\S*: running", status.Output);
            Assert.Contains("dind auth    DIND_AUTH=token, refresher running; last refresh ok at ", status.Output);
            foreach (var registry in lab.Registries)
            {
                Assert.Matches($@"dind token   {registry.Host.Replace(".", @"\.")}: expires at \S+ \S+ UTC \(in 12 h\) \(assumed: 12 h after it was obtained\)", status.Output);
            }

            Assert.DoesNotContain("STALE", status.Output);
            var tokens = Path.Combine(run.State, "runner", "dind-token", "docker", "config.json");
            Assert.True(File.Exists(tokens));

            // When Down runs, the runner and the refresher stop and every file stays
            var down = await run.RunAsync(cancel, "--target=Down", "--exclusive");
            Assert.True(down.Succeeded, down.Output + down.Error);
            Assert.Equal(string.Empty, (await Labelled(run, "ps", "--quiet", cancel)).Trim());
            Assert.NotEqual(string.Empty, (await Labelled(run, "ps", "--all --quiet", cancel)).Trim());
            Assert.True(File.Exists(configFile));
            var downAgain = await run.RunAsync(cancel, "--target=Down", "--exclusive");
            Assert.True(downAgain.Succeeded, downAgain.Output + downAgain.Error);
            Assert.Contains("Nothing to stop", downAgain.Output);

            // When Clean runs as Cake's dry run (--dryrun), and with CLEAN_DRY_RUN, it lists the same and changes nothing
            var dry = await run.RunAsync(cancel, "--target=Clean", "--dryrun");
            Assert.True(dry.Succeeded, dry.Output + dry.Error);
            Assert.Contains("would unregister runner", dry.Output);
            Assert.Contains("would remove container ", dry.Output);
            Assert.Contains("would remove volume ", dry.Output);
            Assert.Contains($"would remove state folder {run.State}", dry.Output);
            Assert.Contains("Dry run: nothing was changed.", dry.Output);
            run.Environment["CLEAN_DRY_RUN"] = "true";
            var dryBySetting = await run.RunAsync(cancel, "--target=Clean", "--exclusive");
            run.Environment.Remove("CLEAN_DRY_RUN");
            Assert.True(dryBySetting.Succeeded, dryBySetting.Output + dryBySetting.Error);
            // The same things (a container's status in brackets says how long ago it exited, so it is left out).
            static string Would(string output) => string.Join('\n', output.Split('\n').Where(l => l.StartsWith("would ", StringComparison.Ordinal)).Select(l => l.Split(" (")[0]).Order(StringComparer.Ordinal));
            Assert.Equal(Would(dry.Output), Would(dryBySetting.Output));
            Assert.True(File.Exists(configFile));
            foreach (var kind in new[] { "ps --all", "volume ls" })
            {
                Assert.NotEqual(string.Empty, (await Labelled(run, kind, "--quiet", cancel)).Trim());
            }

            Assert.Single(gitlab.Runners);
            Assert.Equal(0, gitlab.Calls.Count("DELETE", "/api/v4/runners"));

            // When Clean runs
            var clean = await run.RunAsync(cancel, "--target=Clean", "--exclusive");

            // Then the runner is unregistered, nothing labelled is left, the state folder is gone, and the user's files and container are untouched
            Assert.True(clean.Succeeded, clean.Output + clean.Error);
            Assert.DoesNotContain(runner.Token, clean.Output + clean.Error);
            Assert.Empty(gitlab.Runners);
            foreach (var kind in new[] { "ps --all", "network ls", "volume ls" })
            {
                Assert.Equal(string.Empty, (await Labelled(run, kind, "--quiet", cancel)).Trim());
            }

            Assert.False(Directory.Exists(run.State));
            Assert.False(File.Exists(tokens));
            Assert.Equal(kept, Hashes(run.CredentialsFile, Path.Combine(LabImages.RepositoryRoot(), ".env"), Path.Combine(LabImages.RepositoryRoot(), ".env.local")));
            Assert.Equal(decoy, (await Cli.DockerAsync("inspect the look-alike", cancel, "inspect", "--format", "{{.Name}}", decoy)).Output.Trim().TrimStart('/'));

            // And a second Clean succeeds with nothing to do, and Status after Clean says nothing is up
            var again = await run.RunAsync(cancel, "--target=Clean", "--exclusive");
            Assert.True(again.Succeeded, again.Output + again.Error);
            Assert.Contains("Nothing to clean", again.Output);
            var after = await run.RunAsync(cancel, "--target=Status", "--exclusive");
            Assert.True(after.Succeeded, after.Output + after.Error);
            Assert.Contains("containers   none", after.Output);
            Assert.Contains("not registered", after.Output);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", decoy], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Status_and_Clean_on_a_fresh_root_succeed_with_nothing_to_do()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var run = new UpRun(lab, "fresh");
        Directory.Delete(run.State);
        run.Environment.Remove("HELPER_SOURCE");

        var status = await run.RunAsync(timeout.Token, "--target=Status", "--exclusive");
        var clean = await run.RunAsync(timeout.Token, "--target=Clean", "--exclusive");

        Assert.True(status.Succeeded, status.Output + status.Error);
        Assert.Contains("not created yet", status.Output);
        Assert.Contains("containers   none", status.Output);
        Assert.Contains("helper       not built", status.Output);
        Assert.Contains("smoke test   never run", status.Output);
        Assert.True(clean.Succeeded, clean.Output + clean.Error);
        Assert.Contains("Nothing to clean", clean.Output);
        Assert.False(Directory.Exists(run.State));
    }

    /// <summary>Docker's own answer for the project's labels (either of them).</summary>
    private static async Task<string> Labelled(UpRun run, string list, string quiet, CancellationToken cancel)
    {
        var output = string.Empty;
        foreach (var label in new[] { $"gitlab-runner-ecr.project={run.Project}", $"com.docker.compose.project={run.Project}" })
        {
            output += (await Cli.DockerAsync("list by label", cancel, [.. list.Split(' '), .. quiet.Split(' '), "--filter", "label=" + label])).Output;
        }

        return output;
    }

    private static List<string> Hashes(params string[] files) =>
        [.. files.Select(f => File.Exists(f) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))) : "absent")];
}
