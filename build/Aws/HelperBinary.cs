using System.Runtime.InteropServices;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Aws;

/// <summary>Which docker-credential-ecr-login the preflight runs: the one place to change when BuildHelper's output moves.</summary>
public static class HelperBinary
{
    /// <summary>Where BuildHelper leaves the host's binary (under the state folder).</summary>
    public static string BuiltPath(DirectoryPath stateDirectory) =>
        System.IO.Path.Combine(stateDirectory.FullPath, "helper", "linux-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64"), "docker-credential-ecr-login");

    /// <summary>HELPER_PATH when set, else BuildHelper's output; an error naming what to run when neither exists.</summary>
    public static string Find(BuildSettings settings)
    {
        if (settings.HelperPath is { } configured)
        {
            return File.Exists(configured.FullPath)
                ? configured.FullPath
                : throw new PreflightException([$"HELPER_PATH = {configured.FullPath} does not exist: point it at a docker-credential-ecr-login binary, or unset it and run ./build.sh --target=BuildHelper"]);
        }

        var built = BuiltPath(settings.StateDirectory);
        return File.Exists(built)
            ? built
            : throw new PreflightException([$"no docker-credential-ecr-login to test with: run ./build.sh --target=BuildHelper (it writes {built}), or set HELPER_PATH to an existing binary"]);
    }
}
