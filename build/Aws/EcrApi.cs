using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Build.Aws;

/// <summary>One pull-through cache rule as ECR describes it.</summary>
public sealed record DescribedRule(string Prefix, string UpstreamRegistryUrl, string? CredentialArn);

/// <summary>What DescribePullThroughCacheRules answered for one prefix: the rule, or AWS's error code and message.</summary>
public sealed record DescribeOutcome(DescribedRule? Rule, string? ErrorCode, string? Message);

/// <summary>
/// ECR's API (awsJson1.1) for the one operation Preflight needs beyond the helper, DescribePullThroughCacheRules,
/// signed with <see cref="SigV4Signer"/> and sent to the registry's regional endpoint (trusting AWS_CA_BUNDLE when set).
/// </summary>
/// <param name="handler">The HTTP handler to send with (tests); by default one that trusts <paramref name="bundle"/> or the system's CAs.</param>
public sealed class EcrApi(AwsSigningKey key, CaBundle? bundle, TimeProvider? time = null, Func<HttpMessageHandler>? handler = null)
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

    /// <summary>The regional API endpoint of <paramref name="registry"/>'s partition, as AWS names it.</summary>
    public static string Endpoint(EcrRegistry registry)
    {
        if (registry.IsPublic)
        {
            return $"api.ecr-public.{EcrRegistry.PublicRegion}.amazonaws.com";
        }

        var suffix = registry.Host[(registry.Host.IndexOf("." + registry.Region + ".", StringComparison.Ordinal) + registry.Region.Length + 2)..] switch
        {
            "on.aws" => "amazonaws.com",
            "on.amazonwebservices.com.cn" => "amazonaws.com.cn",
            var other => other,
        };
        return registry.Fips ? $"ecr-fips.{registry.Region}.{suffix}" : $"api.ecr.{registry.Region}.{suffix}";
    }

    /// <summary>The rule of <paramref name="prefix"/> in <paramref name="registry"/>, or the error AWS answered; transport failures throw <see cref="HttpRequestException"/>.</summary>
    public async Task<DescribeOutcome> DescribePullThroughCacheRuleAsync(EcrRegistry registry, string prefix, CancellationToken cancel)
    {
        var body = new JsonObject { ["registryId"] = registry.AccountId, ["ecrRepositoryPrefixes"] = new JsonArray(prefix) }.ToJsonString();
        var (status, errorType, answer) = await CallAsync(registry, "DescribePullThroughCacheRules", body, cancel);
        using var json = Parse(answer);
        if (status is >= 200 and < 300)
        {
            var rule = json?.RootElement.TryGetProperty("pullThroughCacheRules", out var rules) == true && rules.ValueKind == JsonValueKind.Array
                ? rules.EnumerateArray().FirstOrDefault(r => Text(r, "ecrRepositoryPrefix") == prefix)
                : default;
            return rule.ValueKind == JsonValueKind.Object
                ? new DescribeOutcome(new DescribedRule(prefix, Text(rule, "upstreamRegistryUrl") ?? string.Empty, Text(rule, "credentialArn")), null, null)
                : new DescribeOutcome(null, "PullThroughCacheRuleNotFoundException", $"the answer (HTTP {status}) lists no rule for {prefix}");
        }

        // awsJson errors: the code in X-Amzn-ErrorType or the body's __type/code, as "ns#Code" or "Code:detail".
        var code = errorType ?? (json is null ? null : Text(json.RootElement, "__type") ?? Text(json.RootElement, "code")) ?? $"HTTP {status}";
        code = code.Split(':')[0];
        code = code[(code.LastIndexOf('#') + 1)..];
        var message = json is null ? Short(answer) : Text(json.RootElement, "message") ?? Text(json.RootElement, "Message") ?? string.Empty;
        return new DescribeOutcome(null, code, message);
    }

    private async Task<(int Status, string? ErrorType, string Body)> CallAsync(EcrRegistry registry, string operation, string body, CancellationToken cancel)
    {
        var host = Endpoint(registry);
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = new Dictionary<string, string>
        {
            ["Host"] = host,
            ["Content-Type"] = "application/x-amz-json-1.1",
            ["X-Amz-Target"] = TargetPrefix + operation,
        };
        SigV4Signer.Sign(headers, "POST", "/", bytes, key, registry.Region, "ecr", (time ?? TimeProvider.System).GetUtcNow());
        using var client = new HttpClient(handler?.Invoke() ?? bundle?.Handler() ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://{host}/") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        foreach (var (name, value) in headers.Where(h => h.Key is not ("Host" or "Content-Type")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.UserAgent.ParseAdd("gitlab-runner-ecr");
        using var response = await client.SendAsync(request, cancel);
        var answer = await response.Content.ReadAsStringAsync(cancel);
        return ((int)response.StatusCode, response.Headers.TryGetValues("X-Amzn-ErrorType", out var type) ? type.FirstOrDefault() : null, answer);
    }

    private static JsonDocument? Parse(string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Short(string text) => text.Length > 200 ? text[..200] + "…" : text.Trim();
}
