using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

/// <summary>FLEET and its knobs: off by default, a pinned plugin, idle slots the fleet can reach, an archive Up can unpack.</summary>
public sealed class FleetSettingsTests
{
    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    [Fact]
    public void No_fleet_is_the_default()
    {
        // Given nothing set, when the settings load
        var fleet = Load([]).Fleet;

        // Then jobs run here, and the autoscaler's knobs have GitLab's usual values
        Assert.Equal(FleetMode.None, fleet.Mode);
        Assert.False(fleet.Enabled);
        Assert.Null(fleet.GroupName);
        Assert.Equal("aws:1.1", fleet.Plugin);
        Assert.Equal((10, 1, 1, 0), (fleet.MaxInstances, fleet.CapacityPerInstance, fleet.MaxUseCount, fleet.IdleCount));
        Assert.Equal(TimeSpan.FromMinutes(20), fleet.IdleTime);
        Assert.Equal("ec2-user", fleet.SshUser);
    }

    [Theory]
    [InlineData("aws:1")]
    [InlineData("aws:1.1.0")]
    [InlineData("gitlab-org/fleeting/plugins/aws:1.1")]
    [InlineData("registry.example.com:5000/mirror/fleeting/aws:2.0.1")]
    public void A_plugin_pinned_to_a_version_is_taken(string plugin)
    {
        var fleet = Load(new() { ["FLEET"] = "aws", ["FLEET_PLUGIN"] = plugin }).Fleet;

        Assert.Equal(plugin, fleet.Plugin);
        Assert.True(fleet.Enabled);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("aws:latest")]
    [InlineData("registry.gitlab.com/gitlab-org/fleeting/plugins/aws")]
    public void A_plugin_without_a_pinned_version_is_refused_with_why(string plugin)
    {
        // Given a plugin reference that follows the latest release, when the settings load
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["FLEET_PLUGIN"] = plugin }));

        // Then the problem says to pin it, and why
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"FLEET_PLUGIN = \"{plugin}\" from environment variable FLEET_PLUGIN is not valid: pin a version (aws:1.1, say)", problem);
        Assert.Contains("the next plugin release would change a running fleet", problem);
    }

    [Theory]
    [InlineData("aws:^1.1")]
    [InlineData("AWS:1")]
    [InlineData("aws:1.1.0.0")]
    [InlineData("aws 1.1")]
    public void A_plugin_of_another_shape_is_refused_with_what_is_accepted(string plugin)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["FLEET_PLUGIN"] = plugin }));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("is not valid; accepted: a fleeting plugin reference pinned to a version", problem);
    }

    [Fact]
    public void More_idle_slots_than_the_fleet_has_are_refused_with_the_sum()
    {
        // Given 2 instances of 3 slots each and 7 idle slots asked for
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["FLEET_MAX_INSTANCES"] = "2", ["FLEET_CAPACITY_PER_INSTANCE"] = "3", ["FLEET_IDLE_COUNT"] = "7" }));

        // Then the problem gives the fleet's slots and what to change
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("FLEET_IDLE_COUNT = \"7\" from environment variable FLEET_IDLE_COUNT is not valid: the fleet has 6 job slots", problem);
        Assert.Contains("lower it or raise FLEET_MAX_INSTANCES", problem);
    }

    [Fact]
    public void As_many_idle_slots_as_the_fleet_has_are_taken()
    {
        var fleet = Load(new() { ["FLEET_MAX_INSTANCES"] = "2", ["FLEET_CAPACITY_PER_INSTANCE"] = "3", ["FLEET_IDLE_COUNT"] = "6" }).Fleet;

        Assert.Equal(6, fleet.IdleCount);
    }

    [Theory]
    [InlineData("FLEET", "kubernetes", "none or aws")]
    [InlineData("FLEET_ASG", "ci workers", "an Auto Scaling group name")]
    [InlineData("FLEET_MAX_INSTANCES", "0", "a whole number 1-1000")]
    [InlineData("FLEET_CAPACITY_PER_INSTANCE", "101", "a whole number 1-100")]
    [InlineData("FLEET_IDLE_TIME", "25h", "a duration: seconds (90 or 90s), minutes (20m) or hours (1h), at most 24 h")]
    [InlineData("FLEET_SSH_USER", "Root", "a Linux user name")]
    [InlineData("FLEET_HELPER_URL", "https://me:pw@helpers.example.com", "an http(s) URL without user info")]
    public void A_bad_value_is_refused_with_what_is_accepted(string key, string text, string accepted)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { [key] = text }));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"{key} = ", problem);
        Assert.Contains($"accepted: {accepted}", problem);
    }

    [Fact]
    public void A_plugin_archive_that_is_not_a_gzip_tar_is_refused()
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["FLEET_PLUGIN_ARCHIVE"] = "/srv/fleeting-plugin-aws.zip" }));

        Assert.Contains("Up unpacks the plugin binary from a gzip-compressed tar archive", Assert.Single(error.Problems));
    }
}
