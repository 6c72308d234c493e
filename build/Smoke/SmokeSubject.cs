using Build.Aws;
using Build.Settings;

namespace Build.Smoke;

/// <summary>
/// One image SmokeTest pulls at both levels, and its rows' names: the private image (the rows without a suffix), the
/// ECR Public image (PUBLIC_ECR_IMAGE) and the pull-through image (PULL_THROUGH_PROBE_IMAGE through its rule).
/// </summary>
public sealed record SmokeSubject(string Suffix, string Image, EcrRegistry Registry, PullThroughTranslation? Via = null)
{
    public const string PublicSuffix = ", ECR Public";

    public const string PullThroughSuffix = ", pull-through";

    public string ExecutorLevel => ExecutorProbe.Level + Suffix;

    public string DindLevel => DindProbe.Level + Suffix;

    /// <summary>The subjects the settings configure, the private image first; the settings have checked every registry.</summary>
    public static IReadOnlyList<SmokeSubject> From(BuildSettings settings)
    {
        var subjects = new List<SmokeSubject>();
        if (settings.Aws.PrivateImage is { } image)
        {
            subjects.Add(new(string.Empty, image.ToString(), RegistryOf(settings, image.Registry)));
        }

        if (settings.Aws.PublicImage is { } publicImage)
        {
            subjects.Add(new(PublicSuffix, publicImage.ToString(), RegistryOf(settings, publicImage.Registry)));
        }

        if (settings.Aws.PullThrough is { Probe: { Reference: { } reference } via, Registry: { } cache })
        {
            subjects.Add(new(PullThroughSuffix, reference, cache, via));
        }

        return subjects;
    }

    private static EcrRegistry RegistryOf(BuildSettings settings, string? host) => settings.Aws.Registries.First(r => r.Host == host);
}
