using System.Runtime.InteropServices;
using Build.Helper;
using Build.Settings;

namespace Build.Aws;

/// <summary>Which docker-credential-ecr-login Preflight runs on this host.</summary>
public static class HelperLocation
{
    /// <summary>The platform of this machine's binaries.</summary>
    public static HelperPlatform Host => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? HelperPlatform.Arm64 : HelperPlatform.Amd64;

    /// <summary>
    /// BuildHelper's verified output for this host (what the runner mounts) when there is one, else HELPER_PATH;
    /// an error naming what to run when neither exists.
    /// </summary>
    public static string Find(BuildSettings settings)
    {
        var output = HelperOutput.For(settings);
        if (output.ReadManifest()?.Binaries.Any(b => b.Platform == Host.Name) == true)
        {
            return output.BinaryFor(Host.Name);
        }

        if (settings.Helper.Path is { } configured)
        {
            return File.Exists(configured.FullPath)
                ? configured.FullPath
                : throw new PreflightException([$"HELPER_PATH = {configured.FullPath} does not exist: point it at a docker-credential-ecr-login binary, or unset it and run ./build.sh --target=BuildHelper"]);
        }

        throw new PreflightException([$"no docker-credential-ecr-login to test with: run ./build.sh --target=BuildHelper (it writes {Path.Combine(output.Directory, Host.Folder, HelperOutput.BinaryName)}), or set HELPER_PATH to an existing binary"]);
    }

    /// <summary>
    /// The version <paramref name="helper"/> (what <see cref="Find"/> chose) reports: BuildHelper's manifest records it
    /// for its output; HELPER_PATH's binary is asked (-v, or its stamp). Null when it cannot be read.
    /// </summary>
    public static string? Version(BuildSettings settings, string helper, Processes.CommandRunner commands)
    {
        var output = HelperOutput.For(settings);
        if (output.ReadManifest()?.Binaries.FirstOrDefault(b => b.Platform == Host.Name) is { } built && helper == output.BinaryFor(Host.Name))
        {
            return built.Version?.TrimStart('v');
        }

        return new HelperVersionReader(commands).Read(helper, Host).Version?.TrimStart('v');
    }

    /// <summary>Whether <paramref name="version"/> (0.8.0, 0.12.0-dev) is <paramref name="minimum"/> or later; an unreadable one counts as later.</summary>
    public static bool AtLeast(string version, string minimum) =>
        !System.Version.TryParse(version.Split('-', '+')[0], out var have) || !System.Version.TryParse(minimum, out var need) || have >= need;
}
