using System.Net;

namespace Build.Docker;

/// <summary>TLS to a tcp:// daemon: the server verified against <see cref="CaFile"/> (null: the system's CAs), or not verified; an optional client certificate.</summary>
public sealed record EngineTls(bool Verify, string? CaFile, string? CertFile, string? KeyFile);

/// <summary>Why a credential must not be sent to an endpoint, and what to do instead.</summary>
public sealed record EngineRefusal(string Problem, string Fix);

/// <summary>
/// The Docker daemon endpoint the docker CLI would use (see <see cref="EngineEndpoints.Resolve"/>): its host
/// (<c>unix:///path</c>, <c>tcp://host:port</c>, <c>ssh://…</c>), where that came from, its TLS, and a
/// <see cref="Refusal"/> when an Engine API call carrying a registry credential must not go there.
/// </summary>
public sealed record EngineEndpoint(string Host, string Origin, EngineTls? Tls = null, EngineRefusal? Refusal = null)
{
    public const string UnixScheme = "unix://";
    public const string TcpScheme = "tcp://";

    public bool IsUnixSocket => Host.StartsWith(UnixScheme, StringComparison.Ordinal);

    public string SocketPath => Host[UnixScheme.Length..];

    /// <summary>Host name or address and port of a tcp:// endpoint.</summary>
    public Uri TcpAddress => new("http://" + Host[TcpScheme.Length..]);

    /// <summary>127.0.0.0/8, ::1 or <c>localhost</c>: bytes sent there never leave the machine.</summary>
    public bool IsLoopback => Host.StartsWith(TcpScheme, StringComparison.Ordinal)
        && (string.Equals(TcpAddress.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(TcpAddress.IdnHost, out var address) && IPAddress.IsLoopback(address)));

    /// <summary>The endpoint and its protection in a few words, for the summary.</summary>
    public string Describe() => (IsUnixSocket, Tls) switch
    {
        (true, _) => Host,
        (false, { Verify: true } tls) => $"{Host} over TLS (server verified against {tls.CaFile ?? "the system's CAs"}{(tls.CertFile is null ? string.Empty : ", client certificate " + tls.CertFile)})",
        _ => $"{Host} (plain HTTP)",
    };

    /// <summary>
    /// The rule for a registry credential: it goes over the unix socket, over TLS that verifies the daemon, or as
    /// plain HTTP to a loopback address (the bytes never leave the machine). Everything else, TLS without
    /// verification included (on loopback too), is refused with what to do.
    /// </summary>
    public EngineEndpoint Judged()
    {
        if (Refusal is not null || IsUnixSocket)
        {
            return this;
        }

        var where = $"{Host} (from {Origin})";
        if (Host.StartsWith("ssh://", StringComparison.Ordinal))
        {
            return this with
            {
                Refusal = new($"{where} is reached through ssh by the docker CLI; the Engine API pull cannot use that tunnel and sends the ECR token no other way",
                    "run SmokeTest on the daemon's machine (unix socket), or forward the daemon's socket over ssh and point DOCKER_HOST at it: ssh -nNT -L $HOME/.docker-remote.sock:/var/run/docker.sock user@host, then DOCKER_HOST=unix://$HOME/.docker-remote.sock"),
            };
        }

        if (!Host.StartsWith(TcpScheme, StringComparison.Ordinal))
        {
            return this with { Refusal = new($"{where} is not an endpoint the Engine API pull speaks (unix:// and tcp://)", "set DOCKER_HOST to unix:///var/run/docker.sock, or to a tcp:// address with DOCKER_TLS_VERIFY=1") };
        }

        if (Tls is { Verify: true })
        {
            return this;
        }

        if (Tls is { Verify: false })
        {
            return this with
            {
                Refusal = new($"{where} uses TLS without verifying the daemon's certificate, so whoever sits between here and the daemon could pose as it and take the ECR token",
                    "set DOCKER_TLS_VERIFY=1 and put the daemon's CA in DOCKER_CERT_PATH as ca.pem (with your cert.pem and key.pem), or give the docker context the daemon's CA without skip-tls-verify: docker context update <name> --docker \"host=tcp://…,ca=…,cert=…,key=…\""),
            };
        }

        return IsLoopback
            ? this
            : this with
            {
                Refusal = new($"{where} is plain HTTP over the network: the ECR token would cross it in clear text (in the pull's X-Registry-Auth header, and in the helper's output that docker exec brings back)",
                    "set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to a folder with the daemon's ca.pem and your cert.pem and key.pem (the daemon listening with --tlsverify, usually on port 2376), or use the daemon's unix socket (unset DOCKER_HOST on the daemon's machine), or a docker context with TLS (docker context create <name> --docker \"host=tcp://…,ca=…,cert=…,key=…\")"),
            };
    }
}
