using System.Security.Cryptography;
using Build.Tests.Host;
using Tests.Shared;

namespace Build.Tests.Fixtures;

/// <summary>
/// The real build run as a process against a credentials file outside its root, with HOME in a temporary folder
/// (so nothing touches the real home) and the repository's credentials template in place.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialsRun : IDisposable
{
    public const string KeyId = "AKIATESTKEY000000001";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE1";
    public const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    public const string GoodFile = $"[default]\naws_access_key_id = {KeyId}\naws_secret_access_key = {SecretKey}\nregion = eu-west-1\n";

    private readonly BuildProcess _build = new();

    public CredentialsRun()
    {
        Outside = Directory.CreateTempSubdirectory("credentials-outside-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Outside, "home")).FullName;
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        File.Copy(Path.Combine(TestRepository.Root(), "assets", "runner-ecr-credentials"), Path.Combine(Root, "assets", "runner-ecr-credentials"));
        CredentialsFile = Path.Combine(Outside, "aws", "credentials");
    }

    public string Root => _build.Root;

    /// <summary>A temporary folder outside the build's root (and outside any repository).</summary>
    public string Outside { get; }

    public string Home { get; }

    public string CredentialsFile { get; }

    public string DefaultCredentialsFile => Path.Combine(Home, ".config", "gitlab-runner-ecr", "credentials");

    public string EnvLocal => Path.Combine(Root, ".env.local");

    public Dictionary<string, string> Environment { get; } = new();

    public void Dispose()
    {
        _build.Dispose();
        Directory.Delete(Outside, recursive: true);
    }

    /// <summary>Writes a file (mode 0600 unless told) and returns its path.</summary>
    public string Write(string path, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>Puts a fake docker (this shell body) first on PATH, in front of the machine's tools.</summary>
    public void UseFakeDocker(string body)
    {
        var bin = Directory.CreateDirectory(Path.Combine(Outside, "fake-bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "docker"), "#!/bin/sh\n" + body);
        File.SetUnixFileMode(Path.Combine(bin, "docker"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Environment["PATH"] = bin + ":" + System.Environment.GetEnvironmentVariable("PATH");
    }

    public (int Code, string Output) Run(params string[] args)
    {
        var environment = new Dictionary<string, string>(Environment) { ["HOME"] = Home, ["XDG_CONFIG_HOME"] = string.Empty };
        return _build.RunWith(environment, args);
    }

    /// <summary>Bytes, mode and owner of a file (or "missing"): equal before and after means the run changed nothing.</summary>
    public static string Fingerprint(string path) =>
        File.Exists(path)
            ? $"{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))} {File.GetUnixFileMode(path)}"
            : "missing";
}
