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

    /// <summary>A whole number of seconds, or of minutes or hours with <c>s</c>, <c>m</c> or <c>h</c> after it (<c>90</c>, <c>90s</c>, <c>30m</c>, <c>1h</c>).</summary>
    public static TimeSpan? Duration(string text)
    {
        var trimmed = text.Trim(' ', '\t');
        var (digits, unit) = trimmed.Length > 0 && char.IsAsciiLetterLower(trimmed[^1]) ? (trimmed[..^1], trimmed[^1]) : (trimmed, 's');
        return WholeNumber(digits, 0, 1_000_000) is not { } n ? null : unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => null,
        };
    }

    public static ImageReference? Image(string text) => ImageReference.TryParse(text, out var image) ? image : null;

    public static Func<string, string?> Matching(Regex pattern) => text => pattern.IsMatch(text) ? text : null;

    public static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.UserInfo.Length == 0 ? uri : null;
}
