using Amazon.Runtime;

namespace Lab.Fixtures.Emulator;

/// <summary>Gives the AWS SDK for .NET HttpClients that trust only the test CA.</summary>
public sealed class TestCaHttpClientFactory(TestCertificateAuthority authority) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(authority.CreateHttpHandler());

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
}
