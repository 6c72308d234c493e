using System.Net;
using System.Text;
using System.Text.Json;
using Build.Secrets;

namespace Build.Tests.Secrets;

public sealed class RedactorTests
{
    private const string Token = "glpat-Ab+c/d=e&f<g>h'0123456789";

    [Fact]
    public void Every_occurrence_of_every_secret_is_masked_longest_first()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret("abcdef123456"));
        redactor.Add(new Secret("abcdef123456-longer"));

        var text = redactor.Redact("a=abcdef123456 b=abcdef123456-longer c=abcdef123456");

        Assert.Equal("a=*** b=*** c=***", text);
    }

    [Fact]
    public void Very_short_values_are_not_treated_as_secrets()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret("ab"));

        Assert.Equal("about abc", redactor.Redact("about abc"));
    }

    [Fact]
    public void Json_escaped_forms_are_masked()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret(Token), "GITLAB_TOKEN");
        var json = JsonSerializer.Serialize(new { token = Token });
        Assert.Contains("\\u002B", json); // System.Text.Json escapes '+': the exact text is not in it

        Assert.Equal("{\"token\":\"***\"}", redactor.Redact(json));
        var relaxed = JsonSerializer.Serialize(new { token = Token }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Equal("{\"token\":\"***\"}", redactor.Redact(relaxed));
    }

    [Fact]
    public void Url_encoded_forms_are_masked()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret(Token), "GITLAB_TOKEN");

        Assert.Equal("https://gitlab.example/api?private_token=***", redactor.Redact("https://gitlab.example/api?private_token=" + Uri.EscapeDataString(Token)));
        Assert.Equal("form: t=***", redactor.Redact("form: t=" + WebUtility.UrlEncode(Token)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AWS:")]
    [InlineData("oauth2:")]
    public void Base64_forms_are_masked_whatever_comes_before_the_secret(string prefix)
    {
        var redactor = new Redactor();
        redactor.Add(new Secret(Token), "GITLAB_TOKEN");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + Token));

        var redacted = redactor.Redact("{\"auth\":\"" + encoded + "\"}");

        Assert.Contains("***", redacted);
        Assert.DoesNotContain(encoded, redacted);
        // What is left around the mask is the prefix's own base64 and at most the two groups the secret
        // shares with its neighbours.
        var left = redacted.Length - "{\"auth\":\"***\"}".Length;
        Assert.True(left <= Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix)).Length + 8, redacted);
    }

    [Fact]
    public void The_name_of_the_secret_a_text_holds_is_found_in_any_form()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret(Token), "GITLAB_TOKEN");
        redactor.Add(new Secret("aws-secret-0123456789"), "AWS_SECRET_ACCESS_KEY");

        Assert.Equal("GITLAB_TOKEN", redactor.NameOfSecretIn("--token " + Token));
        Assert.Equal("GITLAB_TOKEN", redactor.NameOfSecretIn(Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + Token))));
        Assert.Equal("AWS_SECRET_ACCESS_KEY", redactor.NameOfSecretIn("x=aws-secret-0123456789"));
        Assert.Null(redactor.NameOfSecretIn("nothing secret here"));
    }

    [Fact]
    public void Secret_compares_by_value_but_never_prints_it()
    {
        var one = new Secret("glrt-abcdefghijklmnop");
        var two = new Secret("glrt-abcdefghijklmnop");

        Assert.Equal(one, two);
        Assert.Equal("***", one.ToString());
        Assert.Equal("glrt-abcdefghijklmnop", one.Reveal());
    }

    [Theory]
    [InlineData("https://oauth2:glpat-abcdef@gitlab.example/x", "https://***@gitlab.example/x")]
    [InlineData("https://gitlab.example", "https://gitlab.example")]
    public void Echo_hides_user_info_in_urls(string url, string shown) => Assert.Equal(shown, Echo.Url(url));

    [Theory]
    [InlineData("Register", "\"Register\"")]
    [InlineData("glpat-AbCdEf0123456789xyz", "of 25 characters (not shown: it may be a secret)")]
    public void Echo_shows_plain_words_and_hides_anything_else(string word, string shown) => Assert.Equal(shown, Echo.Word(word));
}
