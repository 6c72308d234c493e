using LibObjectFile.Elf;

namespace Build.Helper;

/// <summary>One platform the helper is built for: <c>linux/amd64</c> or <c>linux/arm64</c>.</summary>
public sealed record HelperPlatform(string Name, string Arch, ElfArch Machine, string MachineName)
{
    public static readonly HelperPlatform Amd64 = new("linux/amd64", "amd64", ElfArch.X86_64, "x86-64");

    public static readonly HelperPlatform Arm64 = new("linux/arm64", "arm64", ElfArch.AARCH64, "aarch64");

    public static IReadOnlyList<HelperPlatform> All { get; } = [Amd64, Arm64];

    /// <summary>The folder of this platform's binary under the helper output, and the release path segment: <c>linux-amd64</c>.</summary>
    public string Folder => "linux-" + Arch;

    public static HelperPlatform Parse(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new BuildFailure($"unknown helper platform \"{name}\"", "set HELPER_PLATFORMS to linux/amd64 and/or linux/arm64");

    public override string ToString() => Name;
}
