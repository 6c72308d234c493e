using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Lab.Preflight;

/// <summary>
/// Preflight's wall time against the lab for its two registries with a cold helper cache (every helper call
/// gets a fresh cache folder), split into host start-up, credentials check, STS and helper. benchmarks/preflight/run.sh
/// runs it and keeps the table. Not part of the test suite (test.sh leaves Category=Benchmark out): a time target is a
/// benchmark's verdict, not a test's.
/// </summary>
[Collection(LabServerCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Benchmark")]
public sealed partial class PreflightBenchmark(LabFixture lab, ITestOutputHelper output)
{
    [GeneratedRegex(@"Preflight took (?<total>\d+) ms: credentials check (?<check>\d+) ms, STS (?<sts>\d+) ms, helper (?<helper>\d+) ms")]
    private static partial Regex Timings();

    [Fact]
    public async Task Preflight_for_two_registries_with_a_cold_helper_cache()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("PREFLIGHT_BENCH_ROUNDS"), out var n) && n > 0 ? n : 3;
        var build = new LabBuild(lab);
        build.WriteCredentials();
        await build.RunAsync("--target=Preflight"); // warm-up: the first start of the runtime reads everything from disk
        var samples = new List<(double Wall, double Host, double Check, double Sts, double Helper)>();
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var result = await build.RunAsync("--target=Preflight");
            var wall = clock.Elapsed.TotalMilliseconds;
            Assert.True(result.Succeeded, result.Output + result.Error);
            var m = Timings().Match(result.Output);
            Assert.True(m.Success, result.Output);
            double Ms(string name) => double.Parse(m.Groups[name].Value);
            samples.Add((wall, wall - Ms("total"), Ms("check"), Ms("sts"), Ms("helper")));
        }

        double Median(Func<(double Wall, double Host, double Check, double Sts, double Helper), double> pick)
        {
            var sorted = samples.Select(pick).Order().ToList();
            return sorted[sorted.Count / 2];
        }

        var wallMedian = Median(s => s.Wall);
        string Row(string name, double ms) => $"{name,-22}{ms,8:0} ms {100 * ms / wallMedian,5:0}%";
        var table = string.Join('\n',
            $"Preflight, 2 registries, cold helper cache, median of {rounds} runs ({DateTime.UtcNow:yyyy-MM-dd HH:mm}Z)",
            Row("wall time", wallMedian),
            Row("host start-up + exit", Median(s => s.Host)),
            Row("credentials check", Median(s => s.Check)),
            Row("STS", Median(s => s.Sts)),
            Row("helper (2 calls)", Median(s => s.Helper)));
        output.WriteLine(table);
        if (Environment.GetEnvironmentVariable("PREFLIGHT_BENCH_OUT") is { Length: > 0 } file)
        {
            File.WriteAllText(file, table + "\n");
        }

        Assert.True(wallMedian < 15_000, table);
    }
}
