using Build.Settings;

namespace Build.Tests.Settings;

public sealed class EnvLocalFileTests
{
    [Theory]
    [InlineData("# mine\nGITLAB_TOKEN=x # keep\n\nexport RUNNER_NAME='a b'\n")]
    [InlineData("# crlf\r\nRUNNER_NAME=a\r\n")]
    [InlineData("RUNNER_NAME=no-final-newline")]
    [InlineData("")]
    public void Adding_a_value_keeps_every_other_byte(string text)
    {
        var result = EnvLocalFile.WithValue(text, "RUNNER_CREDENTIALS_FILE", "/home/me/.config/gitlab-runner-ecr/credentials");

        Assert.StartsWith(text, result);
        var added = result[text.Length..];
        var newline = text.Contains("\r\n") ? "\r\n" : "\n";
        Assert.Equal((text.Length == 0 || text.EndsWith('\n') ? string.Empty : newline) + "RUNNER_CREDENTIALS_FILE=/home/me/.config/gitlab-runner-ecr/credentials" + newline, added);
    }

    [Fact]
    public void Setting_a_value_again_replaces_only_its_own_line()
    {
        const string text = "# top\r\nRUNNER_CREDENTIALS_FILE=/old/path # was here\r\nAWS_PROFILE=ci\r\n";

        var result = EnvLocalFile.WithValue(text, "RUNNER_CREDENTIALS_FILE", "/new path/credentials");

        Assert.Equal("# top\r\nRUNNER_CREDENTIALS_FILE='/new path/credentials'\r\nAWS_PROFILE=ci\r\n", result);
        Assert.Equal("/new path/credentials", DotEnvFile.Parse(result, _ => null).Entries.Single(e => e.Key == "RUNNER_CREDENTIALS_FILE").Value);
    }

    [Fact]
    public void A_new_file_starts_with_a_header_and_parses_back()
    {
        var result = EnvLocalFile.WithValue(null, "RUNNER_CREDENTIALS_FILE", "/it's/here");

        Assert.StartsWith(EnvLocalFile.Header, result);
        Assert.Equal("/it's/here", DotEnvFile.Parse(result, _ => null).Entries.Single().Value);
    }

    public static TheoryData<string> HostilePaths =>
    [
        "/home/me/it's/creds",
        "/home/me/say \"hi\"/creds",
        "/home/me/both ' and \"/creds",
        "$HOME/creds",
        "/home/${X}/creds",
        "/home/${MISSING:-fallback}/creds",
        "/cost/$$5/$USER",
        "/with space/and # hash",
        "#starts-with-hash",
        "C:\\Users\\me\\creds",
        "/ends/with/backslash\\",
        "/it's/$HOME/and\\back",
        "/it's/$HOME/creds",
        "/it's/${X}/$USER",
        "/it's/$$",
        "\\$HOME",
        "/trailing space ",
        " leading space",
        "/tab\there",
        "/ünïcødé/認証/créds",
        "=equals=",
        "'",
        "\"",
        "\\'",
        string.Empty,
    ];

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Any_value_reads_back_exactly_as_written(string value)
    {
        // Given an environment in which every reference the value holds would expand to something else
        string? environment(string name) => name switch { "HOME" => "/root", "USER" => "me", "X" => "ex", _ => null };

        // When the value is written to a new file and over an existing line
        var fresh = EnvLocalFile.WithValue(null, "RUNNER_CREDENTIALS_FILE", value);
        var replaced = EnvLocalFile.WithValue("A=1\nRUNNER_CREDENTIALS_FILE=/old # was\nB=2\n", "RUNNER_CREDENTIALS_FILE", value);

        // Then both read back as exactly the value, and the other lines as they were
        foreach (var text in new[] { fresh, replaced })
        {
            var result = DotEnvFile.Parse(text, environment);
            Assert.Empty(result.Errors);
            Assert.Equal(value, result.Entries.Single(e => e.Key == "RUNNER_CREDENTIALS_FILE").Value);
        }

        Assert.Equal(["1", "2"], DotEnvFile.Parse(replaced, environment).Entries.Where(e => e.Key != "RUNNER_CREDENTIALS_FILE").Select(e => e.Value));
    }

    // The text, as docker compose reads it too: single quotes only without ' and backslash (compose reads \' in them as
    // a quote), otherwise double quotes with \\, \" and \$ (compose's escape for a literal $).
    [Theory]
    [InlineData("/home/me/.aws/credentials", "/home/me/.aws/credentials")]
    [InlineData("$HOME/my creds", "'$HOME/my creds'")]
    [InlineData("/it's/$HOME", "\"/it's/\\$HOME\"")]
    [InlineData("/ends/with\\", "\"/ends/with\\\\\"")]
    [InlineData("say \"hi\" $X", "'say \"hi\" $X'")]
    [InlineData("it's \"${X}\"", "\"it's \\\"\\${X}\\\"\"")]
    public void Values_are_written_plain_single_quoted_or_double_quoted_with_escapes(string value, string written)
    {
        Assert.Equal($"A=1\nRUNNER_CREDENTIALS_FILE={written}\n", EnvLocalFile.WithValue("A=1\n", "RUNNER_CREDENTIALS_FILE", value));
    }

    [Theory]
    [InlineData("/home/me/creds\n")]
    [InlineData("/home/me\r\nEVIL=1/creds")]
    [InlineData("/home/\0/creds")]
    public void A_value_with_a_line_break_is_refused_rather_than_written_wrongly(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => EnvLocalFile.WithValue("A=1\n", "RUNNER_CREDENTIALS_FILE", value));

        Assert.StartsWith("RUNNER_CREDENTIALS_FILE cannot be written to .env.local: its value holds a line break", error.Message);
    }

    [Theory]
    [InlineData("RUNNER_CREDENTIALS_FILE")]
    [InlineData("STATE_DIR")]
    [InlineData("AWS_CA_BUNDLE")]
    public void A_path_setting_with_a_line_break_is_refused_when_the_settings_are_read(string key)
    {
        var error = Assert.Throws<SettingsException>(() => BuildSettings.Load(
            new Cake.Core.IO.DirectoryPath("/repo"), new Cake.Core.IO.DirectoryPath("/home/me"), new Dictionary<string, string>(), name => name == key ? "/home/me/creds\nEVIL=1" : null, null));

        Assert.Equal($"{key} = \"/home/me/creds\\nEVIL=1\" from environment variable {key} is not valid: a path holds no line break (nor NUL), and .env.local could not record one; accepted: {SettingCatalog.Find(key)!.Accepts}", Assert.Single(error.Problems));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Writing_is_atomic_private_and_leaves_no_temporary_file()
    {
        var folder = Directory.CreateTempSubdirectory("env-local-").FullName;
        try
        {
            var path = Path.Combine(folder, ".env.local");
            File.WriteAllText(path, "old");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

            EnvLocalFile.WriteAtomically(path, "A=1\n");

            Assert.Equal("A=1\n", File.ReadAllText(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal([path], Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
