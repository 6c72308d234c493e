using LibObjectFile.Elf;

namespace Build.Helper;

/// <summary>
/// Checks that a file is a static ELF executable for one machine: the kind of binary that runs in the
/// glibc runner image and in musl job images alike (no program interpreter, no dynamic section).
/// </summary>
public static class StaticElf
{
    /// <summary>Null when <paramref name="path"/> is a static ELF executable for <paramref name="platform"/>, otherwise why not.</summary>
    public static string? Problem(string path, HelperPlatform platform)
    {
        using var stream = File.OpenRead(path);
        if (!ElfFile.IsElf(stream))
        {
            return "it is not an ELF executable (a script or another file type)";
        }

        stream.Position = 0;
        ElfFile? elf;
        try
        {
            if (!ElfFile.TryRead(stream, out elf, out var diagnostics, new ElfReaderOptions { UseSubStream = true }) || elf is null)
            {
                return "it is not a complete ELF file (truncated or damaged): " + string.Join("; ", diagnostics?.Messages.Take(2) ?? []);
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return "it is not a complete ELF file (truncated or damaged): " + ex.Message;
        }

        if (elf.Arch != platform.Machine)
        {
            return $"it is built for machine {elf.Arch}, not {platform.MachineName} ({platform.Name})";
        }

        if (elf.FileClass != ElfFileClass.Is64 || elf.FileType is not (ElfFileType.Executable or ElfFileType.Dynamic))
        {
            return $"it is not a 64-bit executable (type {elf.FileType}, class {elf.FileClass})";
        }

        if (elf.Segments.Any(s => s.Type == ElfSegmentTypeCore.Interpreter))
        {
            return "it is dynamically linked (it names a program interpreter, such as glibc's ld-linux), so it cannot run in musl (Alpine, docker:*) job images";
        }

        if (elf.Segments.Any(s => s.Type == ElfSegmentTypeCore.Dynamic) || elf.Sections.Any(s => s.Type == ElfSectionType.DynamicLinking))
        {
            return "it has a dynamic section (it needs shared libraries at run time), so it is not a static binary";
        }

        return null;
    }
}
