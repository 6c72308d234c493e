using System.Text.Json;
using Build.Secrets;
using Build.Smoke;

namespace Build.Tests.Smoke;

/// <summary>
/// The token-mode check of a job container: AWS values searched for in its environment and in every file of its bind
/// mounts (by value, in each spelling), credential variables and mounts named; the result never holds a value.
/// </summary>
public sealed class JobExposureTests : IDisposable
{
    private const string KeyId = "AKIAJOBEXPOSURE00001";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEJOB";
    private static readonly Secret[] Values = [new(KeyId), new(SecretKey)];
    private readonly string _folder = Directory.CreateTempSubdirectory("job-exposure-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Inspection(IEnumerable<string> environment, params (string Type, string Source, string Target)[] mounts) =>
        JsonSerializer.Serialize(new[]
        {
            new
            {
                Config = new { Env = environment.ToArray() },
                Mounts = mounts.Select(m => new { Type = m.Type, Source = m.Source, Destination = m.Target }).ToArray(),
            },
        });

    [Fact]
    public void A_token_mode_job_with_only_the_token_folder_holds_nothing()
    {
        // Given the token folder with a config.json of tokens, and the variables Register writes
        Write("tokens/docker/config.json", "{\"auths\": {\"111111111111.dkr.ecr.eu-west-1.amazonaws.com\": {\"auth\": \"QVdTOnRva2Vu\"}}}");
        var inspection = Inspection(
            ["DOCKER_AUTH_CONFIG={\"credHelpers\":{}}", "DOCKER_CONFIG=/etc/gitlab-runner-ecr/docker", "BUILDX_CONFIG=/root/.docker/buildx", "PATH=/usr/bin"],
            ("bind", Path.Combine(_folder, "tokens", "docker"), "/etc/gitlab-runner-ecr/docker"),
            ("volume", "/var/lib/docker/volumes/x/_data", "/certs/client"));

        // Then nothing is found
        Assert.Empty(JobExposure.Find(inspection, Values));
    }

    [Fact]
    public void Credentials_mounted_again_are_found_by_their_place_and_by_the_values_in_them()
    {
        // Given a job that mounts the credentials file and the helper, as helper mode does
        var credentials = Write("aws/credentials", $"[default]\naws_access_key_id = {KeyId}\naws_secret_access_key = {SecretKey}\n");
        var helper = Write("helper/docker-credential-ecr-login", "binary");
        var inspection = Inspection(["AWS_PROFILE=default", "AWS_SHARED_CREDENTIALS_FILE=/root/.aws/credentials"],
            ("bind", credentials, "/root/.aws/credentials"), ("bind", helper, "/usr/local/bin/docker-credential-ecr-login"));

        // When the job is checked
        var found = JobExposure.Find(inspection, Values);

        // Then the mounts, the file's values and the variables are named, and no value is printed
        Assert.Contains($"{credentials} is mounted at /root/.aws/credentials", found);
        Assert.Contains($"{credentials} (mounted at /root/.aws/credentials) holds an AWS value", found);
        Assert.Contains($"{helper} is mounted at /usr/local/bin/docker-credential-ecr-login", found);
        Assert.Contains("the environment variable AWS_PROFILE is set", found);
        Assert.Contains("the environment variable AWS_SHARED_CREDENTIALS_FILE is set", found);
        Assert.DoesNotContain(found, f => f.Contains(SecretKey, StringComparison.Ordinal) || f.Contains(KeyId, StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_in_a_variable_or_base64_in_a_file_deep_in_a_mounted_folder_is_found()
    {
        // Given the secret as a variable, and the key id base64-encoded (as in a docker auth) in a nested file
        Write("deep/a/b/config.json", "{\"auth\": \"" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("user:" + KeyId)) + "\"}");
        var inspection = Inspection([$"MY_SECRET={SecretKey}"], ("bind", Path.Combine(_folder, "deep"), "/deep"));

        // When the job is checked
        var found = JobExposure.Find(inspection, Values);

        // Then both are named
        Assert.Contains("the environment variable MY_SECRET holds an AWS value", found);
        Assert.Contains($"{Path.Combine(_folder, "deep", "a", "b", "config.json")} (mounted at /deep) holds an AWS value", found);
    }
}
