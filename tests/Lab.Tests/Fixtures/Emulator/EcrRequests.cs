using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lab.Fixtures.Emulator;

/// <summary>Builds ECR requests the way the AWS SDK for Go v2 (and so the credential helper) sends them.</summary>
public static partial class EcrRequests
{
    public const string GetAuthorizationTokenTarget = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

    /// <summary>The header set the Go SDK signs for ECR.</summary>
    public static readonly string[] GoSdkSignedHeaders =
        ["amz-sdk-invocation-id", "amz-sdk-request", "content-length", "content-type", "host", "x-amz-date", "x-amz-target"];

    /// <summary>The helper's private-registry pattern (v0.12.0).</summary>
    [GeneratedRegex(@"^(\d{12})\.dkr[\.\-]ecr(\-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$")]
    public static partial Regex HelperRegistryPattern();

    /// <summary>An unsigned request: <c>POST /</c> with the target, JSON body and SDK bookkeeping headers.</summary>
    public static HttpRequestMessage Unsigned(Uri endpoint, string host, string body, string target = GetAuthorizationTokenTarget)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1") },
            },
        };
        message.Headers.Host = host;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        message.Headers.TryAddWithoutValidation("Amz-Sdk-Invocation-Id", Guid.NewGuid().ToString());
        message.Headers.TryAddWithoutValidation("Amz-Sdk-Request", "attempt=1; max=3");
        message.Headers.TryAddWithoutValidation("User-Agent", "aws-sdk-go-v2/1.0 lab-tests");
        return message;
    }

    /// <summary>A signed request (service <c>ecr</c>), as the helper would send for this region.</summary>
    public static async Task<HttpRequestMessage> SignedAsync(
        Uri endpoint, AwsCredentials credentials, string region = "us-east-1", string body = "{\"registryIds\":[\"123456789012\"]}",
        string? host = null, string target = GetAuthorizationTokenTarget)
    {
        var message = Unsigned(endpoint, host ?? $"api.ecr.{region}.amazonaws.com", body, target);
        await SigV4Signer.SignAsync(message, credentials, region, "ecr", DateTimeOffset.UtcNow);
        return message;
    }

    /// <summary>Reads an error body: <c>__type</c>, <c>message</c> and the request id.</summary>
    public static async Task<(string Type, string Message, string RequestId)> ReadErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return (root.GetProperty("__type").GetString()!, root.GetProperty("message").GetString()!, root.GetProperty("requestId").GetString()!);
    }
}
