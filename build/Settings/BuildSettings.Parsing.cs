using System.Globalization;
using System.Text.RegularExpressions;
using Build.Secrets;

namespace Build.Settings;

/// <summary>The patterns and parsers <see cref="BuildSettings.Load"/> checks each setting's text with.</summary>
public sealed partial class BuildSettings
{
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]*\z")]
    private static partial Regex ComposeName();

    [GeneratedRegex(@"\A[A-Za-z0-9_.+-]+\z")]
    private static partial Regex ProfilePattern();

    private static CredentialsSource? ParseCredentialsSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "file" => CredentialsSource.File,
        "instance-role" or "instance" or "imds" => CredentialsSource.InstanceRole,
        "environment" or "env" => CredentialsSource.Environment,
        _ => null,
    };
}
