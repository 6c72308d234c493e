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
