using System.Text;

namespace Lab.Signing;

/// <summary>The signer and verifier against AWS's published SigV4 vectors (see <see cref="SigV4TestVectors"/>).</summary>
public sealed class SigV4TestVectorTests
{
    private static readonly string Secret = SigV4TestVectors.Credentials.SecretAccessKey;

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Signer_reproduces_the_published_canonical_request_hash_signature_and_header(string name)
    {
        // Arrange
        var vector = SigV4TestVectors.ByName[name];
        var credentials = SigV4TestVectors.Credentials with { SessionToken = vector.SessionToken };

        // Act
        var (signed, computation) = SigV4Signer.Sign(vector.Request, credentials,
            SigV4TestVectors.Region, SigV4TestVectors.Service, SigV4TestVectors.Time, addPayloadHashHeader: vector.SignBody);

        // Assert
        Assert.Equal(vector.ExpectedCanonicalRequestHash, computation.CanonicalRequestHash);
        Assert.Equal(vector.ExpectedSignature, computation.Signature);
        Assert.Equal(vector.ExpectedAuthorization, signed.Header("Authorization"));
        Assert.Equal("20150830T123600Z", signed.Header("X-Amz-Date"));
    }

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Verifier_accepts_the_published_signed_request(string name)
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName[name]);
        Assert.True(SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization));

        // Act
        var outcome = SigV4Verifier.Verify(request, authorization, Secret, out var computed);

        // Assert
        Assert.Equal(SigV4Outcome.Valid, outcome);
        Assert.Equal(SigV4TestVectors.ByName[name].ExpectedCanonicalRequestHash, computed!.CanonicalRequestHash);
    }

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Verifier_rejects_a_secret_that_differs_by_one_character(string name)
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName[name]);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var wrongSecret = Secret[..^1] + "X";

        // Act
        var outcome = SigV4Verifier.Verify(request, authorization!, wrongSecret);

        // Assert
        Assert.Equal(SigV4Outcome.SignatureMismatch, outcome);
    }

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Verifier_rejects_a_body_that_differs_by_one_character(string name)
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName[name]);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var body = request.Body.ToArray();
        var tampered = request with { Body = body.Length == 0 ? "x"u8.ToArray() : [.. body[..^1], (byte)'X'] };

        // Act
        var outcome = SigV4Verifier.Verify(tampered, authorization!, Secret);

        // Assert
        Assert.Equal(SigV4Outcome.SignatureMismatch, outcome);
    }

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Verifier_rejects_a_signed_header_that_differs_by_one_character(string name)
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName[name]);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var tampered = request.ReplaceHeader("Host", "example.amazonaws.con");

        // Act
        var outcome = SigV4Verifier.Verify(tampered, authorization!, Secret);

        // Assert
        Assert.Equal(SigV4Outcome.SignatureMismatch, outcome);
    }

    [Theory]
    [MemberData(nameof(SigV4TestVectors.Names), MemberType = typeof(SigV4TestVectors))]
    public void Verifier_rejects_a_signature_that_differs_by_one_character(string name)
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName[name]);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var sig = authorization!.Signature;
        var tampered = authorization with { Signature = sig[..^1] + (sig[^1] == '0' ? '1' : '0') };

        // Act
        var outcome = SigV4Verifier.Verify(request, tampered, Secret);

        // Assert
        Assert.Equal(SigV4Outcome.SignatureMismatch, outcome);
    }

    [Fact]
    public void Verifier_ignores_headers_that_are_not_in_SignedHeaders()
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName["post-vanilla"])
            .WithHeader("User-Agent", "amazon-ecr-credential-helper/0.6.0")
            .WithHeader("X-Amzn-Trace-Id", "Root=1-abc");
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);

        // Act
        var outcome = SigV4Verifier.Verify(request, authorization!, Secret);

        // Assert
        Assert.Equal(SigV4Outcome.Valid, outcome);
    }

    [Fact]
    public void Verifier_rejects_a_query_parameter_that_differs_by_one_character()
    {
        // Arrange
        var request = SigV4TestVectors.SignedRequest(SigV4TestVectors.ByName["get-vanilla-query-order-key-case"]);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var tampered = request with { RawQuery = "Param2=value2&Param1=value2" };

        // Act
        var outcome = SigV4Verifier.Verify(tampered, authorization!, Secret);

        // Assert
        Assert.Equal(SigV4Outcome.SignatureMismatch, outcome);
    }

    [Fact]
    public void Canonical_request_of_post_x_www_form_urlencoded_matches_the_published_text()
    {
        // Arrange: awslabs/aws-c-auth tests/aws-signing-test-suite/v4/post-x-www-form-urlencoded/header-canonical-request.txt
        var expected = new StringBuilder()
            .Append("POST\n/\n\n")
            .Append("content-length:13\n")
            .Append("content-type:application/x-www-form-urlencoded\n")
            .Append("host:example.amazonaws.com\n")
            .Append("x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n")
            .Append("x-amz-date:20150830T123600Z\n\n")
            .Append("content-length;content-type;host;x-amz-content-sha256;x-amz-date\n")
            .Append("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
            .ToString();
        var vector = SigV4TestVectors.ByName["post-x-www-form-urlencoded"];

        // Act
        var (_, computation) = SigV4Signer.Sign(vector.Request, SigV4TestVectors.Credentials,
            SigV4TestVectors.Region, SigV4TestVectors.Service, SigV4TestVectors.Time, addPayloadHashHeader: true);

        // Assert
        Assert.Equal(expected, computation.CanonicalRequest);
    }
}
