using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Build.Helper;

/// <summary>
/// The version stamped into a Go binary with <c>-ldflags -X &lt;package&gt;.Version=&lt;version&gt;</c>, read without
/// running it (a binary for another machine cannot run here).
/// </summary>
/// <remarks>
/// Neither the symbol table (stripped by <c>-s</c>) nor Go's build info (which leaves out <c>-ldflags</c> under
/// <c>-trimpath</c>, and records "(devel)" for a build from a source folder) says what was stamped. What the linker
/// does for <c>-X</c> does: it writes the value as a string of its own in read-only data, followed by a NUL byte
/// (Go's string literals are packed without one), and points the variable's string header (pointer, length) in
/// writable data at it. So: every pointer-aligned header in a writable load segment whose length is 1-64 and whose
/// bytes in a read-only segment are version-shaped and NUL-terminated is a stamp; exactly one distinct value is
/// the version, none or several are no answer.
/// </remarks>
public static partial class GoVersionStamp
{
    private const int MaxLength = 64;

    [GeneratedRegex(@"\Av?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]+)?\z")]
    private static partial Regex VersionShape();

    private sealed record Load(long Offset, ulong Address, long Size, bool Writable);

    /// <summary>The one version-shaped <c>-X</c> string of the ELF file at <paramref name="path"/>, or null.</summary>
    public static string? Read(string path) => Read(File.ReadAllBytes(path));

    public static string? Read(byte[] elf)
    {
        var loads = Loads(elf);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var data in loads.Where(l => l.Writable))
        {
            var first = data.Offset + (long)((8 - (data.Address % 8)) % 8);
            for (var at = first; at + 16 <= data.Offset + data.Size; at += 8)
            {
                var pointer = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)at));
                var length = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)at + 8));
                if (length is 0 or > MaxLength || ReadOnlyOffset(loads, pointer, (long)length + 1) is not { } text || elf[text + (long)length] != 0)
                {
                    continue;
                }

                var value = Encoding.ASCII.GetString(elf, (int)text, (int)length);
                if (VersionShape().IsMatch(value))
                {
                    found.Add(value);
                }
            }
        }

        return found.Count == 1 ? found.Single() : null;
    }

    private static long? ReadOnlyOffset(IEnumerable<Load> loads, ulong address, long size) =>
        loads.FirstOrDefault(l => !l.Writable && address >= l.Address && address - l.Address + (ulong)size <= (ulong)l.Size) is { } load
            ? load.Offset + (long)(address - load.Address)
            : null;

    /// <summary>The file-backed PT_LOAD segments of a 64-bit little-endian ELF (both helper platforms); none for anything else.</summary>
    private static List<Load> Loads(byte[] elf)
    {
        var loads = new List<Load>();
        if (elf.Length < 64 || elf[0] != 0x7f || !elf.AsSpan(1, 3).SequenceEqual("ELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            return loads;
        }

        var table = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        for (var i = 0; i < count && entrySize >= 56; i++)
        {
            var at = table + (ulong)(i * entrySize);
            if (at + 56 > (ulong)elf.Length)
            {
                break;
            }

            var header = elf.AsSpan((int)at, 56);
            var (type, flags) = (BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            const uint PtLoad = 1, PfWrite = 2;
            if (type == PtLoad && offset + size <= (ulong)elf.Length)
            {
                loads.Add(new Load((long)offset, BinaryPrimitives.ReadUInt64LittleEndian(header[16..]), (long)size, (flags & PfWrite) != 0));
            }
        }

        return loads;
    }
}
