using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Lab.Emulator;

public sealed class EmulatorHostingTests(LabPkiFixture pki) : IClassFixture<LabPkiFixture>
{
    [Fact]
    public async Task Every_configured_endpoint_is_bound_and_reported_with_its_real_port()
    {
        // Arrange
        var options = new AwsEmulatorOptions
        {
            ServerCertificate = pki.Server.Certificate,
            Endpoints = [new(IPAddress.Loopback, 0), new(IPAddress.Loopback, 0)],
            Keys = [LabIdentities.Runner],
            Registries = [LabIdentities.Main],
        };
        using var http = new HttpClient(pki.Authority.CreateHttpHandler());

        // Act
        await using var emulator = await AwsEmulator.StartNewAsync(options);

        // Assert
        Assert.Equal(2, emulator.BoundEndpoints.Count);
        Assert.All(emulator.BoundEndpoints, e => Assert.NotEqual(0, e.Port));
        foreach (var endpoint in emulator.BoundEndpoints)
        {
            using var request = await EcrRequests.SignedAsync(new Uri($"https://{endpoint}/"), LabIdentities.Runner.Credentials);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(2, emulator.Requests.Count("GetAuthorizationToken", outcome: AwsRequestLog.Ok));
    }

    [Fact]
    public async Task Port_already_in_use_fails_start_with_the_endpoint_and_a_remedy()
    {
        // Arrange
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = (IPEndPoint)occupant.LocalEndpoint;
        var options = new AwsEmulatorOptions { ServerCertificate = pki.Server.Certificate, Endpoints = [taken] };

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AwsEmulator.StartNewAsync(options));

        // Assert
        Assert.Contains(taken.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_BIND_SERVICE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_that_trusts_another_CA_refuses_the_emulator()
    {
        // Arrange
        await using var emulator = await AwsEmulator.StartNewAsync(LabIdentities.Options(pki));
        using var otherCa = TestCertificateAuthority.Create("Unrelated CA");
        using var http = new HttpClient(otherCa.CreateHttpHandler());
        using var request = await EcrRequests.SignedAsync(emulator.BaseAddress, LabIdentities.Runner.Credentials);

        // Act
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(request));

        // Assert
        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Equal(0, emulator.Requests.Count());
    }

    [Fact]
    public void Certificate_without_private_key_is_refused_up_front()
    {
        // Arrange
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(pki.Server.Certificate.RawData);

        // Act
        var error = Assert.Throws<ArgumentException>(() => new AwsEmulator(new AwsEmulatorOptions { ServerCertificate = publicOnly }));

        // Assert
        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
    }
}
