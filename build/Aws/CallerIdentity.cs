using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Build.Aws;

/// <summary>Who the credentials are, from STS GetCallerIdentity (AWSSDK.SecurityToken), or why STS refused them.</summary>
public sealed record CallerIdentity(string Account, string Arn)
{
    /// <summary>Calls STS once (no retry, 15 s); a failure is an <see cref="AwsCallFailure"/> with its recognised cause.</summary>
    public static async Task<CallerIdentity> GetAsync(AWSCredentials credentials, string region, Uri? endpoint, CaBundle? bundle, CancellationToken cancellation)
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(15),
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (bundle is not null)
        {
            config.HttpClientFactory = bundle.ClientFactory();
        }

        var where = endpoint?.ToString() ?? $"the STS endpoint of {region}";
        try
        {
            using var sts = new AmazonSecurityTokenServiceClient(credentials, config);
            var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellation);
            return new CallerIdentity(identity.Account, identity.Arn);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            var text = Describe(ex);
            throw new AwsCallFailure($"STS GetCallerIdentity at {where}", text, AwsFailure.Recognise(text));
        }
    }

    /// <summary>The error code and the messages of the exception chain (AWS error texts hold no key material).</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            parts.Add(ex is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? $"{code}: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message}");
        }

        return string.Join(" <- ", parts);
    }
}

/// <summary>An AWS call that failed: what was called, the error as the tool reported it, and the recognised cause if any.</summary>
public sealed class AwsCallFailure(string call, string error, AwsFailure? cause) : Exception($"{call} failed: {error}")
{
    public string Call { get; } = call;

    public string Error { get; } = error;

    public AwsFailure? Cause { get; } = cause;
}
