using Build.Aws;

namespace Build.Tests.Aws;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialsFileCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("credentials-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private FileFacts Facts => new("/nonexistent-repository", _ => false, _ => 1000, 1000);

    private CredentialsFileCheck.Result Check(string text, string profile = "default", string? region = null)
    {
        var path = Path.Combine(_folder, "credentials");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, CredentialsFileCheck.Private);
        return CredentialsFileCheck.Check(path, profile, region, Facts);
    }

    [Theory]
    [InlineData("\uFEFF[default]\r\naws_access_key_id = {0}\r\naws_secret_access_key = {1}\r\nregion = eu-west-1\r\n")]
    [InlineData("# a comment\n; another\n[default]\n  aws_access_key_id={0}  \naws_secret_access_key   =   {1}\n\nregion=eu-west-1\n")]
    [InlineData("[other]\naws_access_key_id = AKIAOTHER00000000000\n[default]\naws_access_key_id = {0}\naws_secret_access_key = {1}\nregion = eu-west-1")]
    public void Crlf_bom_comments_and_spaces_around_the_equals_sign_are_accepted(string template)
    {
        var result = Check(string.Format(template, CredentialsRun.KeyId, CredentialsRun.SecretKey));

        Assert.Empty(result.Problems);
        Assert.Equal(CredentialsRun.KeyId, result.Key!.AccessKeyId.Reveal());
        Assert.Equal(CredentialsRun.SecretKey, result.Key.SecretAccessKey.Reveal());
        Assert.Equal("eu-west-1", result.Key.Region);
    }

    [Fact]
    public void A_profile_other_than_default_is_used_with_the_region_of_aws_region()
    {
        var result = Check($"[default]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = {CredentialsRun.SecretKey}x\n[ci-runner]\naws_access_key_id = {CredentialsRun.KeyId}\naws_secret_access_key = {CredentialsRun.SecretKey}\naws_session_token = IQoJb3JpZ2luX2VjEXAMPLETOKEN\n", "ci-runner", "ap-southeast-2");

        Assert.Empty(result.Problems);
        Assert.Equal(CredentialsRun.KeyId, result.Key!.AccessKeyId.Reveal());
        Assert.Equal("IQoJb3JpZ2luX2VjEXAMPLETOKEN", result.Key.SessionToken!.Reveal());
        Assert.Equal("ap-southeast-2", result.Key.Region);
        Assert.DoesNotContain("IQoJ", result.Key.ToString());
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_file_profile_and_line_never_a_value()
    {
        var result = Check("[default]\naws_access_key_id = not a key\naws_secret_access_key = short\nregion = mars\n");

        Assert.Null(result.Key);
        Assert.Equal(3, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.StartsWith(Path.Combine(_folder, "credentials") + ": ", p));
        Assert.Contains(result.Problems, p => p.Contains("aws_access_key_id on line 2 of profile [default]"));
        Assert.Contains(result.Problems, p => p.Contains("aws_secret_access_key on line 3 of profile [default]"));
        Assert.Contains(result.Problems, p => p.Contains("region on line 4 of profile [default]"));
        Assert.DoesNotContain(result.Problems, p => p.Contains("not a key") || p.Contains("short;") || p.Contains("mars"));
    }

    [Fact]
    public void A_line_the_sdk_cannot_parse_is_named_by_number_without_its_text()
    {
        var result = Check($"[default]\naws_secret_access_key {CredentialsRun.SecretKey}\n");

        Assert.Contains("line 2 is not a [section], a name = value pair or a comment", Assert.Single(result.Problems));
        Assert.DoesNotContain(CredentialsRun.SecretKey, result.Problems[0]);
    }
}
