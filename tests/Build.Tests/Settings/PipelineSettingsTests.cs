using Build.GitLab;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

public sealed class PipelineSettingsTests
{
    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    [Fact]
    public void Pipeline_mode_is_on_only_with_a_token_and_a_project_and_its_times_have_defaults()
    {
        // Given no GitLab token, then a token and a project
        var off = Load([]);
        var on = Load(new() { ["GITLAB_TOKEN"] = "glpat-abcdefghij0123456789", ["GITLAB_PROJECT"] = "group/app" });

        // Then pipeline mode is off, then on, with the catalog's defaults
        Assert.False(EffectiveGitLab.FromSettings(off).CanRunPipelines);
        Assert.True(EffectiveGitLab.FromSettings(on).CanRunPipelines);
        Assert.True(EffectiveGitLab.LocalServer(off, new Build.Secrets.Secret("glpat-root0123456789abcd")).CanRunPipelines);
        Assert.Equal(TimeSpan.FromSeconds(900), off.Smoke.PipelineTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), off.Smoke.PipelinePendingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), off.Smoke.PipelinePollInterval);
        Assert.Equal("gitlab-runner-ecr-smoketest", off.Smoke.PipelineBranch);
    }

    [Fact]
    public void Pipeline_times_and_branch_are_parsed_and_bad_values_are_refused_together()
    {
        var settings = Load(new() { ["PIPELINE_TIMEOUT"] = "60", ["PIPELINE_PENDING_TIMEOUT"] = "5", ["PIPELINE_POLL_INTERVAL"] = "0.5", ["PIPELINE_BRANCH"] = "ci/smoke" });
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Smoke.PipelineTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Smoke.PipelinePendingTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Smoke.PipelinePollInterval);
        Assert.Equal("ci/smoke", settings.Smoke.PipelineBranch);

        var error = Assert.Throws<SettingsException>(() => Load(new() { ["PIPELINE_TIMEOUT"] = "1m", ["PIPELINE_PENDING_TIMEOUT"] = "0", ["PIPELINE_POLL_INTERVAL"] = "0.01", ["PIPELINE_BRANCH"] = "a..b" }));
        Assert.Equal(4, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("PIPELINE_TIMEOUT = \"1m\"", StringComparison.Ordinal) && p.Contains("a whole number of seconds 10-86400", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("PIPELINE_BRANCH", StringComparison.Ordinal));
    }
}
