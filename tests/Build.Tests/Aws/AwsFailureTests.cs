using Build.Aws;

namespace Build.Tests.Aws;

/// <summary>Each cause recognised from what the helper logs (Go SDK v2 texts) and what the .NET SDK throws for STS.</summary>
public sealed class AwsFailureTests
{
    private const string Helper = "level=error msg=\"Error retrieving credentials\" error=\"ecr: Failed to get authorization token: operation error ECR: GetAuthorizationToken, https response error StatusCode: {0}, RequestID: 1, api error {1}\"";

    public static TheoryData<string, string> Texts => new()
    {
        { string.Format(Helper, 400, "UnrecognizedClientException: The security token included in the request is invalid."), "unknown access key id" },
        { "InvalidClientTokenId: The security token included in the request is invalid.", "unknown access key id" },
        { string.Format(Helper, 403, "InvalidSignatureException: The request signature we calculated does not match the signature you provided."), "wrong secret access key" },
        { "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.", "wrong secret access key" },
        { string.Format(Helper, 400, "AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken"), "access denied" },
        { string.Format(Helper, 400, "ExpiredTokenException: The security token included in the request is expired"), "expired session token" },
        { "ExpiredToken: The security token included in the request is expired", "expired session token" },
        { string.Format(Helper, 403, "InvalidSignatureException: Signature expired: 20261129T000000Z is now earlier than 20261129T001000Z"), "clock skew" },
        { "ecr: Failed to get authorization token: request send failed, Post \"https://api.ecr.eu-west-1.amazonaws.com/\": dial tcp: lookup api.ecr.eu-west-1.amazonaws.com on 10.0.0.2:53: no such host", "no route or DNS" },
        { "HttpRequestException: Connection refused (127.0.0.1:1) <- SocketException: Connection refused", "no route or DNS" },
        { "request send failed, Post \"https://api.ecr.eu-west-1.amazonaws.com/\": tls: failed to verify certificate: x509: certificate signed by unknown authority", "TLS trust" },
        { "HttpRequestException: The SSL connection could not be established, see inner exception. <- AuthenticationException: The remote certificate was rejected by the provided RemoteCertificateValidationCallback.", "TLS trust" },
        { "failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata", "no credentials" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_cause_of_a_failure_is_recognised_with_its_fix(string text, string cause)
    {
        var failure = AwsFailure.Recognise(text);

        Assert.Equal(cause, failure?.Name);
        Assert.Contains("Fix: ", failure!.Describe());
    }

    [Fact]
    public void An_unknown_error_is_not_given_a_cause()
    {
        Assert.Null(AwsFailure.Recognise("something nobody has seen before"));
    }
}
