using System.Diagnostics;
using System.Security.Cryptography;

namespace Lab.Docker;

/// <summary>A killed run leaves labelled resources behind; the next start removes them and keeps a live run's.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class LeftoverTests(LabFixture lab)
{
    [Fact]
    public async Task Leftovers_of_a_dead_process_are_removed_and_a_live_runs_are_kept_until_removed_by_run()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var cancel = timeout.Token;
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var deadRun = "ecrlab-dead" + suffix;
        var liveRun = "ecrlab-live" + suffix;
        using var live = Process.Start("sleep", "120");
        try
        {
            var deadPid = await DeadPidAsync();
            string[] Labels(string run, int pid) => ["--label", $"{LabFixture.RunLabel}={run}", "--label", $"{LabFixture.PidLabel}={pid}"];
            using (await SetupLockAsync(cancel))
            {
                await Cli.DockerAsync("create a dead run's network", cancel, ["network", "create", "--internal", .. Labels(deadRun, deadPid), deadRun]);
                await Cli.DockerAsync("create a dead run's volume", cancel, ["volume", "create", .. Labels(deadRun, deadPid), deadRun]);
                await Cli.DockerAsync("create a dead run's container", cancel, ["create", "--pull", "never", "--name", deadRun, "--network", deadRun, "-v", deadRun + ":/data", .. Labels(deadRun, deadPid), lab.Images.Hello]);
                await Cli.DockerAsync("create a live run's network", cancel, ["network", "create", "--internal", .. Labels(liveRun, live.Id), liveRun]);
            }

            var sweep = await LabFixture.Teardown(cancel);

            Assert.True(sweep.Succeeded, sweep.Error + sweep.Output);
            Assert.Empty(await Labelled("container", deadRun, cancel));
            Assert.Empty(await Labelled("network", deadRun, cancel));
            Assert.Empty(await Labelled("volume", deadRun, cancel));
            Assert.Single(await Labelled("network", liveRun, cancel));
            Assert.Single(await Labelled("network", lab.RunId, cancel));

            var byRun = await LabFixture.Teardown(cancel, "--run=" + liveRun);

            Assert.True(byRun.Succeeded, byRun.Error + byRun.Output);
            Assert.Empty(await Labelled("network", liveRun, cancel));
            Assert.Single(await Labelled("network", lab.RunId, cancel));
        }
        finally
        {
            live.Kill();
            await LabFixture.Teardown(CancellationToken.None, "--run=" + liveRun);
            await LabFixture.Teardown(CancellationToken.None, "--run=" + deadRun);
        }
    }

    [Fact]
    public async Task A_dead_runs_compose_containers_running_again_on_its_network_are_removed_with_it_and_a_live_runs_are_kept()
    {
        // Given a killed run whose compose project's container a restarted daemon started again on the run's network
        // (compose copies no run label onto it), and a live run's compose container
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var cancel = timeout.Token;
        string NewRun() => "ecrlab-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var deadRun = NewRun();
        var liveRun = NewRun();
        using var live = Process.Start("sleep", "120");
        try
        {
            var deadPid = await DeadPidAsync();
            string[] Labels(string run, int pid) => ["--label", $"{LabFixture.RunLabel}={run}", "--label", $"{LabFixture.PidLabel}={pid}"];
            string[] Compose(string run) => ["--label", $"com.docker.compose.project={run}-smoke", "--restart", "unless-stopped"];
            using (await SetupLockAsync(cancel))
            {
                await Cli.DockerAsync("create a dead run's network", cancel, ["network", "create", "--internal", .. Labels(deadRun, deadPid), deadRun + "-net"]);
                await Cli.DockerAsync("start a dead run's compose container", cancel, ["run", "-d", "--pull", "never", "--name", deadRun + "-smoke_runner_1", "--network", deadRun + "-net", .. Compose(deadRun), lab.Images.DockerCli, "sleep", "600"]);
                await Cli.DockerAsync("create a live run's network", cancel, ["network", "create", "--internal", .. Labels(liveRun, live.Id), liveRun + "-net"]);
                await Cli.DockerAsync("start a live run's compose container", cancel, ["run", "-d", "--pull", "never", "--name", liveRun + "-smoke_runner_1", "--network", liveRun + "-net", .. Compose(liveRun), lab.Images.DockerCli, "sleep", "600"]);
            }

            // When the next run sweeps the leftovers
            var sweep = await LabFixture.Teardown(cancel);

            // Then the dead run's container and network are gone, the live run's stay until removed by run
            Assert.True(sweep.Succeeded, sweep.Error + sweep.Output);
            Assert.Empty(await ComposeProject("container", deadRun, cancel));
            Assert.Empty(await Labelled("network", deadRun, cancel));
            Assert.Single(await ComposeProject("container", liveRun, cancel));
            Assert.Single(await Labelled("network", liveRun, cancel));

            var byRun = await LabFixture.Teardown(cancel, "--run=" + liveRun);

            Assert.True(byRun.Succeeded, byRun.Error + byRun.Output);
            Assert.Empty(await ComposeProject("container", liveRun, cancel));
            Assert.Empty(await Labelled("network", liveRun, cancel));
        }
        finally
        {
            live.Kill();
            await LabFixture.Teardown(CancellationToken.None, "--run=" + liveRun);
            await LabFixture.Teardown(CancellationToken.None, "--run=" + deadRun);
        }
    }

    [Theory]
    [InlineData("--run=ecrlab-x")]
    [InlineData("--leftovers --run=not-a-lab-run")]
    [InlineData("--unknown")]
    public async Task Teardown_refuses_bad_arguments_with_usage_and_exit_2(string arguments)
    {
        var result = await Cli.RunAsync("bash", [Path.Combine(LabImages.RepositoryRoot(), "tests", "lab", "teardown.sh"), .. arguments.Split(' ')], CancellationToken.None);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage:", result.Error);
        Assert.Single(await Labelled("network", lab.RunId, CancellationToken.None));
    }

    /// <summary>
    /// The lock tests/lab/setup.sh and teardown.sh take (flock): held while a test makes its fake leftovers, so that
    /// another collection's start, sweeping at the same time, never finds them half made (a volume whose container
    /// appeared after the sweep listed containers is "in use").
    /// </summary>
    private static async Task<FileStream> SetupLockAsync(CancellationToken cancel)
    {
        while (true)
        {
            try
            {
                // On Linux, .NET takes FileShare.None as flock(LOCK_EX), the lock the lab's scripts take.
                return new FileStream("/run/lock/ecrlab-setup.lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(200, cancel);
            }
        }
    }

    /// <summary>The pid of a process that has exited and been reaped, so /proc has no entry for it.</summary>
    internal static async Task<int> DeadPidAsync()
    {
        using var exited = Process.Start("true");
        await exited.WaitForExitAsync();
        return exited.Id;
    }

    private static async Task<string[]> ComposeProject(string kind, string run, CancellationToken cancel)
    {
        var result = await Cli.DockerAsync($"list {kind}s of {run}'s compose project", cancel, [kind, "ls", "-q", "-a", "--filter", $"label=com.docker.compose.project={run}-smoke"]);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<string[]> Labelled(string kind, string run, CancellationToken cancel)
    {
        string[] all = kind == "container" ? ["-a"] : [];
        var result = await Cli.DockerAsync($"list {kind}s of {run}", cancel, [kind, "ls", "-q", .. all, "--filter", $"{LabFixture.RunLabel}={run}".Insert(0, "label=")]);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
