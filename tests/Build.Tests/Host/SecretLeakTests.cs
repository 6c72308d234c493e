using System.Text;
using Build.Host;

namespace Build.Tests.Host;

/// <summary>
/// The real build with known secret values in the environment and in .env, and a fake docker that tries
/// to leak them: whatever the build prints shows the mask only.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private const string GitLabToken = "glpat-e2e+Leak/0123456789abc";
    private const string AwsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYe2eLEAK";

    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Secrets_a_tool_prints_are_masked_in_every_form_and_children_inherit_none()
    {
        // The fake prints the values it knows (baked in, as a tool that echoes a token would) in three
        // spellings, and the values of the variables it inherited.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("oauth2:" + GitLabToken));
        var docker =
            $$"""
            echo "leak token={{GitLabToken}} aws={{AwsSecret}} b64={{basic}} url={{Uri.EscapeDataString(GitLabToken)}} inherited=[$GITLAB_TOKEN][$AWS_SECRET_ACCESS_KEY]" >&2
            exit 1

            """;
        File.WriteAllText(Path.Combine(_build.Root, ".env"), $"AWS_SECRET_ACCESS_KEY={AwsSecret}\n");
        File.SetUnixFileMode(Path.Combine(_build.Root, ".env"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = _build.FakeMachine(docker, "echo 1.29.2\n", "echo '10.0.100 [/usr/share/dotnet/sdk]'\n");
        environment["GITLAB_TOKEN"] = GitLabToken;

        var (code, output) = _build.RunWith(environment, "--target=Doctor", "--verbosity=diagnostic");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("not reachable: leak token=*** aws=*** b64=", output);
        Assert.Contains("url=*** inherited=[][]", output);
        Assert.DoesNotContain(GitLabToken, output);
        Assert.DoesNotContain(AwsSecret, output);
        Assert.DoesNotContain(Uri.EscapeDataString(GitLabToken), output);
        Assert.DoesNotContain(basic, output);
        Assert.DoesNotContain(".env holds a secret", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_dotenv_with_a_secret_that_others_can_read_gets_a_warning_with_the_chmod()
    {
        var dotEnv = Path.Combine(_build.Root, ".env");
        File.WriteAllText(dotEnv, $"GITLAB_TOKEN={GitLabToken}\n");
        File.SetUnixFileMode(dotEnv, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (_, output) = _build.Run("--target=Doctor", "--dryrun");

        Assert.Contains($"{dotEnv} holds a secret and other users can read it (mode 0644); run: chmod 600 {dotEnv}", output);
        Assert.DoesNotContain(GitLabToken, output);
    }

    // The rule for .env: it is the committed defaults file, so a secret in it is refused when git tracks it
    // (it would be pushed); a .env that git does not track (no repository, as in the tests above, or ignored)
    // may hold one, with the permission warning. Secrets belong in .env.local.
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_secret_in_a_git_tracked_dotenv_stops_the_run_with_move_it_to_dotenv_local()
    {
        var dotEnv = Path.Combine(_build.Root, ".env");
        File.WriteAllText(dotEnv, $"RUNNER_NAME=mine\nAWS_SECRET_ACCESS_KEY={AwsSecret}\n");
        Git("init", "-q");
        Git("add", ".env");
        var before = File.ReadAllText(dotEnv);

        var (code, output) = _build.Run("--target=Doctor", "--dryrun");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("AWS_SECRET_ACCESS_KEY is set in .env line 2, which git tracks (it would be committed with the project's defaults): move it to .env.local", output);
        Assert.DoesNotContain(AwsSecret, output);
        Assert.Equal(before, File.ReadAllText(dotEnv));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_dotenv_local_with_a_secret_that_others_can_read_gets_a_warning_and_overrides_dotenv()
    {
        var dotEnvLocal = Path.Combine(_build.Root, ".env.local");
        File.WriteAllText(Path.Combine(_build.Root, ".env"), "GITLAB_SERVER_WEB_PORT=eighty\n");
        File.WriteAllText(dotEnvLocal, $"GITLAB_TOKEN={GitLabToken}\nGITLAB_SERVER_WEB_PORT=8801\n");
        File.SetUnixFileMode(dotEnvLocal, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Git("init", "-q");
        Git("add", ".env", ".env.local");

        var (code, output) = _build.Run("--target=Doctor", "--dryrun");

        Assert.Equal(0, code);
        Assert.Contains($"{dotEnvLocal} holds a secret and other users can read it (mode 0604); run: chmod 600 {dotEnvLocal}", output);
        Assert.DoesNotContain(GitLabToken, output);
    }

    private void Git(params string[] args)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["-C", _build.Root, .. args]) { RedirectStandardOutput = true });
        git!.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Git_asked_whether_env_is_tracked_inherits_no_secret_of_any_layer()
    {
        // Given a .env holding a secret (so the build asks git whether .env is tracked), a runner token in the
        // environment, and a git that records the environment it was started with
        var seen = Path.Combine(_build.Root, "git-environment");
        File.WriteAllText(Path.Combine(_build.Root, ".env"), $"AWS_SECRET_ACCESS_KEY={AwsSecret}\n");
        File.SetUnixFileMode(Path.Combine(_build.Root, ".env"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = _build.FakeMachine(null, null, null);
        var git = Path.Combine(environment["PATH"], "git");
        File.WriteAllText(git, $"#!/bin/sh\n/usr/bin/env > {seen}\nexit 1\n");
        File.SetUnixFileMode(git, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        environment["GITLAB_RUNNER_TOKEN"] = "glrt-" + GitLabToken[6..];

        // When any target reads the settings
        _build.RunWith(environment, "--target=Status");

        // Then git ran, and saw neither the variable nor the value of any secret
        var inherited = File.ReadAllText(seen);
        Assert.DoesNotContain("GITLAB_RUNNER_TOKEN", inherited);
        Assert.DoesNotContain(GitLabToken[6..], inherited);
        Assert.DoesNotContain(AwsSecret, inherited);
    }
}
