using System.Text.RegularExpressions;

namespace Build.Secrets;

/// <summary>
/// A parser's message about a file that holds secrets (config.toml, a credentials file) made safe to show: the
/// fragments it quotes from the file (TOML parsers quote them in backticks) and anything shaped like a GitLab token
/// or an AWS key id are masked, whether or not the run knows that secret yet.
/// </summary>
public static partial class ParseErrors
{
    public static string Mask(string message, Redactor? redactor = null)
    {
        var masked = Quoted().Replace(message, m => Harmless(m.Groups["text"].Value) ? m.Value : "`" + Secret.Mask + "`");
        masked = TokenShaped().Replace(masked, Secret.Mask);
        return redactor?.Redact(masked) ?? masked;
    }

    /// <summary>Punctuation and the parser's own words may stay; any other quoted text may be a secret's piece.</summary>
    private static bool Harmless(string text) =>
        text.Length <= 1 || text is "newline" or "␤" or "EndOfFile" or "==" or "[[" or "]]";

    [GeneratedRegex(@"`(?<text>[^`]*)`")]
    private static partial Regex Quoted();

    // GitLab token prefixes (runner, personal, deploy, pipeline trigger, CI job, feed, OAuth, ...), the legacy
    // registration token prefix, and AWS access key ids.
    [GeneratedRegex(@"\b(gl[a-z]{2,8}-[A-Za-z0-9_.\-]{6,}|GR1348941[A-Za-z0-9_\-]{6,}|(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,})")]
    private static partial Regex TokenShaped();
}
