using System.Text.RegularExpressions;

namespace Build.Aws;

/// <summary>A private ECR registry host; account and region come from the name, as the credential helper reads them.</summary>
public sealed partial record EcrRegistry(string Host, string AccountId, string Region, bool Fips)
{
    // amazon-ecr-credential-helper 0.12.0's pattern for private registries.
    [GeneratedRegex(@"\A([0-9]{12})\.dkr[\.\-]ecr(\-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)\z")]
    private static partial Regex HostPattern();

    public static bool TryParse(string text, out EcrRegistry? registry)
    {
        registry = null;
        var host = text.Trim(' ', '\t');
        if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            host = host[8..];
        }

        host = host.TrimEnd('/').ToLowerInvariant();
        var match = HostPattern().Match(host);
        if (!match.Success)
        {
            return false;
        }

        registry = new EcrRegistry(host, match.Groups[1].Value, match.Groups[3].Value, match.Groups[2].Success);
        return true;
    }

    public override string ToString() => Host;
}
