using System.Xml.Linq;
using Build.Smoke;

namespace Build.Tests.Smoke;

public sealed class SmokeSummaryTests
{
    private static readonly LevelResult Executor = LevelResult.Pass("executor (image:)", TimeSpan.FromSeconds(1.24), "helper in the runner container");

    private static readonly LevelResult Dind = LevelResult.Fail(
        "DinD (docker pull in a job)", TimeSpan.FromSeconds(3.5), "wrong secret access key (InvalidSignatureException)", "copy the secret access key again", "level=error msg=\"InvalidSignatureException\"");

    [Fact]
    public void Table_lists_level_result_time_and_cause_and_the_fix_and_output_of_each_failed_level()
    {
        // Given one passed and one failed level
        var summary = new SmokeSummary([Executor, Dind], TimeSpan.FromSeconds(4.9));

        // When the table is rendered
        var table = summary.Table();

        // Then every level has a row with its result, time and cause, and the failure's fix follows with its output
        var expected =
            """
            level                        result   time  cause
            ---------------------------  ------  -----  -----
            executor (image:)            pass    1.2 s  helper in the runner container
            DinD (docker pull in a job)  FAIL    3.5 s  wrong secret access key (InvalidSignatureException)
            SmokeTest FAILED in 4.9 s
            Fix (DinD (docker pull in a job)): copy the secret access key again
                level=error msg="InvalidSignatureException"

            """;
        Assert.Equal(expected, table);
        Assert.False(summary.Passed);
    }

    [Fact]
    public void Passed_only_when_every_level_passed_and_at_least_one_ran()
    {
        Assert.True(new SmokeSummary([Executor], TimeSpan.Zero).Passed);
        Assert.False(new SmokeSummary([], TimeSpan.Zero).Passed);
        Assert.False(new SmokeSummary([Executor, Dind], TimeSpan.Zero).Passed);
    }

    [Fact]
    public void JUnit_xml_has_one_test_case_per_level_and_a_failure_with_cause_and_fix()
    {
        // Given the same summary
        var summary = new SmokeSummary([Executor, Dind], TimeSpan.FromSeconds(4.9));

        // When it is rendered as JUnit XML and parsed back
        var xml = XDocument.Parse(summary.JUnitXml(new DateTimeOffset(2026, 11, 29, 2, 30, 0, TimeSpan.Zero)));

        // Then the suite counts the levels and the failed one carries its cause and fix
        var suite = Assert.Single(xml.Root!.Elements("testsuite"));
        Assert.Equal("2", (string?)suite.Attribute("tests"));
        Assert.Equal("1", (string?)suite.Attribute("failures"));
        Assert.Equal("4.900", (string?)suite.Attribute("time"));
        Assert.Equal("2026-11-29T02:30:00", (string?)suite.Attribute("timestamp"));
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(["executor (image:)", "DinD (docker pull in a job)"], cases.Select(c => (string?)c.Attribute("name")));
        Assert.Null(cases[0].Element("failure"));
        var failure = cases[1].Element("failure")!;
        Assert.Equal("wrong secret access key (InvalidSignatureException)", (string?)failure.Attribute("message"));
        Assert.Contains("Fix: copy the secret access key again", failure.Value);
    }

    [Fact]
    public void The_helper_the_levels_ran_is_named_above_the_table_and_as_a_junit_property()
    {
        // Given a summary of a run with the helper BuildHelper installed, read as 0.8.0
        var summary = new SmokeSummary([Executor], TimeSpan.FromSeconds(1.3)) { Helper = "0.8.0 linux/amd64 (HELPER_SOURCE=path)" };

        // When it is rendered as text and as JUnit XML
        var table = summary.Table();
        var suite = XDocument.Parse(summary.JUnitXml(DateTimeOffset.UnixEpoch)).Descendants("testsuite").Single();

        // Then both name the helper's version as read
        Assert.StartsWith("helper: 0.8.0 linux/amd64 (HELPER_SOURCE=path)\nlevel ", table);
        var property = Assert.Single(suite.Elements("properties").Elements("property"));
        Assert.Equal("helper", (string?)property.Attribute("name"));
        Assert.Equal("0.8.0 linux/amd64 (HELPER_SOURCE=path)", (string?)property.Attribute("value"));
        Assert.Equal("properties", suite.Elements().First().Name.LocalName);
    }

    [Fact]
    public void A_job_log_with_control_characters_still_gives_valid_junit_xml()
    {
        // Given a failed pipeline row whose detail is a job log with colour codes, a bell, a NUL and a lone surrogate
        var log = "\u001b[31mERROR\u001b[0m pull failed\u0007\u0000 tail \ud800 end \U0001F600";
        var level = LevelResult.Fail("pipeline: dind-pull", TimeSpan.FromSeconds(2), "job failed\u001b[0m", "read the log", log);

        // When the JUnit XML is written
        var xml = new SmokeSummary([level], TimeSpan.FromSeconds(2)).JUnitXml(DateTimeOffset.UnixEpoch);

        // Then it parses, and the failure keeps the text with each forbidden character spelled out
        var failure = XDocument.Parse(xml).Descendants("failure").Single();
        Assert.Equal("job failed\\u001B[0m", (string?)failure.Attribute("message"));
        Assert.Contains("\\u001B[31mERROR\\u001B[0m pull failed\\u0007\\u0000 tail \\uD800 end \U0001F600", failure.Value, StringComparison.Ordinal);
    }
}
