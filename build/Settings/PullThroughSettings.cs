using System.Text.RegularExpressions;
using Build.Aws;
using Build.Docker;

namespace Build.Settings;

/// <summary>
/// The pull-through cache of a private registry: its rules (PULL_THROUGH_CACHE), the registry that holds them, the
/// small image Preflight and SmokeTest ask for through it, and the images Mirror translates.
/// </summary>
public sealed partial record PullThroughSettings
{
    private PullThroughSettings()
    {
    }

    /// <summary>PULL_THROUGH_CACHE: the rules, in the order given; empty when unset.</summary>
    public required IReadOnlyList<PullThroughRule> Rules { get; init; }

    /// <summary>PULL_THROUGH_REGISTRY, else (with rules) the registry of PRIVATE_ECR_IMAGE; null when neither names one.</summary>
    public required EcrRegistry? Registry { get; init; }

    /// <summary>PULL_THROUGH_PROBE_IMAGE, as docker reads it (Docker Hub and library/ made explicit).</summary>
    public required ImageReference? ProbeImage { get; init; }

    /// <summary>MIRROR_IMAGE: the images Mirror translates.</summary>
    public required IReadOnlyList<ImageReference> MirrorImages { get; init; }

    public bool Enabled => Rules.Count > 0;

    /// <summary>The probe image's pull-through form through the first rule that serves it; null without one.</summary>
    public PullThroughTranslation? Probe =>
        ProbeImage is null || Registry is null ? null : Rules.Select(r => r.Translate(ProbeImage, Registry)).FirstOrDefault(t => t.Reference is not null);

    public static PullThroughSettings Read(SettingsLayers s, ImageReference? privateImage)
    {
        var rules = RuleList(s);
        var registry = s.Parse(SettingCatalog.PullThroughRegistry, text => EcrRegistry.TryParse(text, out var r) && !r!.IsPublic ? r : null, "it is not a private ECR registry host (a pull-through cache lives in a private registry)");
        if (registry is null && rules.Count > 0 && s.Get(SettingCatalog.PullThroughRegistry) is null && privateImage?.Registry is { } host && EcrRegistry.TryParse(host, out var fromImage) && !fromImage!.IsPublic)
        {
            registry = fromImage;
        }

        var probe = s.Parse(SettingCatalog.PullThroughProbeImage, SettingParsers.Image) is { } image ? PullThroughRule.Canonical(image) : null;
        var settings = new PullThroughSettings
        {
            Rules = rules,
            Registry = registry,
            ProbeImage = probe,
            MirrorImages = s.List(SettingCatalog.MirrorImage).Select(text => ImageReference.TryParse(text, out var i) ? i! : Refused(s, text)).OfType<ImageReference>().ToList(),
        };

        // The rules' registry and a probe without rules are requirements of the tasks that use them (Needs); a probe no rule serves is an error here.
        if (probe is not null && rules.Count > 0 && !rules.Any(r => r.Translate(probe, registry ?? Placeholder).Reference is not null))
        {
            s.Fail(SettingCatalog.PullThroughProbeImage, $"no rule of {SettingCatalog.PullThroughCache.Key} serves it ({probe.Registry}): name an image of one of the upstreams {string.Join(", ", rules.Select(r => r.Upstream.Host).Distinct())}");
        }

        return settings;
    }

    /// <summary>A registry to test translations against while the real one is still unknown (its name does not matter there).</summary>
    private static readonly EcrRegistry Placeholder = new(EcrRegistryKind.Private, "000000000000.dkr.ecr.us-east-1.amazonaws.com", "000000000000", "us-east-1", Fips: false);

    private static ImageReference? Refused(SettingsLayers s, string text)
    {
        s.Fail(SettingCatalog.MirrorImage, $"\"{Secrets.Echo.Visible(text)}\" is not an image reference");
        return null;
    }

    private static List<PullThroughRule> RuleList(SettingsLayers s)
    {
        var rules = new List<PullThroughRule>();
        foreach (var pair in s.List(SettingCatalog.PullThroughCache))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            var upstream = parts.Length == 2 ? Upstream(parts[1]) : null;
            if (parts.Length != 2 || !PrefixPattern().IsMatch(parts[0]) || upstream is null)
            {
                s.Fail(SettingCatalog.PullThroughCache, $"\"{Secrets.Echo.Visible(pair)}\" is not prefix=upstream (a prefix is 2-30 lower-case letters, digits, '.', '_', '-' and '/'; the upstream a registry host such as registry-1.docker.io)");
            }
            else if (rules.Any(r => r.Prefix == parts[0]))
            {
                s.Fail(SettingCatalog.PullThroughCache, $"the prefix {parts[0]} is given twice");
            }
            else
            {
                rules.Add(new PullThroughRule(parts[0], PullThroughUpstream.Of(upstream)));
            }
        }

        return rules;
    }

    /// <summary>A registry host, as a rule's upstream URL (an https:// in front is dropped; no path, port or user info).</summary>
    private static string? Upstream(string text)
    {
        var host = text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? text[8..].TrimEnd('/') : text;
        return HostPattern().IsMatch(host) ? host.ToLowerInvariant() : null;
    }

    // ECR's repository prefix: 2-30 characters of its repository-name alphabet.
    [GeneratedRegex(@"\A(?=.{2,30}\z)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\z")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex(@"\A(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\z")]
    private static partial Regex HostPattern();
}
