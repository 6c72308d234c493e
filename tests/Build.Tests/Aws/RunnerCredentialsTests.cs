using Build.Aws;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Aws;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunnerCredentialsTests
{
    private static readonly Func<string, string?> Home = name => name == "HOME" ? "/home/me" : null;

    private static BuildSettings Settings(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(), name => environment.GetValueOrDefault(name), null);

    [Fact]
    public void File_source_mounts_the_file_read_only_and_turns_the_metadata_service_off()
    {
        var credentials = RunnerCredentials.For(Settings(new() { ["RUNNER_CREDENTIALS_FILE"] = "/home/me/.config/gitlab-runner-ecr/credentials", ["AWS_PROFILE"] = "ci", ["DIND_AUTH"] = "helper" }), Home);

        Assert.Equal(CredentialsSource.File, credentials.Source);
        Assert.Equal(["/home/me/.config/gitlab-runner-ecr/credentials:/root/.aws/credentials:ro"], credentials.Runner.Mounts.Select(m => m.ToString()));
        Assert.Equal("/root/.aws/credentials", credentials.Runner.Environment["AWS_SHARED_CREDENTIALS_FILE"]);
        Assert.Equal("ci", credentials.Runner.Environment["AWS_PROFILE"]);
        Assert.Equal("true", credentials.Runner.Environment["AWS_EC2_METADATA_DISABLED"]);
        Assert.Empty(credentials.Runner.SecretEnvironment);
        Assert.Equal(credentials.Runner, credentials.Jobs);
        Assert.Equal("/home/me/.config/gitlab-runner-ecr/credentials", credentials.HostEnvironment()["AWS_SHARED_CREDENTIALS_FILE"]);
    }

    [Fact]
    public void File_source_without_a_configured_file_mounts_the_default_location()
    {
        var credentials = RunnerCredentials.For(Settings(new()), Home);

        Assert.Equal("/home/me/.config/gitlab-runner-ecr/credentials:/root/.aws/credentials:ro", Assert.Single(credentials.Runner.Mounts).ToString());
    }

    [Fact]
    public void Environment_source_passes_the_keys_as_secret_variables_and_mounts_nothing()
    {
        var credentials = RunnerCredentials.For(Settings(new()
        {
            ["CREDENTIALS_SOURCE"] = "environment", ["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId, ["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey, ["AWS_REGION"] = "eu-west-1",
        }), Home);

        Assert.Empty(credentials.Runner.Mounts);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], credentials.Runner.SecretEnvironment.Keys.Order());
        Assert.Equal(CredentialsRun.SecretKey, credentials.Runner.SecretEnvironment["AWS_SECRET_ACCESS_KEY"].Reveal());
        Assert.DoesNotContain(credentials.Runner.Environment.Values, v => v.Contains(CredentialsRun.SecretKey));
        Assert.Equal("eu-west-1", credentials.Runner.Environment["AWS_REGION"]);
        Assert.Equal("true", credentials.Runner.Environment["AWS_EC2_METADATA_DISABLED"]);
    }

    [Fact]
    public void Instance_role_source_mounts_nothing_and_leaves_the_metadata_service_on()
    {
        var credentials = RunnerCredentials.For(Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role" }), Home);

        Assert.Empty(credentials.Runner.Mounts);
        Assert.Empty(credentials.Runner.SecretEnvironment);
        Assert.False(credentials.Runner.Environment.ContainsKey("AWS_EC2_METADATA_DISABLED"));
        Assert.Equal("/dev/null", credentials.Runner.Environment["AWS_SHARED_CREDENTIALS_FILE"]);
    }

    [Fact]
    public void A_ca_bundle_is_mounted_and_named_for_every_source()
    {
        var credentials = RunnerCredentials.For(Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role", ["AWS_CA_BUNDLE"] = "/etc/proxy/ca.pem" }), Home);

        Assert.Equal(["/etc/proxy/ca.pem:/etc/gitlab-runner-ecr/aws-ca-bundle.pem:ro"], credentials.Runner.Mounts.Select(m => m.ToString()));
        Assert.Equal("/etc/gitlab-runner-ecr/aws-ca-bundle.pem", credentials.Runner.Environment["AWS_CA_BUNDLE"]);
        Assert.Equal("/etc/proxy/ca.pem", credentials.HostEnvironment()["AWS_CA_BUNDLE"]);
    }

    [Fact]
    public void Helper_mode_environment_source_gives_jobs_a_state_folder_credentials_file_and_never_a_key_as_a_value()
    {
        // Given keys from the environment (with a session token)
        var settings = Settings(new()
        {
            ["CREDENTIALS_SOURCE"] = "environment", ["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId, ["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey,
            ["AWS_SESSION_TOKEN"] = "IQoJb3JpZ2luX2VjEXAMPLETOKEN", ["AWS_REGION"] = "eu-west-1", ["STATE_DIR"] = "/srv/state", ["DIND_AUTH"] = "helper",
        });

        // When the jobs' view and the jobs' file are made
        var credentials = RunnerCredentials.For(settings, Home);
        var file = RunnerCredentials.JobsFile(settings);

        // Then jobs mount the file read-only at the credentials path and their variables hold no key
        Assert.Equal("/srv/state/runner/jobs/credentials:/root/.aws/credentials:ro", Assert.Single(credentials.Jobs.Mounts).ToString());
        Assert.Empty(credentials.Jobs.SecretEnvironment);
        Assert.Equal("/root/.aws/credentials", credentials.Jobs.Environment["AWS_SHARED_CREDENTIALS_FILE"]);
        Assert.DoesNotContain(credentials.Jobs.Environment.Values, v => v.Contains(CredentialsRun.SecretKey) || v.Contains(CredentialsRun.KeyId));
        Assert.Equal("/srv/state/runner/jobs/credentials", file!.Value.Path);
        Assert.Equal($"[default]\naws_access_key_id = {CredentialsRun.KeyId}\naws_secret_access_key = {CredentialsRun.SecretKey}\naws_session_token = IQoJb3JpZ2luX2VjEXAMPLETOKEN\n", file.Value.Text.Reveal());
        Assert.Null(RunnerCredentials.JobsFile(Settings(new() { ["RUNNER_CREDENTIALS_FILE"] = "/x/credentials" })));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("environment")]
    [InlineData("instance-role")]
    public void In_token_mode_jobs_get_no_credentials_of_any_source_while_the_runner_keeps_them(string source)
    {
        // Given token mode (the default) with each source, a CA bundle and a region
        var settings = Settings(new()
        {
            ["CREDENTIALS_SOURCE"] = source, ["RUNNER_CREDENTIALS_FILE"] = "/home/me/credentials", ["AWS_ACCESS_KEY_ID"] = CredentialsRun.KeyId,
            ["AWS_SECRET_ACCESS_KEY"] = CredentialsRun.SecretKey, ["AWS_REGION"] = "eu-west-1", ["AWS_CA_BUNDLE"] = "/etc/proxy/ca.pem",
        });

        // When the views are made
        var credentials = RunnerCredentials.For(settings, Home);

        // Then the jobs' view is empty (no mount, no variable, no secret) and there is no jobs' credentials file
        Assert.Empty(credentials.Jobs.Mounts);
        Assert.Empty(credentials.Jobs.Environment);
        Assert.Empty(credentials.Jobs.SecretEnvironment);
        Assert.Null(RunnerCredentials.JobsFile(settings));

        // And the runner (and the token refresher, which runs with the runner's view) keeps its credentials
        Assert.Contains(credentials.Runner.Mounts, m => m.Target == RunnerCredentials.CaBundleTarget);
        Assert.Equal("eu-west-1", credentials.Runner.Environment["AWS_REGION"]);
    }
}
