using Build.Aws;
using Build.Secrets;

namespace Build.Tests.Aws;

/// <summary>
/// The build's own SigV4 signer against cases of AWS's published test suite (awslabs/aws-c-auth
/// tests/aws-signing-test-suite/v4: post-vanilla, get-vanilla-with-session-token, get-header-value-trim), whose
/// expected Authorization headers are copied here; the lab's emulator verifies the signer against live requests too.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly AwsSigningKey Key = new(new Secret("AKIDEXAMPLE"), new Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), null);
    private static readonly DateTimeOffset Time = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    [Fact]
    public void Post_vanilla_gets_the_suites_signature()
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com" };

        SigV4Signer.Sign(headers, "POST", "/", [], Key, "us-east-1", "service", Time);

        Assert.Equal("20150830T123600Z", headers["X-Amz-Date"]);
        Assert.Equal($"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", headers["Authorization"]);
    }

    [Fact]
    public void A_session_token_is_added_and_signed()
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com" };

        SigV4Signer.Sign(headers, "GET", "/", [], Key with { SessionToken = new Secret("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267") }, "us-east-1", "service", Time);

        Assert.Equal("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267", headers["X-Amz-Security-Token"]);
        Assert.Equal($"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8", headers["Authorization"]);
    }

    [Fact]
    public void Header_values_are_trimmed_and_their_inner_spaces_collapsed()
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com", ["My-Header1"] = " value1", ["My-Header2"] = " \"a   b   c\"" };

        SigV4Signer.Sign(headers, "GET", "/", [], Key, "us-east-1", "service", Time);

        Assert.Equal($"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736", headers["Authorization"]);
    }

    [Fact]
    public void The_signing_key_prints_no_value()
    {
        Assert.DoesNotContain("EXAMPLEKEY", Key.ToString());
        Assert.DoesNotContain("AKIDEXAMPLE", Key.ToString());
    }
}
