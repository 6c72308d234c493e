using System.Buffers.Binary;
using System.Text;
using Build.Helper;

namespace Build.Tests.Fixtures;

/// <summary>
/// TEST FIXTURE, not a helper: a static ELF executable of a few hundred bytes, written here byte by byte, that
/// prints <see cref="Prints"/> whatever its arguments and exits with <see cref="ExitCode"/>, and holds each of
/// <see cref="Stamps"/> the way Go's linker lays out a <c>-X</c> string: NUL-terminated bytes in a read-only
/// segment and a (pointer, length) header in a writable one. x86-64 and aarch64 (Linux system calls).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed record TinyElf(HelperPlatform Platform)
{
    private const ulong Base = 0x400000;
    private const int CodeAt = 64 + (2 * 56);
    private const int DataAt = 0x1000;

    public string Prints { get; init; } = string.Empty;

    public int ExitCode { get; init; }

    public IReadOnlyList<string> Stamps { get; init; } = [];

    /// <summary>Stamps written without their NUL byte: what an ordinary Go string literal looks like.</summary>
    public bool Unterminated { get; init; }

    public static TinyElf Helper(HelperPlatform platform, string version) =>
        new(platform) { Prints = $"amazon-ecr-credential-helper\nVersion:    {version}\nGit commit: \n", Stamps = [version] };

    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, Bytes());
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public byte[] Bytes()
    {
        var message = Encoding.ASCII.GetBytes(Prints);
        var codeLength = Platform == HelperPlatform.Amd64 ? 36 : 32;
        var messageAt = CodeAt + codeLength;
        var text = new List<byte>(message);
        var stampAt = new List<int>();
        foreach (var stamp in Stamps)
        {
            stampAt.Add(messageAt + text.Count);
            text.AddRange(Encoding.ASCII.GetBytes(stamp));
            text.Add(Unterminated ? (byte)'x' : (byte)0);
        }

        var file = new byte[DataAt + (16 * Stamps.Count) + 16];
        var span = file.AsSpan();
        byte[] ident = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1];
        ident.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[16..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[18..], (ushort)(Platform == HelperPlatform.Amd64 ? 62 : 183));
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], Base + CodeAt);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(span[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], 2);
        ProgramHeader(span[64..], flags: 5, offset: 0, size: messageAt + text.Count);
        ProgramHeader(span[120..], flags: 6, offset: DataAt, size: file.Length - DataAt);
        Code(messageAt, message.Length).CopyTo(span[CodeAt..]);
        text.ToArray().CopyTo(span[messageAt..]);
        for (var i = 0; i < Stamps.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[(DataAt + (16 * i))..], Base + (ulong)stampAt[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(span[(DataAt + (16 * i) + 8)..], (ulong)Stamps[i].Length);
        }

        return file;
    }

    private static void ProgramHeader(Span<byte> header, uint flags, int offset, int size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], flags);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], Base + (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], Base + (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(header[40..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(header[48..], 0x1000);
    }

    /// <summary>write(1, message, length); exit(ExitCode).</summary>
    private byte[] Code(int messageAt, int length)
    {
        var code = new List<byte>();
        void U32(uint value) => code.AddRange(BitConverter.GetBytes(value));
        if (Platform == HelperPlatform.Amd64)
        {
            code.AddRange([0xb8, 1, 0, 0, 0, 0xbf, 1, 0, 0, 0, 0x48, 0x8d, 0x35]); // mov eax,1 (write); mov edi,1; lea rsi,[rip+d]
            U32((uint)(messageAt - (CodeAt + 17)));
            code.Add(0xba); // mov edx,length
            U32((uint)length);
            code.AddRange([0x0f, 0x05, 0xb8, 60, 0, 0, 0, 0xbf]); // syscall; mov eax,60 (exit); mov edi,code
            U32((uint)ExitCode);
            code.AddRange([0x0f, 0x05]);
        }
        else
        {
            var offset = messageAt - (CodeAt + 4);
            U32(0xd2800020); // movz x0,#1
            U32(0x10000001u | ((uint)(offset & 3) << 29) | ((uint)((offset >> 2) & 0x7ffff) << 5)); // adr x1,message
            U32(0xd2800002u | ((uint)length << 5)); // movz x2,#length
            U32(0xd2800808); // movz x8,#64 (write)
            U32(0xd4000001); // svc #0
            U32(0xd2800000u | ((uint)ExitCode << 5)); // movz x0,#code
            U32(0xd2800ba8); // movz x8,#93 (exit)
            U32(0xd4000001); // svc #0
        }

        return [.. code];
    }
}
