using System.Text.RegularExpressions;

namespace Build.Aws;

/// <summary>Which ECR a registry host is: a private registry of an account and region, or ECR Public.</summary>
public enum EcrRegistryKind
{
    Private,
    Public,
}

/// <summary>
/// An ECR registry host, read as the credential helper reads it: a private host carries its account and region in
/// its name; ECR Public is one of two fixed, global names and is always called in us-east-1. The kind, host and
/// region are all a token's fetcher needs (the helper's <c>get</c> takes the host; an API call takes the region).
/// </summary>
public sealed partial record EcrRegistry(EcrRegistryKind Kind, string Host, string? AccountId, string Region, bool Fips)
{
    public const string PublicHost = "public.ecr.aws";

    /// <summary>ECR Public's dual-stack (IPv4 and IPv6) name; the helper knows it from 0.12.0.</summary>
    public const string DualStackPublicHost = "ecr-public.aws.com";

    /// <summary>The helper release that first accepts <see cref="DualStackPublicHost"/>.</summary>
    public const string DualStackPublicSince = "0.12.0";

    /// <summary>ECR Public's API exists only in us-east-1, whichever region pulls.</summary>
    public const string PublicRegion = "us-east-1";

    // amazon-ecr-credential-helper 0.12.0's pattern for private registries.
    [GeneratedRegex(@"\A([0-9]{12})\.dkr[\.\-]ecr(\-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)\z")]
    private static partial Regex HostPattern();

    public bool IsPublic => Kind == EcrRegistryKind.Public;

    public bool IsDualStackPublic => Host == DualStackPublicHost;

    /// <summary>The private registry <paramref name="text"/> names, or ECR Public when it is exactly one of its two names.</summary>
    public static bool TryParse(string text, out EcrRegistry? registry)
    {
        registry = null;
        var host = Normalise(text);
        if (host is PublicHost or DualStackPublicHost)
        {
            registry = new EcrRegistry(EcrRegistryKind.Public, host, null, PublicRegion, Fips: false);
            return true;
        }

        var match = HostPattern().Match(host);
        if (!match.Success)
        {
            return false;
        }

        registry = new EcrRegistry(EcrRegistryKind.Private, host, match.Groups[1].Value, match.Groups[3].Value, match.Groups[2].Success);
        return true;
    }

    /// <summary>
    /// Why a host that is not an ECR registry was refused, for a name that looks like ECR Public (another domain around
    /// it, a port, a near spelling): the helper answers only for the exact names, and docker matches
    /// <c>credHelpers</c> keys exactly, so such an entry would leave every pull anonymous. Null for other names.
    /// </summary>
    public static string? LookAlikeReason(string text)
    {
        var host = Normalise(text);
        var bare = host.Split(':', '/')[0].TrimEnd('.');
        if (bare is PublicHost or DualStackPublicHost)
        {
            return $"\"{host}\" is not a bare host name: write {bare} without a port, path or trailing dot (docker and the helper match the name exactly)";
        }

        return bare.Contains("ecr", StringComparison.Ordinal) && (bare.Contains("public", StringComparison.Ordinal) || bare.EndsWith(".aws", StringComparison.Ordinal))
            ? $"\"{host}\" looks like ECR Public but is not one of its names: ECR Public is exactly {PublicHost} (or the dual-stack {DualStackPublicHost}); the helper answers for no other name, so pulls from this one would go without credentials"
            : null;
    }

    private static string Normalise(string text)
    {
        var host = text.Trim(' ', '\t');
        if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            host = host[8..];
        }

        return host.TrimEnd('/').ToLowerInvariant();
    }

    public override string ToString() => Host;
}
