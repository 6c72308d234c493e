namespace Build.Tests.Docs;

public sealed class DocumentationLinkTests
{
    private static readonly string Root = TestRepository.Root();

    /// <summary>README.md, ARCHITECTURE.md, every Markdown file under docs/ and the lab's README.</summary>
    private static IEnumerable<string> Documents() =>
        new[] { "README.md", "ARCHITECTURE.md", Path.Combine("tests", "lab", "README.md") }
            .Select(name => Path.Combine(Root, name))
            .Concat(Directory.Exists(Path.Combine(Root, "docs")) ? Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories) : [])
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    [Fact]
    public void The_documentation_files_exist()
    {
        var names = Documents().Select(path => Path.GetRelativePath(Root, path)).ToList();

        Assert.Contains("README.md", names);
        Assert.Contains("ARCHITECTURE.md", names);
        Assert.Contains(Path.Combine("docs", "settings.md"), names);
    }

    [Fact]
    public void Every_relative_link_points_to_a_file_of_the_repository_and_an_anchor_it_has()
    {
        var broken = Documents().SelectMany(Broken).ToList();

        Assert.True(broken.Count == 0, "broken links (file:line: target: why):\n" + string.Join('\n', broken));
    }

    [Fact]
    public void The_documentation_cites_no_notes_outside_the_repository()
    {
        // Built from parts, so that this file does not hold the names it looks for.
        string[] outside = ["DESIGN" + ".md", "REFERENCE" + ".md", "lab" + "-notes", "../" + "shared", "DESIGN" + " D"];

        var citations = Documents()
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => outside.Any(o => x.line.Contains(o, StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(Root, x.path)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(citations.Count == 0, "the repository must stand alone; these lines cite notes outside it:\n" + string.Join('\n', citations));
    }

    [Fact]
    public void No_source_file_cites_notes_outside_the_repository()
    {
        string[] outside = ["DESIGN" + ".md", "DESIGN" + " D", "REFERENCE" + ".md", "REFERENCE" + " §", "lab" + "-notes"];
        string[] skipped = ["bin", "obj", "artifacts", ".git", ".state", ".out"];
        string[] kinds = [".cs", ".sh", ".ps1", ".props", ".csproj", ".slnx", ".yml", ".yaml", ".toml", ".md", ".cake", ".json", ".gitignore", ".env"];

        var files = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(Root, path).Split(Path.DirectorySeparatorChar).Any(part => skipped.Contains(part)))
            .Where(path => kinds.Contains(Path.GetExtension(path)) || kinds.Contains(Path.GetFileName(path)) || Path.GetFileName(path) == "run");
        var citations = files
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => outside.Any(o => x.line.Contains(o, StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(Root, x.path)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(citations.Count == 0, "code and docs cite notes that are not in the repository:\n" + string.Join('\n', citations));
    }

    [Fact]
    public void The_link_check_finds_a_missing_file_a_missing_anchor_and_ignores_code_and_web_addresses()
    {
        var folder = Directory.CreateTempSubdirectory("doc-links-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "other.md"), "# Other page\n\n## A `code` heading: yes\n\n## Other page\n");
            var page = Path.Combine(folder.FullName, "page.md");
            File.WriteAllText(page, string.Join('\n',
                "# Page",
                "[ok](other.md) [ok](other.md#a-code-heading-yes) [ok](other.md#other-page-1) [ok](#page) [web](https://example.com/x)",
                "[gone](missing.md) [no anchor](other.md#nowhere) [here](#nothing)",
                "`[in code](missing-too.md)`",
                "```",
                "[in a fence](missing-three.md)",
                "```"));

            var broken = Broken(page, folder.FullName).ToList();

            Assert.Equal(3, broken.Count);
            Assert.Contains(broken, b => b.Contains("missing.md") && b.Contains(":3:"));
            Assert.Contains(broken, b => b.Contains("other.md#nowhere"));
            Assert.Contains(broken, b => b.Contains("#nothing"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> Broken(string path) => Broken(path, Root);

    private static IEnumerable<string> Broken(string path, string root)
    {
        var name = Path.GetRelativePath(root, path);
        foreach (var link in MarkdownLinks.RelativeLinks(File.ReadAllText(path)))
        {
            var hash = link.Target.IndexOf('#');
            var file = hash < 0 ? link.Target : link.Target[..hash];
            var anchor = hash < 0 ? null : Uri.UnescapeDataString(link.Target[(hash + 1)..]);
            var target = file.Length == 0 ? path : Path.GetFullPath(Uri.UnescapeDataString(file), Path.GetDirectoryName(path)!);
            var where = $"{name}:{link.Line}: {link.Target}";
            if (Path.GetRelativePath(root, target).StartsWith("..", StringComparison.Ordinal))
            {
                yield return $"{where}: outside the repository";
            }
            else if (!File.Exists(target) && !Directory.Exists(target))
            {
                yield return $"{where}: no such file";
            }
            else if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal) && !MarkdownLinks.Anchors(File.ReadAllText(target)).Contains(anchor))
            {
                yield return $"{where}: {Path.GetRelativePath(root, target)} has no heading with that anchor";
            }
        }
    }
}
