using Build.Helper;
using Build.Settings;

namespace Build.Tests.Helper;

/// <summary>The helper output's manifest, its up-to-date check, the API later targets read, the swap and the lock.</summary>
public sealed class HelperOutputTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("helper-output-");

    public void Dispose() => _state.Delete(recursive: true);

    private HelperOutput Output => new(Path.Combine(_state.FullName, "helper"));

    private static readonly HelperRequest Request = new(HelperSource.Path, "0.12.0", "/opt/helper", "abc", null, [HelperPlatform.Amd64]);

    /// <summary>A verified-looking output: busybox (a static x86-64 ELF) as the linux/amd64 binary, with its manifest.</summary>
    private HelperManifest WriteOutput(HelperRequest request)
    {
        var staged = Directory.CreateDirectory(Output.Directory + ".staging-test").FullName;
        var file = Path.Combine("linux-amd64", HelperOutput.BinaryName);
        Directory.CreateDirectory(Path.Combine(staged, "linux-amd64"));
        File.Copy("/bin/busybox", Path.Combine(staged, file));
        var manifest = new HelperManifest
        {
            Source = request.SourceName, HelperVersion = request.Version, Origin = request.Origin, OriginSha256 = request.OriginSha256,
            CreatedAt = DateTimeOffset.Parse("2026-11-29T01:02:03Z"),
            Binaries = [new HelperBinary("linux/amd64", file, FileHash.Sha256("/bin/busybox"), new FileInfo("/bin/busybox").Length)],
        };
        File.WriteAllText(Path.Combine(staged, HelperManifest.FileName), manifest.ToJson());
        Output.Replace(staged);
        return manifest;
    }

    [Fact]
    public void Manifest_round_trips_through_its_json()
    {
        var manifest = new HelperManifest
        {
            Source = "build", Version = "0.12.0", HelperVersion = "0.12.0", Origin = "github.com/awslabs/amazon-ecr-credential-helper", GoImage = "golang:1.26.7-alpine",
            CreatedAt = DateTimeOffset.Parse("2026-11-29T01:02:03Z"),
            Binaries =
            [
                new("linux/amd64", "linux-amd64/docker-credential-ecr-login", new string('a', 64), 7147520) { Version = "0.12.0" },
                new("linux/arm64", "linux-arm64/docker-credential-ecr-login", new string('b', 64), 6750208),
            ],
        };

        var json = manifest.ToJson();
        var back = HelperManifest.FromJson(json);

        Assert.Equal(manifest, back);
        Assert.Equal("0.12.0", back!.Binaries[0].Version);
        Assert.Null(back.Binaries[1].Version);
        Assert.Contains("\"goImage\": \"golang:1.26.7-alpine\"", json);
        Assert.Contains("\"helperVersion\": \"0.12.0\"", json);
        Assert.DoesNotContain("originSha256", json);
        Assert.Equal("0.12.0 linux/amd64, version unverified for linux/arm64", back.Describe());
    }

    [Fact]
    public void A_manifest_written_before_versions_were_read_is_read_as_made_for_its_version_with_every_binary_unverified_and_is_made_again()
    {
        // Given a manifest as the build wrote it before it read the binaries' versions, over a matching binary
        WriteOutput(Request);
        File.WriteAllText(Output.ManifestPath, $$"""
            {
              "source": "path",
              "version": "0.12.0",
              "origin": "/opt/helper",
              "originSha256": "abc",
              "createdAt": "2026-11-29T01:02:03+00:00",
              "binaries": [
                { "platform": "linux/amd64", "file": "linux-amd64/docker-credential-ecr-login", "sha256": "{{FileHash.Sha256("/bin/busybox")}}", "size": {{new FileInfo("/bin/busybox").Length}} }
              ]
            }
            """);

        // When it is read
        var manifest = Output.ReadManifest();

        // Then it is whole, made for 0.12.0, its binary unverified, and BuildHelper makes it again to read the version
        Assert.NotNull(manifest);
        Assert.Equal("0.12.0", manifest.MadeFor);
        Assert.True(manifest.FromEarlierBuild);
        Assert.Equal("version unverified for linux/amd64", manifest.Describe());
        Assert.Equal("its manifest, written by an earlier version of this build, records no version read from the binaries", Output.Staleness(Request));
        Assert.Equal("the settings changed: HELPER_VERSION 0.12.0 -> 0.11.0", Output.Staleness(Request with { Version = "0.11.0" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"source\": \"build\", \"vers")]
    [InlineData("{\"source\": \"build\"}")]
    public void A_partial_manifest_reads_as_none(string json)
    {
        Assert.Null(HelperManifest.FromJson(json));
    }

    [Fact]
    public void Output_matching_its_request_and_files_is_up_to_date_and_gives_the_verified_path()
    {
        WriteOutput(Request);

        Assert.Null(Output.Staleness(Request));
        Assert.Equal(Path.Combine(Output.Directory, "linux-amd64", HelperOutput.BinaryName), Output.BinaryFor("linux/amd64"));
    }

    [Fact]
    public void Output_is_stale_without_a_manifest_with_a_damaged_one_or_when_the_settings_changed()
    {
        Assert.Equal("no helper built yet", Output.Staleness(Request));

        WriteOutput(Request);
        Assert.Equal("the settings changed: HELPER_VERSION 0.12.0 -> 0.11.0", Output.Staleness(Request with { Version = "0.11.0" }));
        Assert.Equal("the settings changed: platforms linux/amd64 -> linux/amd64,linux/arm64", Output.Staleness(Request with { Platforms = [HelperPlatform.Amd64, HelperPlatform.Arm64] }));

        File.WriteAllText(Output.ManifestPath, "{\"source\":");
        Assert.Equal("its manifest is unreadable", Output.Staleness(Request));
    }

    [Fact]
    public void A_truncated_or_missing_binary_is_detected_and_not_handed_out()
    {
        WriteOutput(Request);
        var binary = Path.Combine(Output.Directory, "linux-amd64", HelperOutput.BinaryName);
        File.WriteAllBytes(binary, File.ReadAllBytes(binary)[..1000]);

        Assert.Contains("does not match its manifest", Output.Staleness(Request));
        var error = Assert.Throws<BuildFailure>(() => Output.BinaryFor("linux/amd64"));
        Assert.Contains("--target=BuildHelper", error.Message);

        File.Delete(binary);
        Assert.Contains("is missing", Output.Staleness(Request));
    }

    [Fact]
    public void BinaryFor_a_platform_that_was_not_built_says_how_to_build_it()
    {
        WriteOutput(Request);

        var error = Assert.Throws<BuildFailure>(() => Output.BinaryFor("linux/arm64"));

        Assert.Contains("no helper for linux/arm64", error.Message);
        Assert.Contains("HELPER_PLATFORMS", error.Message);
    }

    [Fact]
    public void Replace_swaps_the_whole_output_and_leaves_no_previous_folder()
    {
        WriteOutput(Request);
        var second = WriteOutput(Request with { Version = "0.11.0" });

        Assert.Equal(second, Output.ReadManifest());
        Assert.Equal(["helper"], Directory.GetDirectories(_state.FullName).Select(Path.GetFileName));
    }

    [Fact]
    public void The_lock_is_held_by_one_run_at_a_time()
    {
        var waits = new List<string>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        using (HelperLock.Acquire(_state.FullName, waits.Add, CancellationToken.None))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => HelperLock.Acquire(_state.FullName, waits.Add, cancel.Token));
        }

        using var after = HelperLock.Acquire(_state.FullName, waits.Add, CancellationToken.None);
        Assert.Contains(waits, w => w.Contains("Another BuildHelper run holds"));
    }
}
