using Build.Smoke;
using Build.Tests.Host;

namespace Build.Tests.Runner;

/// <summary>Status's "smoke test" line read from STATE_DIR/smoketest/junit.xml as SmokeTest writes it (counts on the testsuite).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusSmokeTestTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string Status(string junit)
    {
        var file = Path.Combine(_build.Root, ".state", "smoketest", "junit.xml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, junit);
        var machine = _build.FakeMachine("echo 'Cannot connect to the Docker daemon' >&2; exit 1\n", null, null);
        var (code, output) = _build.RunWith(machine, "--target=Status");
        Assert.Equal(0, code);
        return output;
    }

    [Fact]
    public void A_failed_run_and_an_unfinished_one_show_as_failed_and_a_passed_one_as_passed()
    {
        var failed = new SmokeSummary([LevelResult.Pass("executor (image:)", TimeSpan.Zero), LevelResult.Fail("pipeline: test-dind-pull", TimeSpan.Zero, "job #1 failed", "read the log")], TimeSpan.Zero);
        var passed = new SmokeSummary([LevelResult.Pass("executor (image:)", TimeSpan.Zero)], TimeSpan.Zero);

        Assert.Matches(@"smoke test\s+failed \(1 failing\)", Status(failed.JUnitXml(DateTimeOffset.UtcNow)));
        Assert.Matches(@"smoke test\s+failed \(1 failing\)", Status(SmokeSummary.Unfinished(DateTimeOffset.UtcNow)));
        Assert.Matches(@"smoke test\s+passed", Status(passed.JUnitXml(DateTimeOffset.UtcNow)));
    }
}
