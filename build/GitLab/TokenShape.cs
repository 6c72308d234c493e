using System.Text.RegularExpressions;
using Build.Secrets;
using Build.Settings;

namespace Build.GitLab;

/// <summary>Shape checks of the three GitLab tokens, so a token pasted into the wrong setting is refused before any call; messages never show the value.</summary>
public static partial class TokenShape
{
    /// <summary>Null when <paramref name="token"/> looks like what <paramref name="setting"/> takes; otherwise why not.</summary>
    public static string? Problem(SettingDefinition setting, Secret token)
    {
        var text = token.Reveal();
        if (!Characters(text))
        {
            return "it holds spaces, quotes or other characters no GitLab token has (copied with extra text?)";
        }

        var kind = Kind(text);
        return setting.Key switch
        {
            "GITLAB_RUNNER_TOKEN" when kind is "runner" => null,
            "GITLAB_RUNNER_TOKEN" => $"it is not a runner authentication token (glrt-…){Named(kind)}",
            "GITLAB_TOKEN" when kind is "personal" or "other" && text.Length >= 20 => null,
            "GITLAB_TOKEN" => $"it is not a personal access token (glpat-…){Named(kind)}",
            "GITLAB_REGISTRATION_TOKEN" when kind is "registration" or "other" && text.Length >= 20 => null,
            "GITLAB_REGISTRATION_TOKEN" => $"it is not a registration token{Named(kind)}",
            _ => null,
        };
    }

    private static string Named(string kind) => kind switch
    {
        "runner" => "; it looks like a runner authentication token: set it as GITLAB_RUNNER_TOKEN",
        "personal" => "; it looks like a personal access token: set it as GITLAB_TOKEN",
        "registration" => "; it looks like a legacy registration token: set it as GITLAB_REGISTRATION_TOKEN",
        _ => " (too short or without a known prefix)",
    };

    private static string Kind(string text) =>
        RunnerToken().IsMatch(text) ? "runner"
        : text.StartsWith("glpat-", StringComparison.Ordinal) ? "personal"
        : text.StartsWith("GR1348941", StringComparison.Ordinal) ? "registration"
        : text.StartsWith("gl", StringComparison.Ordinal) && text.Contains('-') ? "gitlab-other"
        : "other";

    // Quotes, spaces and non-ASCII are never part of a token (copied with extra text); other punctuation is left to GitLab.
    [GeneratedRegex(@"\A[\x21-\x7E]+\z")]
    private static partial Regex Printable();

    private static bool Characters(string text) => Printable().IsMatch(text) && text.IndexOfAny(['"', '\'', '`']) < 0;

    [GeneratedRegex(@"\Aglrtr?-[A-Za-z0-9_.\-]{15,}\z")]
    private static partial Regex RunnerToken();
}
