using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest's probe (both levels, images present, no pipeline mode) after one Up and Register: wall time of
/// ./build.sh --target=SmokeTest --exclusive and each level's time from the JUnit file; median, min and max of N runs.
/// benchmarks/smoketest/run.sh runs it and keeps the table. Not part of the test suite (test.sh leaves Category=Benchmark
/// out): a time target is a benchmark's verdict, not a test's.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Benchmark")]
public sealed class SmokeTestBenchmark(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task SmokeTest_probe_wall_time_and_per_level_times()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("SMOKETEST_BENCH_RUNS"), out var n) && n > 0 ? n : 3;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5 + runs));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "smoke-bench");
        run.UseGitLab(gitlab);
        run.UseSmokeTestStandIns();
        await run.UpAndRegisterAsync(cancel);
        var warmUp = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        Assert.True(warmUp.Succeeded, warmUp.Output + warmUp.Error);

        var samples = new List<Dictionary<string, double>>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var wall = clock.Elapsed.TotalMilliseconds;
            Assert.True(smoke.Succeeded, smoke.Output + smoke.Error);
            var junit = XDocument.Load(Path.Combine(run.State, "smoketest", "junit.xml"));
            double Ms(XElement e) => 1000 * double.Parse((string)e.Attribute("time")!, CultureInfo.InvariantCulture);
            var suite = junit.Descendants("testsuite").Single();
            var sample = new Dictionary<string, double> { ["wall time (process)"] = wall, ["probe: levels and clean-up (summary total)"] = Ms(suite), ["host start-up, image checks, exit"] = wall - Ms(suite) };
            foreach (var testCase in junit.Descendants("testcase"))
            {
                sample["level: " + (string)testCase.Attribute("name")!] = Ms(testCase);
            }

            samples.Add(sample);
        }

        string Row(string name)
        {
            var values = samples.Select(s => s[name]).Order().ToList();
            return $"| {name} | {values[values.Count / 2]:0} | {values[0]:0} | {values[^1]:0} |";
        }

        var table = string.Join('\n', new[]
        {
            $"SmokeTest probe (executor + DinD level, images present, no pipeline mode), {runs} runs ({DateTime.UtcNow:yyyy-MM-dd HH:mm}Z)",
            string.Empty,
            "| what | median ms | min ms | max ms |",
            "|---|---|---|---|",
        }.Concat(samples[0].Keys.Select(Row)));
        output.WriteLine(table);
        if (Environment.GetEnvironmentVariable("SMOKETEST_BENCH_OUT") is { Length: > 0 } file)
        {
            File.WriteAllText(file, table + "\n");
        }

        Assert.True(samples.Select(s => s["wall time (process)"]).Order().ElementAt(runs / 2) < 15_000, table);
    }
}
