using System.Text;
using System.Text.Json;
using Tests.Shared;

namespace Build.Tests.Fixtures;

/// <summary>
/// assets/dind-token/refresh-dind-tokens.sh run by the host's /bin/sh in a folder of the test's own, with a fake helper
/// that answers <c>get</c> from files (a secret per registry, or a failure with the helper's log line).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RefresherScript : IDisposable
{
    public const string Helper =
        """
        #!/bin/sh
        read host
        dir=$(dirname "$0")
        if [ -f "$dir/fail-$host" ]; then
          printf 'time="2026-01-01T00:00:00Z" level=error msg="Error retrieving credentials" error="%s"\n' "$(cat "$dir/fail-$host")" >> "$AWS_ECR_CACHE_DIR/log/ecr-login.log"
          echo "credentials not found in native keychain" >&2
          exit 1
        fi
        printf '{"ServerURL":"%s","Username":"AWS","Secret":"%s"}\n' "$host" "$(cat "$dir/secret-$host")"
        """;

    public RefresherScript()
    {
        Directory.CreateDirectory(TokenDirectory);
        Directory.CreateDirectory(Path.Combine(Folder, "helper"));
        File.WriteAllText(HelperPath, Helper);
        File.SetUnixFileMode(HelperPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static string Script => Path.Combine(TestRepository.Root(), "assets", "dind-token", "refresh-dind-tokens.sh");

    public string Folder { get; } = Directory.CreateTempSubdirectory("dind-token-").FullName;

    public string TokenDirectory => Path.Combine(Folder, "state", "dind-token");

    public string ConfigFile => Path.Combine(TokenDirectory, "docker", "config.json");

    public string StatusFile => Path.Combine(TokenDirectory, "status.json");

    public string HelperPath => Path.Combine(Folder, "helper", "docker-credential-ecr-login");

    public Dictionary<string, string> Environment(string registries, int interval = 3600, bool once = true) => new()
    {
        ["DIND_TOKEN_DIR"] = TokenDirectory,
        ["DIND_TOKEN_REGISTRIES"] = registries,
        ["DIND_TOKEN_REFRESH_SECONDS"] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DIND_TOKEN_HELPER"] = HelperPath,
        ["AWS_ECR_CACHE_DIR"] = Path.Combine(Folder, "cache"),
        ["DIND_TOKEN_ONCE"] = once ? "true" : "false",
    };

    /// <summary>The fake helper's answer for <paramref name="host"/>: this secret.</summary>
    public void Answer(string host, string secret)
    {
        File.WriteAllText(Path.Combine(Folder, "helper", "secret-" + host), secret);
        File.Delete(Path.Combine(Folder, "helper", "fail-" + host));
    }

    /// <summary>The fake helper fails for <paramref name="host"/>, logging <paramref name="error"/> as the helper logs its errors.</summary>
    public void Fail(string host, string error) => File.WriteAllText(Path.Combine(Folder, "helper", "fail-" + host), error);

    public Task<ProcessResult> OnceAsync(string registries, Dictionary<string, string>? extra = null)
    {
        var environment = Environment(registries);
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return ChildProcess.RunAsync("/bin/sh", [Script], timeout.Token, environment);
    }

    public ChildProcess Loop(string registries, int interval) => ChildProcess.Start("/bin/sh", [Script], environment: Environment(registries, interval, once: false));

    public JsonElement Config() => JsonDocument.Parse(File.ReadAllText(ConfigFile)).RootElement;

    public JsonElement Status() => JsonDocument.Parse(File.ReadAllText(StatusFile)).RootElement;

    public JsonElement Registry(string host) => Status().GetProperty("registries").EnumerateArray().Single(r => r.GetProperty("host").GetString() == host);

    /// <summary>The <c>auth</c> docker reads for <paramref name="host"/>, decoded.</summary>
    public string Auth(string host) => Encoding.UTF8.GetString(Convert.FromBase64String(Config().GetProperty("auths").GetProperty(host).GetProperty("auth").GetString()!));

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
