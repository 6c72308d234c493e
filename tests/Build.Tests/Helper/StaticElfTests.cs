using Build.Helper;

namespace Build.Tests.Helper;

/// <summary>
/// The ELF checks on small binaries: the host's static busybox (x86-64), a copy of it with the machine
/// field set to aarch64 (what a cross-compiled arm64 static binary looks like to the check), the host's
/// dynamic glibc /bin/ls, a shell script and a truncated copy.
/// </summary>
public sealed class StaticElfTests : IDisposable
{
    private const string StaticAmd64 = "/bin/busybox";
    private const string DynamicGlibc = "/bin/ls";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("static-elf-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>busybox with e_machine (offset 18, little-endian) set to EM_AARCH64 (183).</summary>
    private string StaticArm64()
    {
        var bytes = File.ReadAllBytes(StaticAmd64);
        bytes[18] = 183;
        bytes[19] = 0;
        return Write("arm64", bytes);
    }

    [Fact]
    public void A_static_x86_64_executable_passes_for_linux_amd64()
    {
        Assert.Null(StaticElf.Problem(StaticAmd64, HelperPlatform.Amd64));
    }

    [Fact]
    public void A_static_aarch64_executable_passes_for_linux_arm64_only()
    {
        var arm64 = StaticArm64();

        Assert.Null(StaticElf.Problem(arm64, HelperPlatform.Arm64));
        Assert.Contains("not x86-64 (linux/amd64)", StaticElf.Problem(arm64, HelperPlatform.Amd64));
        Assert.Contains("not aarch64 (linux/arm64)", StaticElf.Problem(StaticAmd64, HelperPlatform.Arm64));
    }

    [Fact]
    public void A_glibc_dynamic_executable_is_refused_because_musl_images_cannot_run_it()
    {
        var problem = StaticElf.Problem(DynamicGlibc, HelperPlatform.Amd64);

        Assert.NotNull(problem);
        Assert.Contains("dynamically linked", problem);
        Assert.Contains("musl", problem);
    }

    [Fact]
    public void A_shell_script_is_refused_as_not_an_elf_executable()
    {
        var script = Write("docker-credential-ecr-login", "#!/bin/sh\necho '{}'\n"u8.ToArray());

        Assert.Contains("not an ELF executable", StaticElf.Problem(script, HelperPlatform.Amd64));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(4096)]
    public void A_truncated_executable_is_refused(int length)
    {
        var truncated = Write("truncated", File.ReadAllBytes(StaticAmd64)[..length]);

        Assert.Contains("truncated or damaged", StaticElf.Problem(truncated, HelperPlatform.Amd64));
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var empty = Write("empty", []);

        Assert.NotNull(StaticElf.Problem(empty, HelperPlatform.Amd64));
    }
}
