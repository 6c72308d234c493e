using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Build.Docker;

/// <summary>
/// Finds the daemon endpoint as the docker CLI does, so an Engine API call of the build reaches the daemon its
/// docker commands reach: <c>DOCKER_HOST</c> (with <c>DOCKER_TLS_VERIFY</c>, <c>DOCKER_TLS</c> and
/// <c>DOCKER_CERT_PATH</c>); else the context named by <c>DOCKER_CONTEXT</c> or by <c>currentContext</c> in the CLI's
/// config.json (<c>DOCKER_CONFIG</c>, default ~/.docker), read from its context store; else the default socket.
/// </summary>
public static class EngineEndpoints
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";
    private const string DefaultTlsHost = "tcp://localhost:2376";

    public static EngineEndpoint Resolve(Func<string, string?> environment)
    {
        var configDirectory = Set(environment("DOCKER_CONFIG")) ?? Path.Combine(Set(environment("HOME")) ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".docker");
        if (Set(environment("DOCKER_HOST")) is { } host)
        {
            return FromEnvironment(host, "DOCKER_HOST", environment, configDirectory).Judged();
        }

        var (context, origin) = Set(environment("DOCKER_CONTEXT")) is { } named
            ? (named, "DOCKER_CONTEXT")
            : (CurrentContext(configDirectory), $"currentContext in {Path.Combine(configDirectory, "config.json")}");
        return (context is null or "default"
            ? FromEnvironment(null, context is null ? "the default, as no DOCKER_HOST, DOCKER_CONTEXT or current context is set" : $"the default context, chosen by {origin}", environment, configDirectory)
            : FromContext(context, origin, configDirectory)).Judged();
    }

    /// <summary>The default context: the given host (or the default one), with TLS from the environment as the CLI's flags default to.</summary>
    private static EngineEndpoint FromEnvironment(string? host, string origin, Func<string, string?> environment, string configDirectory)
    {
        // As in the CLI, any non-empty value turns these on (DOCKER_TLS_VERIFY=0 included).
        var verify = Set(environment("DOCKER_TLS_VERIFY")) is not null;
        var tls = verify || Set(environment("DOCKER_TLS")) is not null;
        if (host is null && tls)
        {
            origin = $"{(verify ? "DOCKER_TLS_VERIFY" : "DOCKER_TLS")} without DOCKER_HOST";
        }

        var endpoint = Normalise(host ?? (tls ? DefaultTlsHost : DefaultSocket), origin);
        if (!tls || endpoint.Refusal is not null)
        {
            return endpoint;
        }

        var certificates = Set(environment("DOCKER_CERT_PATH")) ?? configDirectory;
        var ca = Path.Combine(certificates, "ca.pem");
        if (verify && endpoint.Host.StartsWith(EngineEndpoint.TcpScheme, StringComparison.Ordinal) && !File.Exists(ca))
        {
            return endpoint with
            {
                Refusal = new($"DOCKER_TLS_VERIFY is set for {endpoint.Host}, but there is no {ca} to verify the daemon with",
                    "put the CA that issued the daemon's certificate in DOCKER_CERT_PATH as ca.pem (with your cert.pem and key.pem), or set DOCKER_CERT_PATH to the folder that has them"),
            };
        }

        return endpoint with { Tls = new EngineTls(verify, ca, Existing(certificates, "cert.pem"), Existing(certificates, "key.pem")) };
    }

    /// <summary>A context of the CLI's store: <c>contexts/meta/&lt;sha256 of the name&gt;/meta.json</c> and its TLS files under <c>contexts/tls/…/docker</c>.</summary>
    private static EngineEndpoint FromContext(string name, string origin, string configDirectory)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        var meta = Path.Combine(configDirectory, "contexts", "meta", id, "meta.json");
        var where = $"docker context \"{name}\", chosen by {origin}";
        var fix = "list the contexts with docker context ls, and choose one with docker context use <name> (or DOCKER_CONTEXT), or set DOCKER_HOST";
        if (!File.Exists(meta))
        {
            return new EngineEndpoint(string.Empty, where, Refusal: new($"the {where}, does not exist: there is no {meta}", fix));
        }

        string? host;
        bool skipVerify;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(meta));
            var docker = json.RootElement.GetProperty("Endpoints").GetProperty("docker");
            host = docker.TryGetProperty("Host", out var h) ? h.GetString() : null;
            skipVerify = docker.TryGetProperty("SkipTLSVerify", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new EngineEndpoint(string.Empty, where, Refusal: new($"the {where}, has no docker endpoint that can be read from {meta} ({ex.Message})", fix));
        }

        if (Set(host) is null)
        {
            return new EngineEndpoint(string.Empty, where, Refusal: new($"the {where}, names no docker host in {meta}", fix));
        }

        var endpoint = Normalise(host!, where);
        var tlsFolder = Path.Combine(configDirectory, "contexts", "tls", id, "docker");
        var (ca, cert, key) = (Existing(tlsFolder, "ca.pem"), Existing(tlsFolder, "cert.pem"), Existing(tlsFolder, "key.pem"));
        return ca is null && cert is null && key is null && !skipVerify
            ? endpoint
            : endpoint with { Tls = new EngineTls(!skipVerify, ca, cert, key) };
    }

    private static string? CurrentContext(string configDirectory)
    {
        var file = Path.Combine(configDirectory, "config.json");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            return json.RootElement.TryGetProperty("currentContext", out var current) && current.ValueKind == JsonValueKind.String ? Set(current.GetString()) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // The CLI, too, goes on with its defaults when it cannot read its config file.
            return null;
        }
    }

    /// <summary>The host in the CLI's normal form: a bare <c>host:port</c> is tcp, tcp gets port 2375 when it names none, unix the default socket path.</summary>
    private static EngineEndpoint Normalise(string value, string origin)
    {
        var host = value.Trim();
        var scheme = host.Contains("://", StringComparison.Ordinal) ? host[..host.IndexOf("://", StringComparison.Ordinal)] : "tcp";
        var rest = host.Contains("://", StringComparison.Ordinal) ? host[(host.IndexOf("://", StringComparison.Ordinal) + 3)..] : host;
        switch (scheme)
        {
            case "unix":
                return new EngineEndpoint(EngineEndpoint.UnixScheme + (rest.Length == 0 ? DefaultSocket[EngineEndpoint.UnixScheme.Length..] : rest), origin);
            case "tcp":
                if (rest.Length == 0)
                {
                    rest = "localhost:2375";
                }

                if (Uri.TryCreate("tcp://" + rest, UriKind.Absolute, out var uri) && uri.Host.Length > 0 && uri.PathAndQuery is "/" or "")
                {
                    return new EngineEndpoint($"tcp://{uri.Authority}{(uri.Port < 0 ? ":2375" : string.Empty)}", origin);
                }

                return new EngineEndpoint(value, origin, Refusal: new($"{value} (from {origin}) is not a daemon address", "give it as tcp://host:port, unix:///path/to/docker.sock or ssh://user@host"));
            default:
                return new EngineEndpoint(host, origin);
        }
    }

    private static string? Existing(string folder, string file) => File.Exists(Path.Combine(folder, file)) ? Path.Combine(folder, file) : null;

    private static string? Set(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
