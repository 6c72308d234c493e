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

    [GeneratedRegex(@"\A-{0,2}[A-Za-z][A-Za-z-]{0,23}\z")]
    private static partial Regex PlainWord();

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")]
    private static partial Regex UserInfo();
}
