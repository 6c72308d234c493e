using Build.Host;

namespace Build.Tests.Aws;

/// <summary>StageCredentials' own steps, run through the real build: creating the file, the two switches, the other sources.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialsStagingTests : IDisposable
{
    private readonly CredentialsRun _run = new();

    public CredentialsStagingTests()
    {
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;
        _run.Environment["HELPER_PATH"] = "/nonexistent/helper";
        _run.Environment["AWS_REGION"] = string.Empty;
        _run.Environment["AWS_CA_BUNDLE"] = string.Empty;
    }

    public void Dispose() => _run.Dispose();

    /// <summary>A helper script given by HELPER_PATH, and an STS endpoint that refuses at once (no network needed).</summary>
    private void UseFakeHelper(string script)
    {
        _run.Environment["HELPER_PATH"] = _run.Write(Path.Combine(_run.Outside, "bin", "docker-credential-ecr-login"), script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _run.Environment["STS_ENDPOINT"] = "https://127.0.0.1:9/";
    }

    [Fact]
    public void Without_a_file_one_is_created_from_the_template_recorded_in_dotenv_local_and_the_run_stops_saying_what_to_fill_in()
    {
        const string local = "# my settings\r\nRUNNER_NAME=mine # keep me\r\n";
        File.WriteAllText(_run.EnvLocal, local);

        var (code, output) = _run.Run("--target=StageCredentials");

        Assert.Equal(ExitCodes.Failed, code);
        var file = _run.DefaultCredentialsFile;
        Assert.Contains($"created {file} from the template (mode 0600, folder 0700) and recorded it as RUNNER_CREDENTIALS_FILE in {_run.EnvLocal}", output);
        Assert.Contains("fill in profile [default] there: aws_access_key_id, aws_secret_access_key, region", output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Equal(local + $"RUNNER_CREDENTIALS_FILE={file}\r\n", File.ReadAllText(_run.EnvLocal));
        Assert.Contains("[default]\naws_access_key_id =\n", File.ReadAllText(file));

        // The second run finds the recorded file and names what is still empty.
        var (again, second) = _run.Run("--target=StageCredentials");
        Assert.Equal(ExitCodes.Failed, again);
        Assert.Contains("aws_access_key_id on line ", second);
        Assert.Contains("is empty: fill it in", second);
        Assert.Equal(local + $"RUNNER_CREDENTIALS_FILE={file}\r\n", File.ReadAllText(_run.EnvLocal));
    }

    [Fact]
    public void The_template_takes_the_name_of_aws_profile()
    {
        _run.Run("--target=StageCredentials", "--aws-profile=ci");

        Assert.Contains("\n[ci]\n", File.ReadAllText(_run.DefaultCredentialsFile));
    }

    [Fact]
    public void Write_credentials_from_env_fills_the_new_file_without_showing_a_value()
    {
        _run.Environment["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId;
        _run.Environment["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey;
        _run.Environment["AWS_REGION"] = "eu-west-1";

        var (code, output) = _run.Run("--target=StageCredentials", "--write-credentials-from-env");

        var text = File.ReadAllText(_run.DefaultCredentialsFile);
        Assert.Contains($"\naws_access_key_id = {CredentialsRun.KeyId}\n", text);
        Assert.Contains($"\naws_secret_access_key = {CredentialsRun.SecretKey}\n", text);
        Assert.Contains("\nregion = eu-west-1\n", text);
        Assert.Contains("# Fill in the profile below", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_run.DefaultCredentialsFile));
        Assert.Contains("profile [default] written from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (WRITE_CREDENTIALS_FROM_ENV)", output);
        // Validation passed; the run stops at the missing helper, the next step.
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("HELPER_PATH = /nonexistent/helper does not exist", output);
        Assert.DoesNotContain(CredentialsRun.SecretKey, output);
        Assert.DoesNotContain(CredentialsRun.KeyId, output);
    }

    [Fact]
    public void Write_credentials_from_env_replaces_the_key_of_an_existing_profile_and_keeps_the_rest()
    {
        var path = _run.Write(_run.CredentialsFile, "# mine\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = otherotherotherother\n\n[default]\naws_access_key_id = AKIAOLDKEY0000000000\naws_secret_access_key = oldoldoldoldoldoldold\nregion = eu-west-1\n");
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;
        _run.Environment["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId;
        _run.Environment["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey;

        var (_, output) = _run.Run("--target=StageCredentials", "--write-credentials-from-env");

        var text = File.ReadAllText(path);
        Assert.StartsWith("# mine\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = otherotherotherother\n", text);
        Assert.Contains(CredentialsRun.KeyId, text);
        Assert.DoesNotContain("AKIAOLDKEY0000000000", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Contains("HELPER_PATH = /nonexistent/helper does not exist", output);
    }

    [Theory]
    [InlineData("inside the repository")]
    [InlineData("mode 0644")]
    public void Write_credentials_from_env_checks_where_the_file_is_before_it_writes_a_key(string where)
    {
        // Given a credentials file the keys must not go into (or a new one that would be made there)
        var path = where.Contains("repository", StringComparison.Ordinal) ? Path.Combine(_run.Root, "secrets", "credentials") : _run.CredentialsFile;
        _run.Write(path, "[default]\naws_access_key_id =\naws_secret_access_key =\nregion = eu-west-1\n", where == "mode 0644" ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead : UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var before = CredentialsRun.Fingerprint(path);
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;
        _run.Environment["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId;
        _run.Environment["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey;

        // When StageCredentials is asked to write the keys of the environment into it
        var (code, output) = _run.Run("--target=StageCredentials", "--write-credentials-from-env");

        // Then it refuses before writing, saying why; the file (and .env.local) are as they were
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("No key was written to", output);
        Assert.Contains(where.Contains("repository", StringComparison.Ordinal) ? "is inside the repository" : "mode 0644 lets other users read", output);
        Assert.Equal(before, CredentialsRun.Fingerprint(path));
        Assert.False(File.Exists(_run.EnvLocal));
        Assert.DoesNotContain(CredentialsRun.SecretKey, output);
    }

    [Theory]
    [InlineData("StageCredentials")]
    [InlineData("Up")]
    [InlineData("Register")]
    public void A_credentials_file_others_can_read_is_refused_wherever_it_is_chosen_for_mounting(string target)
    {
        // Given a well-formed credentials file of mode 0644 and a docker that answers only its version
        var path = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;
        _run.Environment["GITLAB_RUNNER_TOKEN"] = "glrt-t1_0123456789abcdefghij";
        _run.UseFakeDocker("case \"$1\" in version) echo '28.2.2 1.50 1.24 x86_64';; compose) echo 2.29.0;; *) echo \"unexpected: $*\" >&2; exit 1;; esac\n");

        // When the target runs alone (without Preflight before it)
        var (code, output) = _run.Run($"--target={target}", "--exclusive");

        // Then it refuses, naming the file and the fix, and the state folder was not made
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"The credentials file {path} (profile [default]) cannot be mounted; nothing was changed", output);
        Assert.Contains("mode 0644 lets other users read or change it; run: chmod 600", output);
        Assert.DoesNotContain("unexpected:", output);
        Assert.False(Directory.Exists(Path.Combine(_run.Root, ".state")));
    }

    [Fact]
    public void Write_credentials_from_env_without_the_keys_changes_nothing()
    {
        var (code, output) = _run.Run("--target=StageCredentials", "--write-credentials-from-env");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("WRITE_CREDENTIALS_FROM_ENV needs AWS_ACCESS_KEY_ID in the environment or .env.local; it is not set", output);
        Assert.False(File.Exists(_run.DefaultCredentialsFile));
        Assert.False(File.Exists(_run.EnvLocal));
    }

    [Fact]
    public void Fix_credentials_mode_runs_chmod_600_when_the_mode_is_the_only_problem()
    {
        var path = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;

        var (_, output) = _run.Run("--target=StageCredentials", "--fix-credentials-mode");

        Assert.Contains($"{path}: mode set to 0600 (FIX_CREDENTIALS_MODE)", output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Contains("HELPER_PATH = /nonexistent/helper does not exist", output);
    }

    [Fact]
    public void Fix_credentials_mode_changes_nothing_when_there_are_other_problems()
    {
        var path = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile.Replace("eu-west-1", "mars"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;

        var (code, output) = _run.Run("--target=StageCredentials", "--fix-credentials-mode");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("mode 0604 lets other users read", output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_file_found_at_the_default_location_is_recorded_and_given_to_the_helper()
    {
        // The helper answers only when the file the runner would mount is really there.
        UseFakeHelper("#!/bin/sh\nread host\ntest -s \"$AWS_SHARED_CREDENTIALS_FILE\" || exit 1\necho '{\"ServerURL\":\"x\",\"Username\":\"AWS\",\"Secret\":\"token-0123456789abcdef\"}'\n");
        _run.Write(_run.DefaultCredentialsFile, CredentialsRun.GoodFile);

        var (_, output) = _run.Run("--target=Preflight");

        Assert.Contains($"RUNNER_CREDENTIALS_FILE={_run.DefaultCredentialsFile} recorded in {_run.EnvLocal}", output);
        Assert.True(output.Contains($"helper: {CredentialsRun.Registry}: token obtained"), output);
        Assert.DoesNotContain("token-0123456789abcdef", output);
    }

    [Fact]
    public void A_helper_that_exits_without_reading_its_input_is_reported_as_a_helper_failure()
    {
        UseFakeHelper("#!/bin/sh\nexit 2\n");
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile);

        var (code, output) = _run.Run("--target=Preflight");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.True(output.Contains($"helper get {CredentialsRun.Registry} (eu-west-1) failed: "), output);
        Assert.DoesNotContain("Error: Broken pipe", output);
    }

    [Fact]
    public void Key_id_and_secret_read_from_the_file_are_masked_in_whatever_a_tool_prints()
    {
        // A helper that dumps its credentials file on stderr: the key was registered the moment it was read.
        UseFakeHelper("#!/bin/sh\nread host\ncat \"$AWS_SHARED_CREDENTIALS_FILE\" >&2\nexit 1\n");
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = _run.Write(_run.CredentialsFile, CredentialsRun.GoodFile);

        var (code, output) = _run.Run("--target=Preflight", "--verbosity=diagnostic");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("helper get " + CredentialsRun.Registry, output);
        Assert.Contains("aws_secret_access_key = ***", output);
        Assert.DoesNotContain(CredentialsRun.SecretKey, output);
        Assert.DoesNotContain(CredentialsRun.KeyId, output);
    }

    [Fact]
    public void Instance_role_with_the_metadata_service_turned_off_says_so_and_contacts_nothing()
    {
        _run.Environment["CREDENTIALS_SOURCE"] = "instance-role";

        var (code, output) = _run.Run("--target=StageCredentials");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("CREDENTIALS_SOURCE=instance-role, but AWS_EC2_METADATA_DISABLED=true in this environment", output);
    }

    [Fact]
    public void Environment_source_reports_every_missing_or_misshapen_key_at_once()
    {
        _run.Environment["CREDENTIALS_SOURCE"] = "environment";
        _run.Environment["AWS_ACCESS_KEY_ID"] = "ASIA-not-a-key";

        var (code, output) = _run.Run("--target=StageCredentials");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("AWS_ACCESS_KEY_ID is not shaped like one", output);
        Assert.Contains("CREDENTIALS_SOURCE=environment needs AWS_SECRET_ACCESS_KEY in the environment or .env.local; it is not set", output);
        Assert.DoesNotContain("ASIA-not-a-key", output);
    }
}
