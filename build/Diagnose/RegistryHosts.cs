using Build.Aws;

namespace Build.Diagnose;

/// <summary>What a registry key of a docker configuration is to the ECR helper: an ECR host it serves, a near miss it refuses, or another registry.</summary>
public static class RegistryHosts
{
    /// <summary>Host names the helper accepts only from a release on (older ones answer "credentials not found").</summary>
    private static readonly (Func<string, bool> Applies, string Since, string What)[] Newer =
    [
        (h => h.Contains(".dkr-ecr.", StringComparison.Ordinal) || h.EndsWith(".on.aws", StringComparison.Ordinal) || h.EndsWith(".on.amazonwebservices.com.cn", StringComparison.Ordinal), "0.10.0", "a dual-stack host"),
        (h => h.EndsWith(".amazonaws.eu", StringComparison.Ordinal), "0.11.0", "an amazonaws.eu host"),
        (h => h == EcrRegistry.DualStackPublicHost, EcrRegistry.DualStackPublicSince, "ECR Public's dual-stack name"),
        (h => h.EndsWith(".cloud.adc-e.uk", StringComparison.Ordinal) || h.EndsWith(".csp.hci.ic.gov", StringComparison.Ordinal), "0.9.0", "an ADC host"),
    ];

    /// <summary>The host of a key as docker compares it: no scheme, no path, lower case.</summary>
    public static string Normalise(string key)
    {
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        host = scheme >= 0 ? host[(scheme + 3)..] : host;
        var slash = host.IndexOf('/');
        return (slash >= 0 ? host[..slash] : host).ToLowerInvariant();
    }

    /// <summary>True when the helper serves <paramref name="key"/> (a private ECR host or ECR Public).</summary>
    public static bool IsEcr(string key)
    {
        var host = Normalise(key);
        return EcrRegistry.TryParse(host, out _);
    }

    /// <summary>Why a key meant for the ECR helper is not one it serves (a wildcard, a near miss of the host pattern), or null.</summary>
    public static string? Problem(string key)
    {
        var host = Normalise(key);
        if (IsEcr(key))
        {
            return null;
        }

        if (host.Contains('*', StringComparison.Ordinal))
        {
            return $"\"{key}\" is a wildcard: credHelpers keys are exact host names, matched as they are (no wildcard, no pattern), so it matches no image";
        }

        if (host.Contains(':', StringComparison.Ordinal) && IsEcr(host.Split(':')[0]))
        {
            return $"\"{key}\" has a port: images on ECR name the host without one, so docker never looks this key up";
        }

        return host.Contains("ecr", StringComparison.Ordinal) && host.Contains("amazonaws", StringComparison.Ordinal)
            ? $"\"{key}\" looks like an ECR host but is not one the helper accepts (<12-digit account>.dkr.ecr.<region>.amazonaws.com): the helper answers \"credentials not found\" for it"
            : $"\"{key}\" is not an ECR registry, and the ECR helper serves only ECR (its get answers \"credentials not found\")";
    }

    /// <summary>The helper release a host needs, and what kind of host it is, when it needs a newer one than the oldest the pattern allows.</summary>
    public static (string Since, string What)? Needs(string host) =>
        Newer.FirstOrDefault(n => n.Applies(Normalise(host))) is { Applies: not null } found ? (found.Since, found.What) : null;
}
