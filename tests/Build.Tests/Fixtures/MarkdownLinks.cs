using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Build.Tests.Fixtures;

/// <summary>
/// The relative links of a Markdown file and the anchors its headings make, as GitHub renders them: text in code
/// (fenced blocks, code spans) is not a link, and a heading's anchor is its text in lower case, without punctuation,
/// spaces turned to '-', with -1, -2 … for a repeated one.
/// </summary>
public static partial class MarkdownLinks
{
    public sealed record Link(int Line, string Target);

    public static IReadOnlyList<Link> RelativeLinks(string markdown)
    {
        var links = new List<Link>();
        foreach (var (number, line) in ProseLines(markdown))
        {
            foreach (Match match in InlineLink().Matches(CodeSpan().Replace(line, string.Empty)))
            {
                var target = match.Groups["target"].Value;
                if (!UriScheme().IsMatch(target))
                {
                    links.Add(new Link(number, target));
                }
            }
        }

        return links;
    }

    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, line) in ProseLines(markdown))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return anchors;
    }

    public static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading, m => m.Groups["text"].Value).Trim().ToLowerInvariant();
        var slug = new StringBuilder();
        foreach (var c in text)
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsLetterOrDigit(c) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation || c == '-')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>The lines outside fenced code blocks, numbered from 1.</summary>
    private static IEnumerable<(int Number, string Text)> ProseLines(string markdown)
    {
        string? fence = null;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (fence is null && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
            {
                fence = trimmed[..3];
                continue;
            }

            if (fence is not null)
            {
                if (trimmed.StartsWith(fence, StringComparison.Ordinal))
                {
                    fence = null;
                }

                continue;
            }

            yield return (i + 1, lines[i]);
        }
    }

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
