using System.Net;
using System.Text;
using System.Text.Json;
using Build.Docker;
using Build.Secrets;

namespace Build.Smoke;

/// <summary>Why the pull did not happen, and what to do.</summary>
public sealed record PullFailure(string Cause, string Fix);

/// <summary>
/// A pull through the host daemon's Engine API the way the runner makes it: <c>POST /images/create</c> with the
/// credentials in the <c>X-Registry-Auth</c> header of that one call, so nothing is written anywhere (no
/// <c>docker login</c>, no config.json). Speaks the daemon's own API version at the endpoint the docker CLI uses,
/// and only where the token is safe (<see cref="EngineEndpoint.Judged"/>): the unix socket, TLS that verifies the
/// daemon, or loopback; anywhere else it sends nothing and says why.
/// </summary>
public sealed class EnginePull(EngineEndpoint endpoint, string apiVersion)
{
    public EngineEndpoint Endpoint => endpoint;

    /// <summary>Null when the pull finished; otherwise why not (the endpoint refused here, unreachable, or the daemon's error).</summary>
    public async Task<PullFailure?> PullAsync(string image, string registry, string username, Secret password, TimeSpan timeout, CancellationToken cancel)
    {
        if (endpoint.Refusal is { } refusal)
        {
            return new PullFailure($"the pull of {image} was not sent: {refusal.Problem}", refusal.Fix);
        }

        string body;
        HttpStatusCode status;
        try
        {
            using var client = EngineHttp.Client(endpoint);
            client.Timeout = timeout;
            var (repository, tag) = Split(image);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v{apiVersion}/images/create?fromImage={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}");
            request.Headers.Add("X-Registry-Auth", AuthHeader(username, password, registry));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancel);
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            return new PullFailure($"the connection to the host daemon at {endpoint.Describe()} failed: {Messages(ex)}",
                endpoint.Tls is null
                    ? "check that the daemon runs and that DOCKER_HOST (or the docker context) names it; docker version must answer"
                    : "check DOCKER_HOST and the certificates (DOCKER_CERT_PATH, or the docker context's): the daemon's certificate must be issued by ca.pem for the host name in DOCKER_HOST, and the daemon must accept cert.pem; docker version must answer with the same settings");
        }

        var failed = (int)status is < 200 or >= 300 ? Message(body) ?? $"HTTP {(int)status} {FirstLine(body)}".TrimEnd() : ProgressError(body);
        return failed is null
            ? null
            : new PullFailure($"the host daemon refused the pull of {image}: {failed}",
                "the token was issued, so check the image name and tag, the repository's policy (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and that the daemon reaches the registry");
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

    /// <summary>The progress stream carries a failure as an {"error": …} line after a 200.</summary>
    private static string? ProgressError(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Message).FirstOrDefault(m => m is not null);

    /// <summary>A body that is not JSON (a TLS port answering plain HTTP, a proxy's page): its first line, kept short.</summary>
    private static string FirstLine(string body)
    {
        var line = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? string.Empty;
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    private static string Messages(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message.TrimEnd('.'));
            }
        }

        return string.Join(": ", messages.Where(m => !m.EndsWith("see inner exception", StringComparison.Ordinal)));
    }
}
