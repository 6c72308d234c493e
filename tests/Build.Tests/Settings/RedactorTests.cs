using Build.Host;
using Build.Settings;

namespace Build.Tests.Settings;

public sealed class RedactorTests
{
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
    public void Secret_compares_by_value_but_never_prints_it()
    {
        var one = new Secret("glrt-abcdefghijklmnop");
        var two = new Secret("glrt-abcdefghijklmnop");

        Assert.Equal(one, two);
        Assert.Equal("***", one.ToString());
        Assert.Equal("glrt-abcdefghijklmnop", one.Reveal());
    }
}
