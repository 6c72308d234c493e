using System.Security.Cryptography;
using System.Text;
using Build.Helper;

namespace Build.Tests.Helper;

/// <summary>The download source against a loopback release server: good hash, bad hash, 404, no answer.</summary>
public sealed class HelperDownloadTests : IDisposable
{
    private const string Binary = "/releases/0.12.0/linux-amd64/docker-credential-ecr-login";

    private readonly ReleaseServer _server = new();
    private readonly DirectoryInfo _staging = Directory.CreateTempSubdirectory("helper-download-");
    private readonly byte[] _busybox = File.ReadAllBytes("/bin/busybox");

    public void Dispose()
    {
        _server.Dispose();
        _staging.Delete(recursive: true);
    }

    private string Target => Path.Combine(_staging.FullName, "linux-amd64", HelperOutput.BinaryName);

    private Task Download(TimeSpan? timeout = null) =>
        new HelperDownload(new Uri(_server.BaseUrl), "0.12.0", timeout ?? TimeSpan.FromSeconds(10))
            .ProduceAsync(_staging.FullName, [HelperPlatform.Amd64], CancellationToken.None);

    private void Serve(byte[] binary, string sha256Text)
    {
        _server.Files[Binary] = binary;
        _server.Files[Binary + ".sha256"] = Encoding.ASCII.GetBytes(sha256Text);
    }

    [Fact]
    public void Release_files_are_found_under_version_and_platform()
    {
        var download = new HelperDownload(new Uri("https://mirror.example/ecr/"), "0.12.0", TimeSpan.FromSeconds(1));

        Assert.Equal("https://mirror.example/ecr/0.12.0/linux-arm64/docker-credential-ecr-login", download.UrlFor(HelperPlatform.Arm64).ToString());
    }

    [Fact]
    public async Task A_binary_matching_its_sha256_file_is_kept()
    {
        Serve(_busybox, Convert.ToHexStringLower(SHA256.HashData(_busybox)) + "  docker-credential-ecr-login\n");

        await Download();

        Assert.Equal(_busybox, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task A_binary_not_matching_its_sha256_file_is_deleted_and_refused()
    {
        Serve(_busybox, new string('0', 64) + "\n");

        var error = await Assert.ThrowsAsync<BuildFailure>(() => Download());

        Assert.Contains("does not match its .sha256", error.Message);
        Assert.Contains("the download was deleted", error.Message);
        Assert.Contains("HELPER_DOWNLOAD_URL", error.Message);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task A_version_the_server_does_not_have_gives_404_naming_HELPER_VERSION()
    {
        var error = await Assert.ThrowsAsync<BuildFailure>(() => Download());

        Assert.Contains($"{_server.BaseUrl}/0.12.0/linux-amd64/docker-credential-ecr-login.sha256 answered 404", error.Message);
        Assert.Contains("check HELPER_VERSION (0.12.0", error.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_a_clear_error()
    {
        Serve(_busybox, Convert.ToHexStringLower(SHA256.HashData(_busybox)));
        _server.Hanging.Add(Binary);

        var error = await Assert.ThrowsAsync<BuildFailure>(() => Download(TimeSpan.FromMilliseconds(500)));

        Assert.Contains($"no complete answer from {_server.BaseUrl}/0.12.0/linux-amd64/docker-credential-ecr-login within", error.Message);
    }

    [Fact]
    public async Task A_sha256_file_without_a_hash_is_refused()
    {
        Serve(_busybox, "<html>Access denied</html>");

        var error = await Assert.ThrowsAsync<BuildFailure>(() => Download());

        Assert.Contains(".sha256 holds no SHA-256", error.Message);
        Assert.False(File.Exists(Target));
    }
}
