using Build.Settings;

namespace Build.Tests.Docs;

public sealed class SettingsReferenceTests
{
    private static string File => Path.Combine(TestRepository.Root(), SettingsReference.RelativePath);

    [Fact]
    public void Docs_settings_md_is_what_the_setting_catalog_renders()
    {
        // Given the catalog's rendering
        var rendered = SettingsReference.Render(SettingCatalog.All);
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            System.IO.File.WriteAllText(File, rendered);
        }

        // When the committed file is read
        var committed = System.IO.File.Exists(File) ? System.IO.File.ReadAllText(File) : string.Empty;

        // Then it is the same text, or the message says where it differs and how to regenerate it
        Assert.True(committed == rendered, $"{SettingsReference.RelativePath} is not what SettingCatalog renders ({FirstDifference(committed, rendered)}). It is generated: change build/Settings/SettingCatalog.cs (or the grouping in tests/Build.Tests/Docs/SettingsReference.cs), then run: {SettingsReference.Regenerate}");
    }

    [Fact]
    public void Every_setting_of_the_catalog_has_one_row_and_secrets_say_so()
    {
        var rendered = SettingsReference.Render(SettingCatalog.All);

        Assert.All(SettingCatalog.All, setting =>
        {
            var rows = rendered.Split('\n').Where(line => line.StartsWith($"| `{setting.Key}` |", StringComparison.Ordinal)).ToList();
            var row = Assert.Single(rows);
            Assert.Equal(setting.IsSecret, row.Contains("**Secret.**", StringComparison.Ordinal));
            Assert.Equal(setting.IsSecret, row.Contains("(environment or `.env.local` only)", StringComparison.Ordinal));
            Assert.Contains(setting.Default is null ? "| (none) |" : $"| `{setting.Default}` |", row);
        });
    }

    [Theory]
    [InlineData("STATE_DIR", "Project, images and state")]
    [InlineData("GITLAB_RUNNER_IMAGE", "Project, images and state")]
    [InlineData("AWS_CA_BUNDLE", "AWS credentials and registries")]
    [InlineData("HELPER_GOPROXY", "The credential helper (BuildHelper)")]
    [InlineData("GITLAB_URL", "GitLab and registration (Register)")]
    [InlineData("GITLAB_SERVER_WEB_PORT", "Local GitLab (server mode)")]
    [InlineData("SERVER", "Local GitLab (server mode)")]
    [InlineData("PIPELINE_SOMETHING_NEW", "SmokeTest")]
    [InlineData("CLEAN_EVERYTHING", "Clean")]
    [InlineData("A_SETTING_NO_RULE_KNOWS", SettingsReference.OtherGroup)]
    public void A_key_goes_to_its_exact_group_else_its_longest_prefix_else_other_settings(string key, string group) =>
        Assert.Equal(group, SettingsReference.GroupOf(key));

    [Fact]
    public void A_setting_no_group_knows_is_still_listed_under_other_settings()
    {
        SettingDefinition[] settings = [SettingCatalog.StateDir, new("BRAND_NEW", null, "anything", "Not grouped yet.")];

        var rendered = SettingsReference.Render(settings);

        Assert.Contains($"## {SettingsReference.OtherGroup}", rendered);
        Assert.Contains("| `BRAND_NEW` | `--brand-new` | (none) | anything | Not grouped yet. |", rendered);
        Assert.True(rendered.IndexOf("`STATE_DIR`", StringComparison.Ordinal) < rendered.IndexOf("`BRAND_NEW`", StringComparison.Ordinal));
    }

    [Fact]
    public void Catalog_text_cannot_break_a_table_row_or_turn_into_markup()
    {
        var escaped = SettingsReference.Escape("a | b, <host>:<ip>, AWS_* and '_' and `x`, STATE_DIR");

        Assert.Equal(@"a \| b, &lt;host&gt;:&lt;ip&gt;, AWS\_\* and '\_' and \`x\`, STATE_DIR", escaped);
    }

    private static string FirstDifference(string committed, string rendered)
    {
        if (committed.Length == 0)
        {
            return "the file is missing or empty";
        }

        var a = committed.Split('\n');
        var b = rendered.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end of file)";
            var right = i < b.Length ? b[i] : "(end of file)";
            if (left != right)
            {
                return $"first difference at line {i + 1}: the file has \"{left}\", the catalog gives \"{right}\"";
            }
        }

        return "they differ";
    }
}
