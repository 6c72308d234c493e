using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Build.Docker;

/// <summary>
/// An HTTP client for the Engine API of an endpoint <see cref="EngineEndpoint.Judged"/> let through: the unix socket;
/// HTTPS that verifies the daemon's certificate against the endpoint's CA and its host name, with the client
/// certificate; or plain HTTP that connects to loopback addresses only.
/// </summary>
public static class EngineHttp
{
    public static HttpClient Client(EngineEndpoint endpoint)
    {
        if (endpoint.Refusal is { } refusal)
        {
            throw new InvalidOperationException("refused endpoint: " + refusal.Problem);
        }

        var (handler, address) = endpoint switch
        {
            { IsUnixSocket: true } => (Unix(endpoint.SocketPath), new Uri("http://docker")),
            { Tls.Verify: true } => (Verified(endpoint.Tls), new Uri("https://" + endpoint.TcpAddress.Authority)),
            { IsLoopback: true, Tls: null } => (LoopbackOnly(), endpoint.TcpAddress),
            _ => throw new InvalidOperationException($"{endpoint.Host} is neither a socket, nor verified TLS, nor loopback"),
        };
        var client = new HttpClient(handler) { BaseAddress = address };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    private static SocketsHttpHandler Unix(string path) => new()
    {
        ConnectCallback = async (_, cancel) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static SocketsHttpHandler Verified(EngineTls tls)
    {
        var options = new SslClientAuthenticationOptions();
        if (tls.CaFile is { } caFile)
        {
            // Only this CA, as the docker CLI trusts only ca.pem; the host name is checked as usual.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPemFile(caFile);
            options.CertificateChainPolicy = policy;
        }

        if (tls is { CertFile: { } cert, KeyFile: { } key })
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        }

        return new SocketsHttpHandler { SslOptions = options, ConnectTimeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Resolves the name at connect time and keeps loopback addresses only, so <c>localhost</c> mapped elsewhere cannot take the request.</summary>
    private static SocketsHttpHandler LoopbackOnly() => new()
    {
        ConnectCallback = async (context, cancel) =>
        {
            var addresses = (await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancel)).Where(IPAddress.IsLoopback).ToArray();
            if (addresses.Length == 0)
            {
                throw new HttpRequestException($"{context.DnsEndPoint.Host} does not resolve to a loopback address; plain HTTP goes to loopback only");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
