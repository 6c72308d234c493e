namespace Lab.Docker;

/// <summary>The lock of the lab's global names: one holder at a time across processes (flock), and a waiter that names the holder.</summary>
public sealed class GlobalNamesLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ecrlab-lock-").FullName;

    private string LockPath => Path.Combine(_root, "global-names.lock");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_second_claim_waits_while_the_names_are_held_and_names_the_holder_when_it_gives_up()
    {
        // Given one run holding the names
        var holder = new RunOwner("ecrlab-holder", Environment.ProcessId);
        using (await GlobalNamesLock.AcquireAsync(holder, TimeSpan.FromSeconds(1), CancellationToken.None, LockPath))
        {
            // When another run asks for them
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<LabException>(() => GlobalNamesLock.AcquireAsync(new RunOwner("ecrlab-waiter", Environment.ProcessId), TimeSpan.FromSeconds(1), CancellationToken.None, LockPath));

            // Then it waited, and says who holds them
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"it gave up after {clock.Elapsed}");
            Assert.Contains($"held by another test run ({holder})", error.Message);
        }

        // And once released, the names can be claimed again, and the holder's note is gone
        Assert.False(File.Exists(Path.ChangeExtension(LockPath, ".owner")));
        using var again = await GlobalNamesLock.AcquireAsync(new RunOwner("ecrlab-next", Environment.ProcessId), TimeSpan.FromSeconds(1), CancellationToken.None, LockPath);
    }

    [Fact]
    public async Task A_lock_held_by_another_process_holds_this_one_off_until_that_process_ends()
    {
        // Given another process holding the flock on the file (util-linux flock, as a different process would)
        File.WriteAllText(LockPath, string.Empty);
        using var other = ChildProcess.Start("flock", ["--exclusive", LockPath, "sleep", "2"]);
        await Task.Delay(500);

        // When this process claims it, then it gets it only after the other one ended
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var claim = await GlobalNamesLock.AcquireAsync(new RunOwner("ecrlab-after", Environment.ProcessId), TimeSpan.FromSeconds(30), CancellationToken.None, LockPath);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"claimed after {clock.Elapsed}, while the other process still held it");
        Assert.True(other.Process.HasExited || other.Process.WaitForExit(1000));
    }
}
