using Build.Settings;

namespace Build.Tests.Settings;

public sealed class DotEnvFileTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static Dictionary<string, string> Values(string text, Func<string, string?>? environment = null)
    {
        var result = DotEnvFile.Parse(text, environment ?? NoEnvironment);
        Assert.Empty(result.Errors);
        return result.Entries.ToDictionary(e => e.Key, e => e.Value);
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored_and_inline_comments_need_a_space_before_the_hash()
    {
        var values = Values("# a comment\n\n  # indented comment\nA=one # trailing\nB=two#not-a-comment\n");

        Assert.Equal("one", values["A"]);
        Assert.Equal("two#not-a-comment", values["B"]);
        Assert.Equal(2, values.Count);
    }

    [Fact]
    public void Double_quotes_keep_spaces_and_hashes_and_understand_escapes()
    {
        var values = Values("A=\"  spaced # not a comment \"\nB=\"line1\\nline2 \\\"q\\\"\" # comment\n");

        Assert.Equal("  spaced # not a comment ", values["A"]);
        Assert.Equal("line1\nline2 \"q\"", values["B"]);
    }

    [Fact]
    public void Single_quotes_are_literal()
    {
        var values = Values("A='$HOME \\n ${X}'", name => name is "HOME" or "X" ? "expanded" : null);

        Assert.Equal("$HOME \\n ${X}", values["A"]);
    }

    [Fact]
    public void A_dollar_is_literal_when_escaped_in_double_quotes_or_doubled_as_compose_reads_it()
    {
        var values = Values("A=\"\\$HOME \\\\ \\' \\d\"\nB=$$HOME\nC=\"$${X}\"\nD=\"\\\\$HOME\"", name => name is "HOME" or "X" ? "expanded" : null);

        Assert.Equal("$HOME \\ \\' \\d", values["A"]);
        Assert.Equal("$HOME", values["B"]);
        Assert.Equal("${X}", values["C"]);
        Assert.Equal("\\expanded", values["D"]);
    }

    [Fact]
    public void Double_quoted_values_may_span_lines()
    {
        var values = Values("A=\"first\nsecond\"\nB=after");

        Assert.Equal("first\nsecond", values["A"]);
        Assert.Equal("after", values["B"]);
    }

    [Fact]
    public void Export_prefix_is_accepted()
    {
        var values = Values("export A=1\nexport\tB=2");

        Assert.Equal("1", values["A"]);
        Assert.Equal("2", values["B"]);
    }

    [Fact]
    public void Crlf_line_endings_leave_no_carriage_return_in_values()
    {
        var values = Values("A=one\r\nB=\"two\"\r\n# c\r\nC=three # c\r\n");

        Assert.Equal(["one", "two", "three"], new[] { values["A"], values["B"], values["C"] });
    }

    [Fact]
    public void References_expand_from_earlier_lines_then_the_environment_with_defaults()
    {
        var values = Values("BASE=/srv\nA=${BASE}/x\nB=$HOME/y\nC=${MISSING:-fallback}\nD=\"${BASE}\"", name => name == "HOME" ? "/root" : null);

        Assert.Equal("/srv/x", values["A"]);
        Assert.Equal("/root/y", values["B"]);
        Assert.Equal("fallback", values["C"]);
        Assert.Equal("/srv", values["D"]);
    }

    [Fact]
    public void Empty_value_is_an_empty_string()
    {
        var values = Values("A=\nB=\"\"");

        Assert.Equal(string.Empty, values["A"]);
        Assert.Equal(string.Empty, values["B"]);
    }

    [Fact]
    public void Errors_name_the_line_and_never_echo_a_value()
    {
        var result = DotEnvFile.Parse("GOOD=1\nglrt-secretvalue123456\nA=\"unterminated\n", NoEnvironment);

        Assert.Equal("1", Assert.Single(result.Entries).Value);
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("line 2: expected KEY=VALUE", result.Errors[0]);
        Assert.StartsWith("line 3: the value opened with \" is never closed", result.Errors[1]);
        Assert.DoesNotContain(result.Errors, e => e.Contains("secretvalue"));
    }

    [Fact]
    public void Invalid_key_is_reported()
    {
        var result = DotEnvFile.Parse("1BAD=x\nBAD KEY=y", NoEnvironment);

        Assert.Empty(result.Entries);
        Assert.Contains("line 1: \"1BAD\" is not a valid name", result.Errors[0]);
        Assert.Contains("line 2: \"BAD KEY\" is not a valid name", result.Errors[1]);
    }
}
