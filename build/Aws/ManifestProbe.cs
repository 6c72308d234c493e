using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Build.Docker;
using Build.Secrets;

namespace Build.Aws;

/// <summary>A registry's answer to a manifest request: found (its digest), or why not, with the fix.</summary>
public sealed record ManifestAnswer(bool Found, string? Digest, string? Cause, string? Fix);

/// <summary>
/// Asks a registry for an image's manifest as docker's first pull step does
/// (<c>GET /v2/&lt;repository&gt;/manifests/&lt;tag&gt;</c>, with the registry token from the helper as basic
/// credentials), over TLS that trusts the system's CAs and REGISTRY_CA_BUNDLE. Through a pull-through prefix, a
/// real ECR registry imports the image from its upstream on this request; the body is read and dropped.
/// </summary>
public sealed class ManifestProbe(CaBundle? registryCa, Func<HttpMessageHandler>? handler = null)
{
    private static readonly string[] MediaTypes =
    [
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
    ];

    public async Task<ManifestAnswer> GetAsync(ImageReference image, string username, Secret password, PullThroughTranslation via, CancellationToken cancel)
    {
        using var client = new HttpClient(handler?.Invoke() ?? Handler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{image.Registry}/v2/{image.Repository}/manifests/{image.Digest ?? image.Tag ?? "latest"}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password.Reveal()}")));
        foreach (var type in MediaTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        try
        {
            using var response = await client.SendAsync(request, cancel);
            var body = await response.Content.ReadAsStringAsync(cancel);
            return response.IsSuccessStatusCode
                ? new ManifestAnswer(true, response.Headers.TryGetValues("Docker-Content-Digest", out var digest) ? digest.FirstOrDefault() : null, null, null)
                : Explain((int)response.StatusCode, body, via);
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or IOException)
        {
            var text = Messages(ex);
            var cause = AwsFailure.Recognise(text);
            return new ManifestAnswer(false, null, $"the request to {image.Registry} failed: {text}",
                cause == AwsFailure.TlsTrust
                    ? "the registry's certificate is not trusted: set REGISTRY_CA_BUNDLE to a PEM file with its CA (a TLS-intercepting proxy's CA, say)"
                    : "check DNS and outbound HTTPS (port 443) to the registry, or HTTPS_PROXY for a proxy");
        }
    }

    /// <summary>
    /// The cause of a refused manifest request, from the registry's error body (<c>{"errors":[{"code","message"}]}</c>),
    /// never from the status alone. ECR's refusals are recognised by their codes and by the IAM action or the upstream
    /// failure their message names: "not authorized to perform: ecr:BatchImportUpstreamImage" (or ecr:CreateRepository)
    /// follows the wording of IAM's denials, and "authentication to the upstream registry failed" is how ECR reports a
    /// rule whose Secrets Manager secret is missing or wrong; exact texts beyond those phrases are not relied on.
    /// </summary>
    public static ManifestAnswer Explain(int status, string body, PullThroughTranslation via)
    {
        var (code, message) = FirstError(body);
        var said = $"HTTP {status}{(code is null ? string.Empty : " " + code)}{(message is null ? string.Empty : ": " + message)}";
        var rule = via.Rule;
        if (Recognise(message, via) is { } known)
        {
            return Refused(said, known.Cause, known.Fix);
        }

        if (status == 401 || code is "UNAUTHORIZED")
        {
            return Refused(said, "the registry did not accept the helper's token", "run ./build.sh --target=Preflight again: the token may have expired, or the credentials belong to another account without a registry policy for this one");
        }

        if (status == 429 || code is "TOOMANYREQUESTS")
        {
            return Refused(said, $"{rule.Upstream.Name} refused the import for its rate limit", rule.Upstream.Access == UpstreamAccess.Secret ? "wait and try again; the secret's account decides the upstream's limit" : "wait and try again");
        }

        if (status == 404 || code is "NAME_UNKNOWN" or "MANIFEST_UNKNOWN" || Contains(message, "does not exist"))
        {
            return Refused(said, $"no image {via.Upstream} upstream, or no rule {rule.Prefix} in this registry",
                $"check the image on {rule.Upstream.Host} (Docker Hub's official images need library/: ./build.sh --target=Mirror --mirror-image=<image> prints the form) and that the rule exists (Preflight checks it)");
        }

        return Refused(said, "the registry refused the manifest request", "read the registry's answer above");
    }

    /// <summary>The cause a refusal's message names (an IAM action the import needs, the upstream's sign-in, the pull itself), or null.</summary>
    public static (string Cause, string Fix)? Recognise(string? message, PullThroughTranslation via)
    {
        var rule = via.Rule;
        string? Action(string action) => Contains(message, action) ? action : null;
        if ((Action("ecr:BatchImportUpstreamImage") ?? Action("ecr:CreateRepository")) is { } missing)
        {
            return ($"the identity may not import through the cache: {missing} is not allowed",
                $"allow ecr:BatchImportUpstreamImage and ecr:CreateRepository on arn:aws:ecr:<region>:<account>:repository/{rule.Prefix}/* to the identity Preflight printed (an identity policy, or the registry's permissions policy); ecr:CreateRepository is needed while the cached repository does not exist yet");
        }

        if (Contains(message, "authentication to the upstream registry failed") || (Contains(message, "upstream") && Contains(message, "credential")))
        {
            return ($"ECR could not sign in to {rule.Upstream.Name} ({rule.Upstream.Host}) for the rule {rule.Prefix}: its Secrets Manager secret is missing, not readable by ECR, or holds wrong credentials",
                $"create (or fix) the secret {PullThroughUpstream.SecretPrefix}<name> in the rule's account and region with the upstream's username and accessToken, and name it in the rule (aws ecr update-pull-through-cache-rule --ecr-repository-prefix {rule.Prefix} --credential-arn <its ARN>)");
        }

        if (Contains(message, "not authorized to perform"))
        {
            return ("the identity may not pull from this repository",
                $"allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the {rule.Prefix}/ repositories (the managed AmazonEC2ContainerRegistryReadOnly has them)");
        }

        return null;
    }

    private static ManifestAnswer Refused(string said, string cause, string fix) => new(false, null, $"{cause} ({said})", fix);

    private static bool Contains(string? text, string part) => text?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;

    private static (string? Code, string? Message) FirstError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                return (Text(first, "code"), Text(first, "message"));
            }
        }
        catch (JsonException)
        {
        }

        var line = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
        return (null, string.IsNullOrEmpty(line) ? null : line.Length > 200 ? line[..200] + "…" : line);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private SocketsHttpHandler Handler() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (registryCa is not null && registryCa.Validate(certificate as X509Certificate2, errors)),
        },
    };

    private static string Messages(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add($"{e.GetType().Name}: {e.Message.TrimEnd('.')}");
        }

        return string.Join(" <- ", messages);
    }
}
