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
}
