using Build.Host;
using Build.Tests.Aws;

namespace Build.Tests.Host;

/// <summary>A failure is printed under the name of the task that failed, whatever service threw it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TaskFailureTests : IDisposable
{
    private readonly CredentialsRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public void A_register_run_without_a_built_helper_says_Register_not_BuildHelper()
    {
        // Given settings for Register, a good credentials file, and no helper built
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile);
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;
        _run.Environment["GITLAB_RUNNER_TOKEN"] = "glrt-t1_0123456789abcdefghij";

        // When Register runs alone
        var (code, output) = _run.Run("--target=Register", "--exclusive");

        // Then the failure names Register, the missing helper and the fix
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches(@"Register: no helper for linux/(amd64|arm64) in \S+", output);
        Assert.Contains("fix: run ./build.sh --target=BuildHelper", output);
        Assert.DoesNotContain("BuildHelper: ", output);
        Assert.DoesNotContain("Up: ", output);
    }

    [Fact]
    public void A_task_that_fails_in_its_criteria_is_named_too()
    {
        // Given an Up whose inputs cannot be read in ShouldRun (a credentials file of mode 0644), a docker that answers its version
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        _run.UseFakeDocker("case \"$1\" in version) echo '28.2.2 1.50 1.24 x86_64';; compose) echo 2.29.0;; *) exit 1;; esac\n");
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;

        // When Up runs alone
        var (code, output) = _run.Run("--target=Up", "--exclusive");

        // Then it is Up that reports the credentials file
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"Up: The credentials file {_run.CredentialsFile} (profile [default]) cannot be mounted", output);
    }

    [Fact]
    public void A_dependency_that_fails_is_named_not_the_target()
    {
        // Given StageCredentials asked for, whose Preflight cannot find a helper to run
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile);
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;
        _run.Environment["HELPER_SOURCE"] = "build";

        // When StageCredentials runs with its dependency
        var (code, output) = _run.Run("--target=StageCredentials");

        // Then the failure is Preflight's
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Preflight: ", output);
        Assert.DoesNotContain("StageCredentials: ", output);
    }
}
