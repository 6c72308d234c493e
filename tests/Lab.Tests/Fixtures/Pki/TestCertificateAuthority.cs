using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lab.Fixtures.Pki;

/// <summary>Key type of the CA and of the certificates it issues.</summary>
public enum TestKeyAlgorithm { EcdsaP256, Rsa2048 }

/// <summary>A throw-away certificate authority, created in memory per test run, that issues TLS server certificates.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly TimeSpan Backdate = TimeSpan.FromHours(1);
    private readonly X509Certificate2 _caWithKey;

    private TestCertificateAuthority(X509Certificate2 caWithKey, TestKeyAlgorithm algorithm)
    {
        _caWithKey = caWithKey;
        Algorithm = algorithm;
        Certificate = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public TestKeyAlgorithm Algorithm { get; }

    /// <summary>The CA certificate as PEM, e.g. for <c>AWS_CA_BUNDLE</c> or <c>/etc/docker/certs.d/&lt;host&gt;/ca.crt</c>.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>Creates a self-signed CA valid from one hour ago for <paramref name="lifetime"/> (default 7 days).</summary>
    public static TestCertificateAuthority Create(
        string commonName = "Lab Test CA", TestKeyAlgorithm algorithm = TestKeyAlgorithm.EcdsaP256, TimeSpan? lifetime = null)
    {
        using var key = KeyPair.Create(algorithm);
        var request = key.CreateRequest($"CN={commonName}, O=Lab Tests");
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now - Backdate, now + (lifetime ?? TimeSpan.FromDays(7)));
        return new TestCertificateAuthority(KeyPair.Reload(ca), algorithm);
    }

    /// <summary>Issues a server certificate for these DNS names and IP addresses (all go in the SAN; CN = first name).</summary>
    public IssuedCertificate IssueServerCertificate(
        IEnumerable<string> dnsNames, IEnumerable<IPAddress>? ipAddresses = null, TimeSpan? lifetime = null)
    {
        var names = dnsNames.ToList();
        var ips = ipAddresses?.ToList() ?? [];
        if (names.Count + ips.Count == 0) throw new ArgumentException("A server certificate needs at least one DNS name or IP address.");

        var san = new SubjectAlternativeNameBuilder();
        names.ForEach(san.AddDnsName);
        ips.ForEach(san.AddIpAddress);

        using var key = KeyPair.Create(Algorithm);
        var request = key.CreateRequest($"CN={(names.Count > 0 ? names[0] : ips[0].ToString())}, O=Lab Tests");
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = X509KeyUsageFlags.DigitalSignature | (Algorithm == TestKeyAlgorithm.Rsa2048 ? X509KeyUsageFlags.KeyEncipherment : 0);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(san.Build(false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_caWithKey, true, false));

        var now = DateTimeOffset.UtcNow;
        var notAfter = now + (lifetime ?? TimeSpan.FromDays(2));
        if (notAfter > _caWithKey.NotAfter) notAfter = _caWithKey.NotAfter;
        using var issued = request.Create(_caWithKey, now - Backdate, notAfter, SerialNumber());
        using var withKey = key.Attach(issued);
        return new IssuedCertificate(KeyPair.Reload(withKey), Certificate);
    }

    /// <summary>
    /// Server-certificate check for clients (<c>RemoteCertificateValidationCallback</c>): the name must match and the
    /// chain must end at this CA; the machine's trust store is not consulted.
    /// </summary>
    public bool ValidateServerCertificate(object? sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    /// <summary>An HTTP handler that trusts only this CA (for HttpClient and the AWS SDK).</summary>
    public SocketsHttpHandler CreateHttpHandler() =>
        new() { SslOptions = { RemoteCertificateValidationCallback = ValidateServerCertificate }, UseProxy = false };

    /// <summary>Writes the CA certificate PEM (mode 0644).</summary>
    public void WriteCertificatePem(string path) => PemFile.Write(path, CertificatePem, secret: false);

    public void Dispose()
    {
        _caWithKey.Dispose();
        Certificate.Dispose();
    }

    private static byte[] SerialNumber()
    {
        var bytes = RandomNumberGenerator.GetBytes(16);
        bytes[0] = (byte)((bytes[0] & 0x7F) | 0x01); // positive, and no leading zero octet
        return bytes;
    }
}
