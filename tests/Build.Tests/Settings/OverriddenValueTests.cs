using Build.Settings;
using Build.Tests.Host;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.Settings;

/// <summary>A .env.local or .env value that the environment or an argument overrides is said once, before any task.</summary>
public sealed class OverriddenValueTests
{
    private static BuildSettings Load(string? dotEnv, string? dotEnvLocal, Dictionary<string, string>? environment = null, Dictionary<string, string>? arguments = null) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), arguments ?? [], name => environment?.GetValueOrDefault(name), dotEnv, dotEnvLocal);

    [Fact]
    public void A_file_value_the_environment_or_an_argument_overrides_gets_one_line_naming_both_origins()
    {
        // Given a company-wide AWS_CA_BUNDLE in the environment over the user's .env.local, and an argument over .env
        var settings = Load(
            "RUNNER_NAME=from-dotenv\n",
            "# mine\nAWS_CA_BUNDLE=/home/me/ca.pem\n",
            new() { ["AWS_CA_BUNDLE"] = "/etc/pki/company-ca.pem" },
            new() { ["runner-name"] = "from-argument" });

        // Then each gets one line with the setting, both origins and both values
        Assert.Equal(
            [
                "RUNNER_NAME from argument --runner-name (\"from-argument\") overrides .env line 1 (\"from-dotenv\")",
                "AWS_CA_BUNDLE from environment variable AWS_CA_BUNDLE (\"/etc/pki/company-ca.pem\") overrides .env.local line 2 (\"/home/me/ca.pem\")",
            ],
            settings.OverriddenFileValues);
        Assert.Equal("/etc/pki/company-ca.pem", settings.Aws.CaBundle!.FullPath);
    }

    [Fact]
    public void The_line_names_dotenv_local_when_both_files_set_the_value()
    {
        var settings = Load("AWS_PROFILE=team\n", "AWS_PROFILE=mine\n", new() { ["AWS_PROFILE"] = "ci" });

        Assert.Equal("AWS_PROFILE from environment variable AWS_PROFILE (\"ci\") overrides .env.local line 1 (\"mine\")", Assert.Single(settings.OverriddenFileValues));
    }

    [Fact]
    public void No_line_when_the_values_are_equal_or_the_file_wins()
    {
        var equal = Load(null, "AWS_CA_BUNDLE=/etc/pki/ca.pem\n", new() { ["AWS_CA_BUNDLE"] = "/etc/pki/ca.pem" });
        var emptyVariable = Load(null, "AWS_CA_BUNDLE=/etc/pki/ca.pem\n", new() { ["AWS_CA_BUNDLE"] = string.Empty });
        var localOverDotEnv = Load("AWS_PROFILE=team\n", "AWS_PROFILE=mine\n");
        var argumentOverEnvironment = Load(null, null, new() { ["AWS_PROFILE"] = "ci" }, new() { ["aws-profile"] = "mine" });

        Assert.All(new[] { equal, emptyVariable, localOverDotEnv, argumentOverEnvironment }, s => Assert.Empty(s.OverriddenFileValues));
    }

    [Fact]
    public void A_secret_gets_the_line_without_either_value()
    {
        const string fromFile = "glpat-fromdotenvlocal0123456789";
        const string fromEnvironment = "glpat-fromenvironment0123456789";

        var settings = Load(null, $"GITLAB_TOKEN={fromFile}\n", new() { ["GITLAB_TOKEN"] = fromEnvironment });

        var line = Assert.Single(settings.OverriddenFileValues);
        Assert.Equal("GITLAB_TOKEN from environment variable GITLAB_TOKEN overrides .env.local line 1 (a secret: values not shown)", line);
        Assert.DoesNotContain("glpat", line);
    }

    [Fact]
    public void A_long_value_is_shortened_and_user_info_and_line_breaks_are_not_shown_as_typed()
    {
        var settings = Load(
            null,
            $"HELPER_GOPROXY=\"https://me:pass@proxy.example/\\n\"\nRUNNER_DESCRIPTION={new string('a', 80)}\n",
            new() { ["HELPER_GOPROXY"] = "https://proxy.example", ["RUNNER_DESCRIPTION"] = "short" });

        Assert.Equal(
            [
                "HELPER_GOPROXY from environment variable HELPER_GOPROXY (\"https://proxy.example\") overrides .env.local line 1 (\"https://***@proxy.example/\\n\")",
                $"RUNNER_DESCRIPTION from environment variable RUNNER_DESCRIPTION (\"short\") overrides .env.local line 2 (\"{new string('a', 59)}…\")",
            ],
            settings.OverriddenFileValues);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_build_prints_each_line_once_before_the_tasks_and_no_secret()
    {
        // Given a machine-wide AWS_CA_BUNDLE and GITLAB_TOKEN over the ones in .env.local
        using var build = new BuildProcess();
        var dotEnvLocal = Path.Combine(build.Root, ".env.local");
        File.WriteAllText(dotEnvLocal, "AWS_CA_BUNDLE=/home/me/ca.pem\nGITLAB_TOKEN=glpat-fromdotenvlocal0123456789\n");
        File.SetUnixFileMode(dotEnvLocal, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // When a target runs
        var (code, output) = build.RunWith(new() { ["AWS_CA_BUNDLE"] = "/etc/pki/company-ca.pem", ["GITLAB_TOKEN"] = "glpat-fromenvironment0123456789" }, "--target=Doctor", "--dryrun");

        // Then each overridden value has its line, once, before the run's first task line, and neither token shows
        const string ca = "AWS_CA_BUNDLE from environment variable AWS_CA_BUNDLE (\"/etc/pki/company-ca.pem\") overrides .env.local line 1 (\"/home/me/ca.pem\")";
        const string token = "GITLAB_TOKEN from environment variable GITLAB_TOKEN overrides .env.local line 2 (a secret: values not shown)";
        Assert.Equal(0, code);
        Assert.Single(output.Split('\n'), l => l.Trim() == ca);
        Assert.Single(output.Split('\n'), l => l.Trim() == token);
        Assert.True(output.IndexOf(ca, StringComparison.Ordinal) < output.IndexOf("Target is: Doctor", StringComparison.Ordinal), output);
        Assert.DoesNotContain("glpat-from", output);
    }
}
