using System.Text.RegularExpressions;
using Build.Aws;
using Build.Docker;
using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

public enum CredentialsSource
{
    File,
    InstanceRole,
    Environment,
}

/// <summary>Where the helper's AWS credentials come from, the registries it authenticates to, and the preflight's STS call.</summary>
public sealed partial record AwsSettings
{
    private AwsSettings()
    {
    }

    public required CredentialsSource CredentialsSource { get; init; }

    /// <summary>RUNNER_CREDENTIALS_FILE: the shared-credentials file mounted into the runner (and, in helper mode, the jobs); null: the AWS default place.</summary>
    public required FilePath? CredentialsFile { get; init; }

    public required string Profile { get; init; }

    public required Secret? AccessKeyId { get; init; }

    public required Secret? SecretAccessKey { get; init; }

    public required Secret? SessionToken { get; init; }

    public required string? Region { get; init; }

    /// <summary>
    /// ECR_REGISTRIES plus the registries of PRIVATE_ECR_IMAGE, PUBLIC_ECR_IMAGE and the pull-through cache, without
    /// duplicates: private ones and ECR Public, each one credHelpers entry.
    /// </summary>
    public required IReadOnlyList<EcrRegistry> Registries { get; init; }

    /// <summary>The region of the first private registry (else ECR Public's), for calls that need one when AWS_REGION is unset.</summary>
    public string? RegistryRegion => Registries.OrderBy(r => r.IsPublic).FirstOrDefault()?.Region;

    /// <summary>PRIVATE_ECR_IMAGE: the private image SmokeTest pulls.</summary>
    public required ImageReference? PrivateImage { get; init; }

    /// <summary>PUBLIC_ECR_IMAGE: an ECR Public image SmokeTest pulls with the helper's token.</summary>
    public required ImageReference? PublicImage { get; init; }

    /// <summary>The pull-through cache rules, their registry and the probe image.</summary>
    public required PullThroughSettings PullThrough { get; init; }

    /// <summary>STS_ENDPOINT: where the preflight calls GetCallerIdentity; null: the regional endpoint.</summary>
    public required Uri? StsEndpoint { get; init; }

    /// <summary>AWS_CA_BUNDLE: a CA bundle trusted for AWS calls, mounted into the runner (and, in helper mode, the jobs).</summary>
    public required FilePath? CaBundle { get; init; }

    /// <summary>WRITE_CREDENTIALS_FROM_ENV: StageCredentials writes the AWS_* keys into the credentials file's profile.</summary>
    public required bool WriteCredentialsFromEnv { get; init; }

    /// <summary>FIX_CREDENTIALS_MODE: StageCredentials makes a credentials file others can read private instead of refusing it.</summary>
    public required bool FixCredentialsMode { get; init; }

    /// <summary>The keys that are set, with the setting each came from.</summary>
    public IEnumerable<(string Name, Secret Secret)> Secrets =>
        new (SettingDefinition Setting, Secret? Value)[] { (SettingCatalog.AwsAccessKeyId, AccessKeyId), (SettingCatalog.AwsSecretAccessKey, SecretAccessKey), (SettingCatalog.AwsSessionToken, SessionToken) }
            .Where(s => s.Value is not null)
            .Select(s => (s.Setting.Key, s.Value!));

    public static AwsSettings Read(SettingsLayers s)
    {
        var privateImage = s.Parse(SettingCatalog.PrivateImage, SettingParsers.Image);
        var publicImage = s.Parse(SettingCatalog.PublicImage, SettingParsers.Image);
        var pullThrough = PullThroughSettings.Read(s, privateImage);
        return new AwsSettings
        {
            CredentialsSource = s.Defaulted(SettingCatalog.CredentialsSource, ParseCredentialsSource),
            CredentialsFile = s.File(SettingCatalog.CredentialsFile),
            Profile = s.Defaulted(SettingCatalog.AwsProfile, SettingParsers.Matching(ProfilePattern())),
            AccessKeyId = s.SecretOf(SettingCatalog.AwsAccessKeyId),
            SecretAccessKey = s.SecretOf(SettingCatalog.AwsSecretAccessKey),
            SessionToken = s.SecretOf(SettingCatalog.AwsSessionToken),
            Region = s.Parse(SettingCatalog.AwsRegion, text => AwsKey.IsRegionShaped(text) ? text : null),
            Registries = RegistryList(s, privateImage, publicImage, pullThrough),
            PrivateImage = privateImage,
            PublicImage = publicImage,
            PullThrough = pullThrough,
            StsEndpoint = s.Parse(SettingCatalog.StsEndpoint, text => Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == "https" && uri.UserInfo.Length == 0 ? uri : null),
            CaBundle = s.File(SettingCatalog.CaBundle),
            WriteCredentialsFromEnv = s.Flag(SettingCatalog.WriteCredentialsFromEnv),
            FixCredentialsMode = s.Flag(SettingCatalog.FixCredentialsMode),
        };
    }

    public override string ToString() =>
        $"AwsSettings {{ CredentialsSource = {CredentialsSource}, Profile = {Profile}, Region = {Region}, Registries = [{string.Join(", ", Registries)}], Keys = {string.Join(", ", Secrets.Select(k => k.Name))} }}";

    private static List<EcrRegistry> RegistryList(SettingsLayers s, ImageReference? privateImage, ImageReference? publicImage, PullThroughSettings pullThrough)
    {
        var registries = new List<EcrRegistry>();
        foreach (var host in s.List(SettingCatalog.Registries))
        {
            if (EcrRegistry.TryParse(host, out var registry))
            {
                registries.Add(registry!);
            }
            else
            {
                s.Fail(SettingCatalog.Registries, EcrRegistry.LookAlikeReason(host) ?? $"\"{Echo.Visible(host)}\" is not an ECR registry host");
            }
        }

        if (privateImage is not null)
        {
            if (RegistryOf(privateImage) is { IsPublic: false } registry)
            {
                registries.Add(registry);
            }
            else
            {
                s.Fail(SettingCatalog.PrivateImage, RegistryOf(privateImage) is null
                    ? EcrRegistry.LookAlikeReason(privateImage.Registry ?? string.Empty) ?? "its registry is not an ECR host"
                    : $"its registry is ECR Public: set it as {SettingCatalog.PublicImage.Key}, and {SettingCatalog.PrivateImage.Key} to an image in your private registry");
            }
        }

        if (publicImage is not null)
        {
            if (RegistryOf(publicImage) is { IsPublic: true } registry)
            {
                registries.Add(registry);
            }
            else
            {
                s.Fail(SettingCatalog.PublicImage, EcrRegistry.LookAlikeReason(publicImage.Registry ?? string.Empty) ?? $"its registry is not ECR Public ({EcrRegistry.PublicHost}/…, or {EcrRegistry.DualStackPublicHost}/…)");
            }
        }

        if (pullThrough.Registry is { } cache)
        {
            registries.Add(cache);
        }

        return registries.DistinctBy(r => r.Host).ToList();
    }

    private static EcrRegistry? RegistryOf(ImageReference image) =>
        image.Registry is not null && EcrRegistry.TryParse(image.Registry, out var registry) ? registry : null;

    private static CredentialsSource? ParseCredentialsSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "file" => CredentialsSource.File,
        "instance-role" or "instance" or "imds" => CredentialsSource.InstanceRole,
        "environment" or "env" => CredentialsSource.Environment,
        _ => null,
    };

    [GeneratedRegex(@"\A[A-Za-z0-9_.+-]+\z")]
    private static partial Regex ProfilePattern();
}
