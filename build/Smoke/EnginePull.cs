using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Build.Secrets;

namespace Build.Smoke;

/// <summary>
/// A pull through the host daemon's Engine API the way the runner makes it: <c>POST /images/create</c> with the
/// credentials in the <c>X-Registry-Auth</c> header of that one call, so nothing is written anywhere (no
/// <c>docker login</c>, no config.json). Speaks the daemon's own API version over its unix socket (or tcp DOCKER_HOST).
/// </summary>
public sealed class EnginePull(string? dockerHost, string apiVersion)
{
    /// <summary>Null when the pull finished; otherwise the daemon's error message.</summary>
    public async Task<string?> PullAsync(string image, string registry, string username, Secret password, TimeSpan timeout, CancellationToken cancel)
    {
        using var client = Client();
        client.Timeout = timeout;
        var (repository, tag) = Split(image);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v{apiVersion}/images/create?fromImage={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}");
        request.Headers.Add("X-Registry-Auth", AuthHeader(username, password, registry));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode)
        {
            return Message(body) ?? $"HTTP {(int)response.StatusCode}";
        }

        // The progress stream carries a failure as an {"error": …} line after a 200.
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Message(line) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>base64url of <c>{"username","password","serveraddress"}</c>, as the Engine API documents it.</summary>
    public static string AuthHeader(string username, Secret password, string registry)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["username"] = username, ["password"] = password.Reveal(), ["serveraddress"] = registry });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
    }

    /// <summary><c>repository</c> and <c>tag</c> (or digest) of an image reference.</summary>
    public static (string Repository, string Tag) Split(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (image[..at], image[(at + 1)..]);
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    private static string? Message(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && (document.RootElement.TryGetProperty("error", out var e) || document.RootElement.TryGetProperty("message", out e))
                ? e.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private HttpClient Client()
    {
        if (dockerHost is { } host && host.StartsWith("tcp://", StringComparison.Ordinal))
        {
            return new HttpClient { BaseAddress = new Uri("http://" + host["tcp://".Length..]) };
        }

        var socket = dockerHost is { } unix && unix.StartsWith("unix://", StringComparison.Ordinal) ? unix["unix://".Length..] : "/var/run/docker.sock";
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }
}
