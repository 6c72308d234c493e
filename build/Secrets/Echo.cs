using System.Text.RegularExpressions;

namespace Build.Secrets;

/// <summary>How an error shows a word the user typed, which may be a token pasted in the wrong place.</summary>
public static partial class Echo
{
    /// <summary>A plain word (letters and dashes) quoted as is; anything else by its length only.</summary>
    public static string Word(string word) =>
        PlainWord().IsMatch(word) ? $"\"{word}\"" : $"of {word.Length} characters (not shown: it may be a secret)";

    /// <summary>A URL with its user info (<c>name:token@</c>) replaced by the mask.</summary>
    public static string Url(string text) => UserInfo().Replace(text, "${scheme}" + Secret.Mask + "@");

    /// <summary>The text with line breaks, tabs and other invisible characters written as escapes (<c>\n</c>, <c>\u202E</c>), so a message shows what was typed.</summary>
    public static string Visible(string text)
    {
        if (!text.Any(Invisible))
        {
            return text;
        }

        var shown = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            shown.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when Invisible(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return shown.ToString();
    }

    private static bool Invisible(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    [GeneratedRegex(@"\A-{0,2}[A-Za-z][A-Za-z-]{0,23}\z")]
    private static partial Regex PlainWord();

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")]
    private static partial Regex UserInfo();
}
