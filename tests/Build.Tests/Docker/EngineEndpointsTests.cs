using System.Security.Cryptography;
using System.Text;
using Build.Docker;

namespace Build.Tests.Docker;

/// <summary>The daemon endpoint found as the docker CLI finds it (environment, then contexts), and which ones may carry a registry token.</summary>
public sealed class EngineEndpointsTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("engine-endpoints-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public EngineEndpointsTests() => _environment["HOME"] = _home;

    private string Config => Path.Combine(_home, ".docker");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Nothing_set_gives_the_default_unix_socket()
    {
        var endpoint = Resolve();

        Assert.Equal("unix:///var/run/docker.sock", endpoint.Host);
        Assert.Null(endpoint.Refusal);
        Assert.Null(endpoint.Tls);
    }

    [Fact]
    public void DOCKER_HOST_unix_is_used_and_TLS_variables_do_not_apply_to_a_socket()
    {
        _environment["DOCKER_HOST"] = "unix:///run/user/1000/docker.sock";
        _environment["DOCKER_TLS_VERIFY"] = "1";

        var endpoint = Resolve();

        Assert.Equal("/run/user/1000/docker.sock", endpoint.SocketPath);
        Assert.Null(endpoint.Refusal);
    }

    [Fact]
    public void DOCKER_TLS_VERIFY_takes_ca_cert_and_key_from_DOCKER_CERT_PATH()
    {
        // Given a TLS daemon on the network and a folder with the CLI's three files
        var certs = Files(Path.Combine(_home, "certs"), "ca.pem", "cert.pem", "key.pem");
        _environment["DOCKER_HOST"] = "tcp://10.1.2.3:2376";
        _environment["DOCKER_TLS_VERIFY"] = "1";
        _environment["DOCKER_CERT_PATH"] = certs;

        // When the endpoint is resolved, then it is verified TLS with those files, and allowed
        var endpoint = Resolve();
        Assert.Null(endpoint.Refusal);
        Assert.Equal(new EngineTls(true, Path.Combine(certs, "ca.pem"), Path.Combine(certs, "cert.pem"), Path.Combine(certs, "key.pem")), endpoint.Tls);
        Assert.Contains("over TLS", endpoint.Describe());
    }

    [Fact]
    public void DOCKER_CERT_PATH_defaults_to_the_config_folder_and_a_missing_client_certificate_is_left_out()
    {
        Files(Config, "ca.pem");
        _environment["DOCKER_HOST"] = "tcp://daemon.internal:2376";
        _environment["DOCKER_TLS_VERIFY"] = "1";

        var endpoint = Resolve();

        Assert.Null(endpoint.Refusal);
        Assert.Equal(new EngineTls(true, Path.Combine(Config, "ca.pem"), null, null), endpoint.Tls);
    }

    [Fact]
    public void DOCKER_TLS_VERIFY_without_a_ca_pem_is_refused_naming_the_file()
    {
        _environment["DOCKER_HOST"] = "tcp://10.1.2.3:2376";
        _environment["DOCKER_TLS_VERIFY"] = "1";
        _environment["DOCKER_CERT_PATH"] = Path.Combine(_home, "nowhere");

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains(Path.Combine(_home, "nowhere", "ca.pem"), refusal.Problem);
        Assert.Contains("DOCKER_CERT_PATH", refusal.Fix);
    }

    [Theory]
    [InlineData("tcp://10.1.2.3:2375", "tcp://10.1.2.3:2375")]
    [InlineData("tcp://10.1.2.3", "tcp://10.1.2.3:2375")]
    [InlineData("10.1.2.3:2375", "tcp://10.1.2.3:2375")]
    [InlineData("tcp://daemon.internal:2375", "tcp://daemon.internal:2375")]
    [InlineData("tcp://localhost.example.com:2375", "tcp://localhost.example.com:2375")]
    [InlineData("tcp://127.0.0.1.example.com:2375", "tcp://127.0.0.1.example.com:2375")]
    public void Plain_tcp_off_loopback_is_refused_because_the_token_would_travel_in_clear_text(string dockerHost, string host)
    {
        _environment["DOCKER_HOST"] = dockerHost;

        var endpoint = Resolve();

        Assert.Equal(host, endpoint.Host);
        Assert.NotNull(endpoint.Refusal);
        Assert.Contains($"{host} (from DOCKER_HOST) is plain HTTP over the network", endpoint.Refusal.Problem);
        Assert.Contains("clear text", endpoint.Refusal.Problem);
        Assert.Contains("DOCKER_TLS_VERIFY=1", endpoint.Refusal.Fix);
        Assert.Contains("DOCKER_CERT_PATH", endpoint.Refusal.Fix);
        Assert.Contains("unix socket", endpoint.Refusal.Fix);
        Assert.Contains("docker context", endpoint.Refusal.Fix);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("tcp://127.8.9.10:2375")]
    [InlineData("tcp://[::1]:2375")]
    [InlineData("tcp://localhost:2375")]
    [InlineData("tcp://LOCALHOST:2375")]
    public void Plain_tcp_on_loopback_is_allowed_because_the_bytes_never_leave_the_machine(string dockerHost)
    {
        _environment["DOCKER_HOST"] = dockerHost;

        var endpoint = Resolve();

        Assert.Null(endpoint.Refusal);
        Assert.True(endpoint.IsLoopback);
        Assert.Contains("(plain HTTP)", endpoint.Describe());
    }

    [Theory]
    [InlineData("tcp://10.1.2.3:2376")]
    [InlineData("tcp://127.0.0.1:2376")]
    public void DOCKER_TLS_without_verification_is_refused_on_loopback_too(string dockerHost)
    {
        Files(Config, "ca.pem", "cert.pem", "key.pem");
        _environment["DOCKER_HOST"] = dockerHost;
        _environment["DOCKER_TLS"] = "1";

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("without verifying the daemon's certificate", refusal.Problem);
        Assert.Contains("DOCKER_TLS_VERIFY=1", refusal.Fix);
    }

    [Fact]
    public void DOCKER_TLS_VERIFY_alone_goes_to_localhost_2376_over_TLS_as_the_CLI_does()
    {
        Files(Config, "ca.pem");
        _environment["DOCKER_TLS_VERIFY"] = "1";

        var endpoint = Resolve();

        Assert.Equal("tcp://localhost:2376", endpoint.Host);
        Assert.Equal(true, endpoint.Tls?.Verify);
        Assert.Null(endpoint.Refusal);
    }

    [Theory]
    [InlineData("ssh://me@build-host", "ssh -nNT -L")]
    [InlineData("npipe:////./pipe/docker_engine", "unix:///var/run/docker.sock")]
    [InlineData("fd://", "unix:///var/run/docker.sock")]
    public void Endpoints_the_pull_cannot_reach_safely_are_refused_with_what_to_do(string dockerHost, string fix)
    {
        _environment["DOCKER_HOST"] = dockerHost;

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains(dockerHost, refusal.Problem);
        Assert.Contains(fix, refusal.Fix);
    }

    [Fact]
    public void The_current_context_of_config_json_is_read_from_the_context_store_with_its_TLS_material()
    {
        // Given DOCKER_CONFIG with a current context "remote" that has TLS files
        var config = Path.Combine(_home, "other-config");
        _environment["DOCKER_CONFIG"] = config;
        Context(config, "remote", "tcp://10.1.2.3:2376", skipTlsVerify: false, "ca.pem", "cert.pem", "key.pem");
        File.WriteAllText(Path.Combine(config, "config.json"), "{\"auths\":{},\"currentContext\":\"remote\"}");

        // When resolved
        var endpoint = Resolve();

        // Then it is that context's host over TLS verified with the context's CA and client certificate
        var tls = Path.Combine(config, "contexts", "tls", Id("remote"), "docker");
        Assert.Equal("tcp://10.1.2.3:2376", endpoint.Host);
        Assert.Null(endpoint.Refusal);
        Assert.Equal(new EngineTls(true, Path.Combine(tls, "ca.pem"), Path.Combine(tls, "cert.pem"), Path.Combine(tls, "key.pem")), endpoint.Tls);
        Assert.Contains("docker context \"remote\"", endpoint.Origin);
    }

    [Fact]
    public void DOCKER_CONTEXT_overrides_currentContext_and_DOCKER_HOST_overrides_both()
    {
        Context(Config, "remote", "tcp://10.1.2.3:2376", skipTlsVerify: false, "ca.pem");
        Context(Config, "local", "unix:///run/docker-local.sock", skipTlsVerify: false);
        File.WriteAllText(Path.Combine(Config, "config.json"), "{\"currentContext\":\"remote\"}");

        _environment["DOCKER_CONTEXT"] = "local";
        Assert.Equal("unix:///run/docker-local.sock", Resolve().Host);

        _environment["DOCKER_HOST"] = "unix:///run/from-env.sock";
        Assert.Equal("unix:///run/from-env.sock", Resolve().Host);
    }

    [Fact]
    public void A_context_with_a_tcp_host_and_no_TLS_material_is_refused_naming_the_context()
    {
        Context(Config, "plain", "tcp://10.1.2.3:2375", skipTlsVerify: false);
        _environment["DOCKER_CONTEXT"] = "plain";

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("tcp://10.1.2.3:2375 (from docker context \"plain\", chosen by DOCKER_CONTEXT) is plain HTTP", refusal.Problem);
    }

    [Fact]
    public void A_context_with_SkipTLSVerify_is_refused_even_with_a_CA()
    {
        Context(Config, "skip", "tcp://10.1.2.3:2376", skipTlsVerify: true, "ca.pem", "cert.pem", "key.pem");
        _environment["DOCKER_CONTEXT"] = "skip";

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("without verifying the daemon's certificate", refusal.Problem);
    }

    [Fact]
    public void A_context_with_a_client_certificate_and_no_CA_verifies_against_the_system_CAs()
    {
        Context(Config, "public", "tcp://docker.example.net:2376", skipTlsVerify: false, "cert.pem", "key.pem");
        _environment["DOCKER_CONTEXT"] = "public";

        var endpoint = Resolve();

        Assert.Null(endpoint.Refusal);
        Assert.Equal(true, endpoint.Tls?.Verify);
        Assert.Null(endpoint.Tls?.CaFile);
        Assert.Contains("the system's CAs", endpoint.Describe());
    }

    [Fact]
    public void A_context_that_does_not_exist_is_refused_with_docker_context_ls()
    {
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Config).FullName, "config.json"), "{\"currentContext\":\"gone\"}");

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("docker context \"gone\", chosen by currentContext in", refusal.Problem);
        Assert.Contains("does not exist", refusal.Problem);
        Assert.Contains("docker context ls", refusal.Fix);
    }

    [Fact]
    public void The_default_context_by_name_and_an_unreadable_config_json_give_the_default_socket()
    {
        _environment["DOCKER_CONTEXT"] = "default";
        Assert.Equal("unix:///var/run/docker.sock", Resolve().Host);

        _environment.Remove("DOCKER_CONTEXT");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Config).FullName, "config.json"), "{ not json");
        Assert.Equal("unix:///var/run/docker.sock", Resolve().Host);
    }

    [Fact]
    public void A_DOCKER_HOST_that_is_no_address_is_refused()
    {
        _environment["DOCKER_HOST"] = "tcp://host:2375/some/path://x";

        var refusal = Resolve().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("is not a daemon address", refusal.Problem);
    }

    /// <summary>The CLI's context store id: the sha256 of the name in hex.</summary>
    internal static string Id(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    /// <summary>Writes a context as <c>docker context create</c> stores it.</summary>
    internal static void Context(string config, string name, string host, bool skipTlsVerify, params string[] tlsFiles)
    {
        var meta = Directory.CreateDirectory(Path.Combine(config, "contexts", "meta", Id(name))).FullName;
        File.WriteAllText(Path.Combine(meta, "meta.json"),
            $"{{\"Name\":\"{name}\",\"Metadata\":{{}},\"Endpoints\":{{\"docker\":{{\"Host\":\"{host}\",\"SkipTLSVerify\":{(skipTlsVerify ? "true" : "false")}}}}}}}");
        if (tlsFiles.Length > 0)
        {
            Files(Path.Combine(config, "contexts", "tls", Id(name), "docker"), tlsFiles);
        }
    }

    private static string Files(string folder, params string[] names)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(folder, name), "-----BEGIN PLACEHOLDER-----\n");
        }

        return folder;
    }

    private EngineEndpoint Resolve() => EngineEndpoints.Resolve(name => _environment.GetValueOrDefault(name));
}
