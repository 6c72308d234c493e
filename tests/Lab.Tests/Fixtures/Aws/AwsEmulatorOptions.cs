using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Lab.Fixtures.Aws;

/// <summary>An access key the emulator knows, and the identity GetCallerIdentity reports for it.</summary>
/// <param name="AccountId">12-digit account; also the registry that ECR <c>{}</c> (no registryIds) means.</param>
/// <param name="Arn">e.g. <c>arn:aws:iam::123456789012:user/lab</c>.</param>
/// <param name="SessionToken">When set, requests must carry it as <c>X-Amz-Security-Token</c>; when null, they must not carry one.</param>
/// <param name="UserId">GetCallerIdentity's UserId; defaults to the access key id.</param>
/// <param name="SessionExpired">Authentic calls are refused as AWS refuses an expired session token.</param>
/// <param name="MayGetEcrToken">False: ECR answers AccessDeniedException, as for an identity without ecr:GetAuthorizationToken.</param>
/// <param name="MayGetPublicToken">False: ECR Public answers AccessDeniedException naming ecr-public:GetAuthorizationToken.</param>
/// <param name="MayGetServiceBearerToken">False: ECR Public answers AccessDeniedException naming sts:GetServiceBearerToken, which its token also needs.</param>
/// <param name="MayDescribePullThroughCacheRules">False: ECR answers AccessDeniedException for ecr:DescribePullThroughCacheRules.</param>
public sealed record AwsKey(
    string AccessKeyId, string SecretAccessKey, string AccountId, string Arn, string? SessionToken = null, string? UserId = null,
    bool SessionExpired = false, bool MayGetEcrToken = true, bool MayGetPublicToken = true, bool MayGetServiceBearerToken = true,
    bool MayDescribePullThroughCacheRules = true)
{
    public AwsCredentials Credentials => new(AccessKeyId, SecretAccessKey, SessionToken);

    public override string ToString() => $"AwsKey {{ AccessKeyId = {AccessKeyId}, AccountId = {AccountId}, Arn = {Arn} }}";
}

/// <summary>A private ECR registry (account + region) and the password its tokens carry (<c>AWS:&lt;password&gt;</c>).</summary>
public sealed record EcrRegistry(string AccountId, string Region, string Password)
{
    public string Host => $"{AccountId}.dkr.ecr.{Region}.amazonaws.com";

    public override string ToString() => $"EcrRegistry {{ {Host} }}";
}

/// <summary>A pull-through cache rule of a private registry, as DescribePullThroughCacheRules returns it.</summary>
public sealed record PullThroughCacheRule(string AccountId, string Region, string Prefix, string UpstreamRegistryUrl, string? CredentialArn = null);

/// <summary>Start-up settings of an <see cref="AwsEmulator"/>. Keys, registries and token lifetime can change later on the emulator.</summary>
public sealed class AwsEmulatorOptions
{
    /// <summary>TLS certificate with private key, e.g. from <c>TestCertificateAuthority.IssueServerCertificate</c>. The caller owns (disposes) it.</summary>
    public required X509Certificate2 ServerCertificate { get; init; }

    /// <summary>Where to listen; port 0 = ephemeral (see <see cref="AwsEmulator.BoundEndpoints"/>). Default 127.0.0.1:0.</summary>
    public IList<IPEndPoint> Endpoints { get; init; } = [new IPEndPoint(IPAddress.Loopback, 0)];

    public IList<AwsKey> Keys { get; init; } = [];

    public IList<EcrRegistry> Registries { get; init; } = [];

    /// <summary>The password ECR Public's tokens carry (<c>AWS:&lt;password&gt;</c>); null: ECR Public is not emulated.</summary>
    public string? PublicPassword { get; init; }

    public IList<PullThroughCacheRule> PullThroughCacheRules { get; init; } = [];

    /// <summary>Lifetime of ECR tokens (<c>expiresAt</c> = now + this). ECR's is 12 hours.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Clock for request times and <c>expiresAt</c>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
