using Build.Files;
using Build.Secrets;

namespace Build.Server;

/// <summary>
/// The bootstrap's part of STATE_DIR/server: root's personal access token, mode 0600 in a 0700 folder. It lives beside
/// the server's data, so Clean keeps both (or, with CLEAN_SERVER_DATA, removes both) and they stay consistent.
/// </summary>
public sealed class ServerState(State.StateLayout layout)
{
    public string Directory => layout.ServerBootstrap;

    public string TokenFile => Path.Combine(Directory, "root-token");

    public Secret? ReadToken() =>
        File.Exists(TokenFile) && File.ReadAllText(TokenFile).Trim() is { Length: > 0 } text ? new Secret(text) : null;

    public void WriteToken(Secret token)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        AtomicFile.Write(TokenFile, token.Reveal() + "\n", AtomicFile.Private);
    }
}
