using Build.Docker;
using Build.Fleet;
using Build.Processes;

namespace Build.Tests.Fleet;

public sealed class SshKeyCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ssh-key-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_key_only_its_owner_may_read_is_accepted_and_one_the_group_may_read_is_refused_with_chmod()
    {
        // Given a key file of mode 0600, and one of 0640
        var key = Path.Combine(_folder, "key");
        File.WriteAllText(key, "not printed");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Then the private one is accepted, the shared one refused with the mode and the fix, and neither's content shown
        Assert.Null(SshKeyCheck.Problem(key));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var problem = SshKeyCheck.Problem(key);
        Assert.Equal($"FLEET_SSH_KEY = {key} may be read or changed by others (mode 0640), so ssh would refuse it and so does SmokeTest: chmod 600 {key}", problem);
    }

    [Fact]
    public void A_missing_key_or_a_folder_is_refused_naming_the_setting()
    {
        Assert.StartsWith($"FLEET_SSH_KEY = {_folder} is a folder", SshKeyCheck.Problem(_folder), StringComparison.Ordinal);
        Assert.StartsWith("FLEET_SSH_KEY = /nonexistent/key does not exist", SshKeyCheck.Problem("/nonexistent/key"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cli_pointed_at_a_worker_sets_DOCKER_HOST_and_drops_what_would_point_it_elsewhere()
    {
        // Given options with a variable of their own
        var options = new CommandOptions { Environment = new Dictionary<string, string> { ["A"] = "1" } };

        // When they are pointed at a tunnel's socket
        var pointed = DockerCli.ForHost(options, "unix:///tmp/x/docker.sock");

        // Then DOCKER_HOST names it, the context and TLS variables are removed, and the own variable stays
        Assert.Equal("unix:///tmp/x/docker.sock", pointed.Environment["DOCKER_HOST"]);
        Assert.Equal("1", pointed.Environment["A"]);
        Assert.Contains("DOCKER_CONTEXT", pointed.RemoveEnvironment);
        Assert.Contains("DOCKER_TLS_VERIFY", pointed.RemoveEnvironment);
        Assert.Contains("DOCKER_CERT_PATH", pointed.RemoveEnvironment);
    }
}
