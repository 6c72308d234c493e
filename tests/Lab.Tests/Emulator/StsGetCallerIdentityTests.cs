using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Lab.Emulator;

/// <summary>The real AWS SDK for .NET (AWSSDK.SecurityToken) against the emulator's STS.</summary>
public sealed class StsGetCallerIdentityTests(LabPkiFixture pki) : EmulatorTestBase(pki)
{
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    [Fact]
    public async Task Sdk_GetCallerIdentity_returns_the_configured_identity()
    {
        // Arrange
        using var sts = CreateSdkClient(new BasicAWSCredentials(LabIdentities.Runner.AccessKeyId, LabIdentities.Runner.SecretAccessKey));

        // Act
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        // Assert
        Assert.Equal(LabIdentities.Account, identity.Account);
        Assert.Equal(LabIdentities.Runner.Arn, identity.Arn);
        Assert.Equal(LabIdentities.Runner.UserId, identity.UserId);
        var record = SingleRecord();
        Assert.Equal(("sts", "GetCallerIdentity", AwsRequestLog.Ok), (record.Service, record.Operation, record.Outcome));
        Assert.Equal(identity.ResponseMetadata.RequestId, record.RequestId);
        Assert.Equal(1, Emulator.Requests.Count("GetCallerIdentity", LabIdentities.Runner.AccessKeyId));
    }

    [Fact]
    public async Task Sdk_with_session_credentials_gets_the_role_identity()
    {
        // Arrange
        var key = LabIdentities.Temporary;
        using var sts = CreateSdkClient(new SessionAWSCredentials(key.AccessKeyId, key.SecretAccessKey, key.SessionToken));

        // Act
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        // Assert
        Assert.Equal(key.Arn, identity.Arn);
    }

    [Fact]
    public async Task Sdk_with_a_wrong_secret_gets_SignatureDoesNotMatch()
    {
        // Arrange
        using var sts = CreateSdkClient(new BasicAWSCredentials(LabIdentities.Runner.AccessKeyId, "not-the-secret"));

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        // Assert
        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal(SingleRecord().RequestId, error.RequestId);
        Assert.Equal("SignatureDoesNotMatch", SingleRecord().Outcome);
    }

    [Fact]
    public async Task Sdk_with_an_unknown_key_gets_InvalidClientTokenId()
    {
        // Arrange
        using var sts = CreateSdkClient(new BasicAWSCredentials("AKIDUNKNOWN000000000", LabIdentities.Runner.SecretAccessKey));

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        // Assert
        Assert.Equal("InvalidClientTokenId", error.ErrorCode);
        Assert.Equal("The security token included in the request is invalid.", error.Message);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal(1, Emulator.Requests.Count("GetCallerIdentity", "AKIDUNKNOWN000000000", "InvalidClientTokenId"));
    }

    [Fact]
    public async Task Unsigned_request_gets_MissingAuthenticationToken_as_an_ErrorResponse()
    {
        // Arrange
        using var request = Form("Action=GetCallerIdentity&Version=2011-06-15");

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var xml = XElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Ns + "ErrorResponse", xml.Name);
        Assert.Equal("Sender", xml.Element(Ns + "Error")?.Element(Ns + "Type")?.Value);
        Assert.Equal("MissingAuthenticationToken", xml.Element(Ns + "Error")?.Element(Ns + "Code")?.Value);
        Assert.Equal(SingleRecord().RequestId, xml.Element(Ns + "RequestId")?.Value);
    }

    [Fact]
    public async Task Unknown_action_is_rejected_with_InvalidAction()
    {
        // Arrange
        using var request = Form("Action=AssumeRole&Version=2011-06-15");
        await SigV4Signer.SignAsync(request, LabIdentities.Runner.Credentials, "us-east-1", "sts", DateTimeOffset.UtcNow);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var xml = XElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("InvalidAction", xml.Element(Ns + "Error")?.Element(Ns + "Code")?.Value);
        Assert.Equal("AssumeRole", SingleRecord().Operation);
    }

    private AmazonSecurityTokenServiceClient CreateSdkClient(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Emulator.BaseAddress.ToString(),
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new TestCaHttpClientFactory(Pki.Authority),
            MaxErrorRetry = 0,
        });

    private HttpRequestMessage Form(string body) => new(HttpMethod.Post, Emulator.BaseAddress)
    {
        Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") },
        },
    };
}
