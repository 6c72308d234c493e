using Build.RunnerConfig;
using Build.Secrets;

namespace Build.Tests.Secrets;

/// <summary>A parse error about a file that holds a token never shows the token, known to the run or not.</summary>
public sealed class ParseErrorTests
{
    private const string Token = "glrt-t1_SECRETVALUE123abc";

    [Theory]
    [InlineData("[[runners]]\n  name = \"r\"\n  token = " + Token + "\n")]
    [InlineData("[[runners]]\n  name = \"r\"\n  token = \"" + Token + "\n")]
    [InlineData("[[runners]]\n  name = \"r\"\n  token = \"" + Token + "\" x\n")]
    [InlineData("[[runners]]\n  name = \"r\"\n  " + Token + "\n")]
    [InlineData("[[runners]]\n  name = \"r\"\n  token = \"" + Token + "\"\n  token = \"x\"\n")]
    public void A_broken_config_toml_is_reported_with_its_line_and_without_the_token(string text)
    {
        // When config.toml with a broken token line is read
        var error = Assert.Throws<ConfigTomlException>(() => ConfigToml.TokenOf(text, "r"));

        // Then the message names the place and holds no piece of the token
        Assert.Contains("is not valid TOML: line ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETVALUE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("t1_", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unexpected token found `-SECRETVALUE` while expecting token `newline`", "Unexpected token found `***` while expecting token `newline`")]
    [InlineData("key already defined with `token = \"x\"` and cannot be redefined", "key already defined with `***` and cannot be redefined")]
    [InlineData("Unexpected token found `=` while expecting token `newline`", "Unexpected token found `=` while expecting token `newline`")]
    [InlineData("line 3: glpat-AbCdEf0123456789 is odd, so is AKIAABCDEFGHIJKLMNOP", "line 3: *** is odd, so is ***")]
    public void Quoted_fragments_and_token_shaped_text_are_masked(string message, string expected) =>
        Assert.Equal(expected, ParseErrors.Mask(message));
}
