using System.Globalization;
using System.Text.RegularExpressions;
using Build.Docker;

namespace Build.Settings;

/// <summary>Parsers several settings records share: each returns null for a text it refuses.</summary>
public static class SettingParsers
{
    public static bool? Bool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };

    /// <summary>ASCII digits only: no sign, no spaces inside, no separators, no other script's digits; spaces and tabs around are dropped, a line break is not.</summary>
    public static int? WholeNumber(string text, int minimum, int maximum) =>
        int.TryParse(text.Trim(' ', '\t'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= maximum ? n : null;

    public static int? Port(string text) => WholeNumber(text, 1, 65535);

    public static TimeSpan? WholeSeconds(string text, int minimum, int maximum) =>
        WholeNumber(text, minimum, maximum) is { } n ? TimeSpan.FromSeconds(n) : null;

    public static ImageReference? Image(string text) => ImageReference.TryParse(text, out var image) ? image : null;

    public static Func<string, string?> Matching(Regex pattern) => text => pattern.IsMatch(text) ? text : null;

    public static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.UserInfo.Length == 0 ? uri : null;
}
