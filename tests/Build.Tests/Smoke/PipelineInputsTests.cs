using System.Xml.Linq;
using Build.Smoke;
using Build.Tests.RunnerConfig;

namespace Build.Tests.Smoke;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PipelineInputsTests
{
    private const string Image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0";

    [Fact]
    public void Example_pipeline_carries_RUNNER_TAGS_as_every_jobs_tags_and_none_without_them()
    {
        // Given RUNNER_TAGS, and then none
        var tagged = ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Image, ["RUNNER_TAGS"] = "ecr, docker" });
        var untagged = ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Image });
        var template = File.ReadAllText(ExamplePipeline.Template(TestRepository.Root()));

        // When rendered
        var withTags = ExamplePipeline.Render(template, tagged);
        var withoutTags = ExamplePipeline.Render(template, untagged);

        // Then a default: block gives every job the tags; without tags there is no default: block and no placeholder
        Assert.Contains("default:\n  tags: [\"ecr\", \"docker\"]\n", withTags);
        Assert.DoesNotContain("default:", withoutTags);
        Assert.DoesNotContain("{{", withoutTags);
        Assert.DoesNotContain("\n\n\n", withoutTags);
    }

    [Fact]
    public void An_unfinished_run_leaves_a_junit_file_that_counts_as_failed()
    {
        var xml = XDocument.Parse(SmokeSummary.Unfinished(DateTimeOffset.UtcNow));

        Assert.Equal("1", (string?)xml.Descendants("testsuite").Single().Attribute("failures"));
        Assert.Contains("did not finish", xml.Descendants("failure").Single().Value);
    }

    [Fact]
    public void Job_logs_lose_colour_codes_and_section_markers_and_the_tail_is_the_last_lines()
    {
        var trace = "\u001b[0KRunning with gitlab-runner 19.3.0\r\nsection_start:1700000000:prepare_executor[collapsed=true]\r\u001b[0K\u001b[36;1mPreparing\u001b[0;m\nline 3\nline 4\n";

        var log = JobLog.Clean(trace);

        Assert.Equal("Running with gitlab-runner 19.3.0\nPreparing\nline 3\nline 4", log);
        Assert.Equal("line 3\nline 4", JobLog.Tail(log, 2));
    }
}
