
namespace Lab.Signing;

public sealed class SigV4VerifierTests
{
    [Fact]
    public void Authorization_header_is_parsed_into_key_scope_headers_and_signature()
    {
        // Arrange
        var header = SigV4TestVectors.ByName["get-header-value-trim"].ExpectedAuthorization;

        // Act
        var parsed = SigV4Authorization.TryParse(header, out var authorization);

        // Assert
        Assert.True(parsed);
        Assert.Equal("AKIDEXAMPLE", authorization!.AccessKeyId);
        Assert.Equal(new SigV4Scope("20150830", "us-east-1", "service"), authorization.Scope);
        Assert.Equal(["host", "my-header1", "my-header2", "x-amz-date"], authorization.SignedHeaders);
        Assert.Equal(header, authorization.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/service/aws4_request, SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=xyz")]
    public void Malformed_authorization_header_is_not_parsed(string? header)
    {
        // Act
        var parsed = SigV4Authorization.TryParse(header, out var authorization);

        // Assert
        Assert.False(parsed);
        Assert.Null(authorization);
    }

    [Fact]
    public void Request_without_X_Amz_Date_is_reported_as_missing_date()
    {
        // Arrange
        var signed = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName["get-vanilla"]);
        var request = signed with { Headers = [.. signed.Headers.Where(h => h.Key != "X-Amz-Date")] };
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);

        // Act
        var outcome = SigV4Verifier.Verify(request, authorization!, SigV4TestVectors.Credentials.SecretAccessKey);

        // Assert
        Assert.Equal(SigV4Outcome.MissingDate, outcome);
    }

    [Fact]
    public void Scope_date_other_than_the_X_Amz_Date_day_is_rejected()
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName["get-vanilla"]).ReplaceHeader("X-Amz-Date", "20150831T123600Z");
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);

        // Act
        var outcome = SigV4Verifier.Verify(request, authorization!, SigV4TestVectors.Credentials.SecretAccessKey);

        // Assert
        Assert.Equal(SigV4Outcome.ScopeDateMismatch, outcome);
    }

    [Theory]
    [InlineData("  value1 ", "value1")]
    [InlineData("\"a   b   c\"", "\"a b c\"")]
    [InlineData("attempt=1;  max=3", "attempt=1; max=3")]
    public void Header_values_are_trimmed_and_inner_spaces_collapsed(string raw, string expected) =>
        Assert.Equal(expected, SigV4.NormalizeValue(raw));

    [Fact]
    public void Credentials_never_print_their_secret()
    {
        // Arrange
        var credentials = SigV4TestVectors.Credentials with { SessionToken = "token-value" };

        // Act
        var text = credentials.ToString();

        // Assert
        Assert.DoesNotContain(credentials.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-value", text, StringComparison.Ordinal);
        Assert.Contains("AKIDEXAMPLE", text, StringComparison.Ordinal);
    }
}
