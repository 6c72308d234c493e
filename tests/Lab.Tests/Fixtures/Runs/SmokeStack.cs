namespace Lab.Fixtures.Runs;

/// <summary>
/// The Given most SmokeTest lab tests share: a GitLab emulator, an <see cref="UpRun"/> whose runner is created there,
/// and SmokeTest's stand-ins (the lab's DinD, CA and private image). Disposed in reverse: the run's compose project,
/// then the emulator.
/// </summary>
public sealed class SmokeStack : IAsyncDisposable
{
    private SmokeStack(GitLabEmulator gitlab, UpRun run, EmulatedRunner runner) => (GitLab, Run, Runner) = (gitlab, run, runner);

    public GitLabEmulator GitLab { get; }

    public UpRun Run { get; }

    public EmulatedRunner Runner { get; }

    public static async Task<SmokeStack> StartAsync(LabFixture lab, string name, CancellationToken cancel)
    {
        var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        var run = new UpRun(lab, name);
        var runner = run.UseGitLab(gitlab);
        run.UseSmokeTestStandIns();
        return new SmokeStack(gitlab, run, runner);
    }

    public void Deconstruct(out GitLabEmulator gitlab, out UpRun run, out EmulatedRunner runner) => (gitlab, run, runner) = (GitLab, Run, Runner);

    public async ValueTask DisposeAsync()
    {
        await Run.DisposeAsync();
        await GitLab.DisposeAsync();
    }
}
