using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

/// <summary>DIND_AUTH and DIND_TOKEN_REFRESH: the mode of the DinD level, and the refresher's interval with its bounds.</summary>
public sealed class DindAuthSettingsTests
{
    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    [Fact]
    public void Token_mode_renewed_every_hour_is_the_default()
    {
        // Given nothing set, when the settings load
        var settings = Load([]);

        // Then jobs get tokens, renewed hourly
        Assert.Equal(DindAuth.Token, settings.Runner.DindAuth);
        Assert.Equal(TimeSpan.FromHours(1), settings.Runner.DindTokenRefresh);
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData("90s", 90)]
    [InlineData(" 30m ", 1800)]
    [InlineData("10h", 36000)]
    [InlineData("39599", 39599)]
    public void A_refresh_interval_takes_seconds_minutes_or_hours(string text, int seconds)
    {
        // Given an interval in one of its spellings, when the settings load
        var settings = Load(new() { ["DIND_TOKEN_REFRESH"] = text });

        // Then it is that many seconds
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.Runner.DindTokenRefresh);
    }

    [Theory]
    [InlineData("11h", "under 11 h, every job starts with at least 1 h of token left")]
    [InlineData("660m", "under 11 h, every job starts with at least 1 h of token left")]
    [InlineData("39600", "under 11 h, every job starts with at least 1 h of token left")]
    [InlineData("12h", "under 11 h, every job starts with at least 1 h of token left")]
    [InlineData("4s", "5 s is the shortest interval")]
    [InlineData("0", "5 s is the shortest interval")]
    public void An_interval_of_11_hours_or_more_or_under_5_seconds_is_refused_with_why(string text, string why)
    {
        // Given an interval out of bounds, when the settings load
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["DIND_TOKEN_REFRESH"] = text }));

        // Then the one problem names the setting, the value, the reason and what is accepted
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"DIND_TOKEN_REFRESH = \"{text}\" from environment variable DIND_TOKEN_REFRESH is not valid: ", problem);
        Assert.Contains(why, problem);
        Assert.Contains("accepted: a duration of at least 5 s and under 11 h", problem);
    }

    [Theory]
    [InlineData("1d")]
    [InlineData("1.5h")]
    [InlineData("-1h")]
    [InlineData("h")]
    [InlineData("one hour")]
    public void A_refresh_interval_of_another_shape_is_refused(string text)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["DIND_TOKEN_REFRESH"] = text }));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("DIND_TOKEN_REFRESH = ", problem);
        Assert.Contains("is not valid; accepted: a duration of at least 5 s and under 11 h", problem);
    }

    [Fact]
    public void A_mode_other_than_token_or_helper_is_refused()
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["DIND_AUTH"] = "keys" }));

        Assert.Equal("DIND_AUTH = \"keys\" from environment variable DIND_AUTH is not valid; accepted: token or helper", Assert.Single(error.Problems));
    }
}
