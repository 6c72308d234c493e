using System.Runtime.InteropServices;

namespace Build.Files;

/// <summary>
/// A file's owner and group, read with <c>statx(2)</c> (whose layout is the same on every Linux architecture) and set
/// with <c>lchown(2)</c>; .NET has no API for either. Null where the platform has neither.
/// </summary>
public sealed partial record FileOwnership(uint User, uint Group)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;

    /// <summary>The owner of <paramref name="path"/> (a link itself, not its target); null when it cannot be read.</summary>
    public static FileOwnership? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, ... (256 bytes in all).
        var buffer = new byte[256];
        try
        {
            return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid | StatxGid, buffer) == 0
                ? new FileOwnership(BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24))
                : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Gives <paramref name="path"/> this owner and group; a failure is an <see cref="IOException"/>.</summary>
    public void ApplyTo(string path)
    {
        if (OperatingSystem.IsLinux() && Lchown(path, User, Group) != 0)
        {
            throw new IOException($"could not give {path} the owner {User}:{Group} of the file it replaces (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Lchown(string path, uint owner, uint group);
}
