using Build.Processes;
using Build.Settings;

namespace Build.Helper;

/// <summary>
/// Makes the helper output what the settings ask for: under a lock, from the chosen source into a staging folder,
/// every binary verified (static ELF of the right machine), a manifest written, then swapped in whole.
/// </summary>
/// <param name="commands">Runs the built helpers for the version they report.</param>
/// <param name="goBuild">The build and archive sources' Go container.</param>
/// <param name="claimState">Makes sure the build may write into STATE_DIR, before the helper's folder is first written.</param>
public sealed class HelperInstaller(
    BuildSettings settings, CommandRunner commands, GoContainerBuild goBuild, Action claimState, Action<string> info, Action<string> warn, CancellationToken cancellation)
{
    public async Task InstallAsync()
    {
        var output = HelperOutput.For(settings);
        var request = HelperRequest.From(settings);
        claimState();
        using var held = HelperLock.Acquire(output.Parent, info, cancellation);
        if (output.Staleness(request) is null)
        {
            info($"helper {output.ReadManifest()!.Describe()} was built by another run meanwhile.");
            return;
        }

        RemoveLeftovers(output);
        var staging = Directory.CreateDirectory(output.Directory + ".staging-" + Guid.NewGuid().ToString("N")[..8]).FullName;
        try
        {
            await ProduceAsync(request, staging);
            var verified = request.Platforms.Select(p => (Platform: p, Binary: Verify(request, staging, p))).ToList();
            var reader = new HelperVersionReader(commands);
            var reported = verified.Select(v => (v.Platform, Reported: reader.Read(Path.Combine(staging, v.Binary.File), v.Platform))).ToList();
            var warnings = HelperVersionCheck.Check(request, reported);
            var binaries = verified.Zip(reported, (v, r) => v.Binary with { Version = r.Reported.Version }).ToList();
            var versions = binaries.Select(b => b.Version).Distinct().ToList();
            var manifest = new HelperManifest
            {
                Source = request.SourceName, Version = versions.Count == 1 ? versions[0] : null, HelperVersion = request.Version, Origin = request.Origin,
                OriginSha256 = request.OriginSha256, GoImage = request.GoImage, CreatedAt = DateTimeOffset.UtcNow, Binaries = binaries,
            };
            File.WriteAllText(Path.Combine(staging, HelperManifest.FileName), manifest.ToJson());
            output.Replace(staging);
            foreach (var binary in binaries)
            {
                info($"{binary.Platform}: {Path.Combine(output.Directory, binary.File)} (version {binary.Version ?? "unverified"}, {binary.Size / 1048576.0:0.0} MiB, sha256 {binary.Sha256})");
            }

            foreach (var warning in warnings)
            {
                warn(warning);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private Task ProduceAsync(HelperRequest request, string staging)
    {
        switch (request.Source)
        {
            case HelperSource.Build or HelperSource.Archive:
                goBuild.Produce(request, staging);
                return Task.CompletedTask;
            case HelperSource.Download:
                return new HelperDownload(settings.Helper.DownloadUrl, settings.Helper.Version, HelperDownload.DefaultTimeout)
                    .ProduceAsync(staging, request.Platforms, cancellation);
            default:
                CopyPath(settings.Helper.Path!.FullPath, request.Platforms.Single(), staging);
                return Task.CompletedTask;
        }
    }

    private static void CopyPath(string path, HelperPlatform platform, string staging)
    {
        var problem = !File.Exists(path) ? "it does not exist" : StaticElf.Problem(path, platform);
        if (problem is not null)
        {
            throw new BuildFailure(
                $"HELPER_PATH {path} cannot be used for {platform}: {problem}",
                $"point HELPER_PATH at a static {platform} docker-credential-ecr-login (an official release binary, or one built with CGO_ENABLED=0), or use HELPER_SOURCE=build, archive or download");
        }

        var target = Path.Combine(staging, platform.Folder, HelperOutput.BinaryName);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(path, target);
    }

    private static HelperBinary Verify(HelperRequest request, string staging, HelperPlatform platform)
    {
        var relative = Path.Combine(platform.Folder, HelperOutput.BinaryName);
        var path = Path.Combine(staging, relative);
        var problem = !File.Exists(path) ? "the source produced no binary for it" : StaticElf.Problem(path, platform);
        if (problem is not null)
        {
            throw new BuildFailure($"the {request.SourceName} source's helper for {platform} is not usable: {problem}", "check HELPER_SOURCE and its settings (HELPER_GO_IMAGE, HELPER_MODULE, HELPER_DOWNLOAD_URL)");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        return new HelperBinary(platform.Name, relative, FileHash.Sha256(path), new FileInfo(path).Length);
    }

    /// <summary>Staging and previous folders of a run that was killed (this run holds the lock, so none is in use).</summary>
    private static void RemoveLeftovers(HelperOutput output)
    {
        // Not the pattern "helper.*": .NET's matching takes it to match "helper" itself.
        var prefixes = new[] { ".staging-", ".previous-" }.Select(p => Path.GetFileName(output.Directory) + p).ToList();
        foreach (var folder in Directory.EnumerateDirectories(output.Parent).Where(f => prefixes.Any(Path.GetFileName(f)!.StartsWith)))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
