using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Lab.Certificates;

public sealed class TestCertificateAuthorityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lab-pki-").FullName;

    [Theory]
    [InlineData(TestKeyAlgorithm.EcdsaP256)]
    [InlineData(TestKeyAlgorithm.Rsa2048)]
    public void Issued_certificate_names_every_host_and_address_and_chains_to_the_CA(TestKeyAlgorithm algorithm)
    {
        // Arrange
        using var ca = TestCertificateAuthority.Create(algorithm: algorithm);

        // Act
        using var issued = ca.IssueServerCertificate(["api.ecr.us-east-1.amazonaws.com", "localhost"], [IPAddress.Parse("172.17.0.1")]);

        // Assert
        var cert = issued.Certificate;
        Assert.True(cert.HasPrivateKey);
        Assert.Equal("CN=api.ecr.us-east-1.amazonaws.com, O=Lab Tests", cert.Subject);
        Assert.True(cert.MatchesHostname("api.ecr.us-east-1.amazonaws.com"));
        Assert.True(cert.MatchesHostname("localhost"));
        Assert.True(cert.MatchesHostname("172.17.0.1"));
        Assert.False(cert.MatchesHostname("api.ecr.eu-west-1.amazonaws.com"));
        var eku = Assert.Single(cert.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal("1.3.6.1.5.5.7.3.1", Assert.Single(eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()).Value);
        using var chain = new X509Chain
        {
            ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck },
        };
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        Assert.True(chain.Build(cert), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes; the lab runs on Linux
    public void Pem_files_are_written_with_safe_modes_and_openssl_verifies_them()
    {
        // Arrange
        using var ca = TestCertificateAuthority.Create();
        using var issued = ca.IssueServerCertificate(["api.ecr.us-east-1.amazonaws.com"], [IPAddress.Loopback]);
        var (caPath, chainPath, keyPath) = (Path.Combine(_dir, "ca.crt"), Path.Combine(_dir, "server-fullchain.crt"), Path.Combine(_dir, "server.key"));

        // Act
        ca.WriteCertificatePem(caPath);
        issued.WritePemFiles(chainPath, keyPath);

        // Assert
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(chainPath));
        Assert.Equal(["ca.crt", "server-fullchain.crt", "server.key"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
        Assert.Equal(2, File.ReadAllText(chainPath).Split("BEGIN CERTIFICATE").Length - 1);
        using var reloaded = X509Certificate2.CreateFromPemFile(chainPath, keyPath);
        Assert.Equal(issued.Certificate.Thumbprint, reloaded.Thumbprint);
        Assert.True(reloaded.HasPrivateKey);
        var (exit, output) = Run("openssl", "verify", "-CAfile", caPath, "-purpose", "sslserver",
            "-verify_hostname", "api.ecr.us-east-1.amazonaws.com", chainPath);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Validation_callback_refuses_a_certificate_from_another_CA()
    {
        // Arrange
        using var ours = TestCertificateAuthority.Create();
        using var theirs = TestCertificateAuthority.Create("Someone Else CA");
        using var foreign = theirs.IssueServerCertificate(["localhost"]);
        using var own = ours.IssueServerCertificate(["localhost"]);

        // Act
        var acceptsForeign = ours.ValidateServerCertificate(null, foreign.Certificate, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors);
        var acceptsOwn = ours.ValidateServerCertificate(null, own.Certificate, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors);

        // Assert
        Assert.False(acceptsForeign);
        Assert.True(acceptsOwn);
    }

    [Fact]
    public void Private_key_pem_is_pkcs8_and_never_part_of_ToString()
    {
        // Arrange
        using var ca = TestCertificateAuthority.Create();
        using var issued = ca.IssueServerCertificate(["localhost"]);

        // Act
        var key = issued.PrivateKeyPem;

        // Assert
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", key, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", issued.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {output}");
    }
}
