using System.Net;
using System.Text;

namespace Lab.Emulator;

public sealed class EcrErrorTests(LabPkiFixture pki) : EmulatorTestBase(pki)
{
    [Fact]
    public async Task Unknown_access_key_is_rejected_with_UnrecognizedClientException()
    {
        // Arrange
        var stranger = new AwsCredentials("AKIDUNKNOWN000000000", LabIdentities.Runner.SecretAccessKey);
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, stranger);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnrecognizedClientException", Assert.Single(response.Headers.GetValues("X-Amzn-ErrorType")));
        var (type, message, requestId) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("UnrecognizedClientException", type);
        Assert.Equal("The security token included in the request is invalid.", message);
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("x-amzn-RequestId")));
        Assert.Equal("UnrecognizedClientException", SingleRecord().Outcome);
    }

    [Fact]
    public async Task Wrong_secret_is_rejected_with_InvalidSignatureException()
    {
        // Arrange
        var wrong = LabIdentities.Runner.Credentials with { SecretAccessKey = LabIdentities.Runner.SecretAccessKey + "x" };
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, wrong);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidSignatureException", Assert.Single(response.Headers.GetValues("X-Amzn-ErrorType")));
        var (type, message, _) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("InvalidSignatureException", type);
        Assert.StartsWith("The request signature we calculated does not match", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_changed_after_signing_is_rejected_with_InvalidSignatureException()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"registryIds\":[\"210987654321\"]}"))
        {
            Headers = { ContentType = request.Content!.Headers.ContentType },
        };

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidSignatureException", (await EcrRequests.ReadErrorAsync(response)).Type);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDLABTEST000000001/20250101/us-east-1/ecr/aws4_request")]
    public async Task Missing_or_malformed_authorization_is_rejected_with_MissingAuthenticationTokenException(string? authorization)
    {
        // Arrange
        using var request = EcrRequests.Unsigned(Emulator.BaseAddress, "api.ecr.us-east-1.amazonaws.com", "{}");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (type, _, requestId) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("MissingAuthenticationTokenException", type);
        Assert.False(string.IsNullOrEmpty(requestId));
    }

    [Fact]
    public async Task Unknown_target_is_rejected_with_UnknownOperationException()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials,
            target: "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnknownOperationException", (await EcrRequests.ReadErrorAsync(response)).Type);
        Assert.Equal("DescribeRepositories", SingleRecord().Operation);
    }

    [Fact]
    public async Task Unknown_registry_id_is_rejected_with_InvalidParameterException()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials,
            body: "{\"registryIds\":[\"999999999999\"]}");

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidParameterException", (await EcrRequests.ReadErrorAsync(response)).Type);
    }

    [Fact]
    public async Task Scope_region_other_than_the_API_host_region_is_rejected_with_InvalidSignatureException()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials,
            region: "us-east-1", host: "api.ecr.eu-west-1.amazonaws.com");

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (type, message, _) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("InvalidSignatureException", type);
        Assert.Contains("valid region", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_credentials_without_their_token_are_rejected_with_UnrecognizedClientException()
    {
        // Arrange
        var withoutToken = LabIdentities.Temporary.Credentials with { SessionToken = null };
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, withoutToken);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnrecognizedClientException", (await EcrRequests.ReadErrorAsync(response)).Type);
    }

    [Fact]
    public async Task Expired_session_credentials_are_rejected_with_ExpiredTokenException()
    {
        // Arrange
        var expired = LabIdentities.Temporary with { AccessKeyId = "ASIALABEXPIRED000003", SessionExpired = true };
        Emulator.SetKey(expired);
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, expired.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (type, message, _) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal(("ExpiredTokenException", "The security token included in the request is expired"), (type, message));
        Assert.Equal("ExpiredTokenException", SingleRecord().Outcome);
    }

    [Fact]
    public async Task An_identity_without_ecr_rights_is_refused_with_AccessDeniedException()
    {
        // Arrange
        var denied = LabIdentities.Runner with { AccessKeyId = "AKIDLABDENIED0000004", MayGetEcrToken = false };
        Emulator.SetKey(denied);
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, denied.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var (type, message, _) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("AccessDeniedException", type);
        Assert.StartsWith($"User: {denied.Arn} is not authorized to perform: ecr:GetAuthorizationToken", message, StringComparison.Ordinal);
    }
}
