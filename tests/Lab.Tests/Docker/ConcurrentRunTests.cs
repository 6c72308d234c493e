using System.Diagnostics;
using System.Text.Json;

namespace Lab.Docker;

/// <summary>
/// Two test runs on one machine: a second <c>dotnet test</c> of the helper and pull proofs, started while this run's
/// lab is up, starts a lab of its own next to it. Both must work: the second run passes, and this run's names, CA
/// and emulator keep answering while the other lab is up and after it is gone.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ConcurrentRunTests(LabFixture lab)
{
    /// <summary>Set for the second run, in which this test does nothing (no third run).</summary>
    public const string SecondRunVariable = "ECRLAB_SECOND_RUN";

    private const string SecondRunFilter = "FullyQualifiedName~Lab.Docker.HelperProofTests|FullyQualifiedName~Lab.Docker.PullProofTests";
    private static readonly TimeSpan SecondRunTimeout = TimeSpan.FromMinutes(5);

    [HelperArchiveFact]
    public async Task A_second_run_started_meanwhile_passes_with_its_own_lab_and_this_runs_lab_keeps_working()
    {
        if (Environment.GetEnvironmentVariable(SecondRunVariable) is not null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(SecondRunTimeout);
        var ownLines = MarkedLines().Where(line => line.Owner == lab.HostOwner).Select(line => line.Text).ToList();
        var tokensBefore = lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "ok");

        using var second = ChildProcess.Start("dotnet", ["test", Path.Combine(AppContext.BaseDirectory, "Lab.Tests.dll"), "--filter", SecondRunFilter],
            environment: new Dictionary<string, string> { [SecondRunVariable] = "1" });
        var secondOwner = await WaitForSecondLabAsync(second.Process, timeout.Token);
        var whileBothRun = await UseThisRunsLabAsync(ownLines, timeout.Token);
        var secondLabStillUp = MarkedLines().Any(line => line.Owner == secondOwner);
        var secondRun = await second.FinishAsync(timeout.Token);
        var afterwards = await UseThisRunsLabAsync(ownLines, timeout.Token);

        Assert.True(secondRun.Succeeded, $"the second run exited {secondRun.ExitCode}: {secondRun.Output} {secondRun.Error}");
        Assert.Contains("Passed!", secondRun.Output);
        Assert.NotNull(secondOwner);
        Assert.NotEqual(lab.RunId, secondOwner.RunId);
        Assert.All(whileBothRun.Concat(afterwards), Assert.Null);
        Assert.True(lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "ok") >= tokensBefore + (2 * lab.Registries.Count) + 2, lab.Emulator.Requests.ToString());
        Assert.Equal(ownLines, MarkedLines().Where(line => line.Owner == lab.HostOwner).Select(line => line.Text));
        Assert.All(lab.Registries, registry => Assert.True(File.Exists(Path.Combine("/etc/docker/certs.d", registry.Host, "ca.crt")), registry.Host + " lost its certs.d folder"));
        Assert.DoesNotContain(MarkedLines(), line => line.Owner == secondOwner);
        Assert.True(secondLabStillUp, "the second run's lab was gone before this run's helper calls ended: no overlap was tested");
    }

    /// <summary>The owner of the second run's /etc/hosts block (its test host is a descendant of <paramref name="dotnetTest"/>), once it appears.</summary>
    private static async Task<RunOwner?> WaitForSecondLabAsync(Process dotnetTest, CancellationToken cancel)
    {
        while (!dotnetTest.HasExited)
        {
            if (MarkedLines().Select(line => line.Owner).FirstOrDefault(owner => owner is not null && IsDescendant(owner.Pid, dotnetTest.Id)) is { } owner)
            {
                return owner;
            }

            await Task.Delay(50, cancel);
        }

        return null;
    }

    /// <summary>
    /// Uses this run's lab as its tests do: the helper gets a token for each registry (this run's password, from this
    /// run's emulator), and the host daemon pulls the first registry's private image (this run's /etc/hosts lines and
    /// certs.d folder). One entry per step: null when it worked, else what went wrong. Nothing is called once a line
    /// of this run's block is gone: the name would then go to DNS, off the machine.
    /// </summary>
    private async Task<List<string?>> UseThisRunsLabAsync(IReadOnlyCollection<string> ownLines, CancellationToken cancel)
    {
        var missing = ownLines.Except(HostsFile.ReadLines()).ToList();
        if (missing.Count > 0)
        {
            return [$"this run's /etc/hosts lines are gone: {string.Join(" | ", missing)}"];
        }

        var problems = new List<string?>();
        var pulled = lab.Registries[0];
        var pullCache = lab.NewFolder("helper-cache");
        await Cli.RunAsync("docker", ["rmi", "-f", pulled.PrivateImage], cancel);
        var pull = await LabClient.DockerAsync(LabClient.HelperEnvironment(lab, lab.CredentialsFile, pullCache), cancel,
            "--config", LabClient.CredHelpersConfig(lab, [pulled.Host]), "pull", pulled.PrivateImage);
        problems.Add(pull.Succeeded ? null : $"pull {pulled.PrivateImage}: {pull.Error.Trim()} / helper log: {LabClient.HelperLog(pullCache)}");
        foreach (var registry in lab.Registries)
        {
            var cache = lab.NewFolder("helper-cache");
            var result = await LabClient.HelperGetAsync(lab, registry.Host, lab.CredentialsFile, cache, cancel);
            var secret = result.Succeeded ? JsonDocument.Parse(result.Output).RootElement.GetProperty("Secret").GetString() : null;
            problems.Add(secret == registry.Ecr.Password ? null
                : result.Succeeded ? $"{registry.Host}: the token is not this run's" : $"{registry.Host}: exit {result.ExitCode}, helper log: {LabClient.HelperLog(cache)}");
        }

        return problems;
    }

    private static List<(string Text, RunOwner? Owner)> MarkedLines() =>
        [.. HostsFile.ReadLines().Where(line => line.Contains(HostsFile.Marker, StringComparison.Ordinal)).Select(line => (line, RunOwner.Find(line)))];

    private static bool IsDescendant(int pid, int ancestor)
    {
        for (var current = pid; current > 1; current = ParentOf(current))
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parent pid from /proc/&lt;pid&gt;/stat (the field after the parenthesised name), or 0 once the process is gone.</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
