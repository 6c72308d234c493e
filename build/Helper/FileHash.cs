using System.Security.Cryptography;

namespace Build.Helper;

public static class FileHash
{
    /// <summary>The lower-case hex SHA-256 of a file's content.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
