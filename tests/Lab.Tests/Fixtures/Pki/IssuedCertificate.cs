using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lab.Fixtures.Pki;

/// <summary>A server certificate with its private key, issued by a <see cref="TestCertificateAuthority"/>.</summary>
public sealed class IssuedCertificate : IDisposable
{
    private readonly X509Certificate2 _issuer;

    internal IssuedCertificate(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        Certificate = certificate;
        _issuer = issuer;
    }

    /// <summary>The certificate with its private key; usable as a Kestrel server certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The leaf certificate PEM.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>Leaf then CA certificate, PEM (what nginx/registry call a full-chain file).</summary>
    public string FullChainPem => CertificatePem + _issuer.ExportCertificatePem() + "\n";

    /// <summary>The private key as unencrypted PKCS#8 PEM. Secret: write it only with <see cref="WritePemFiles"/>.</summary>
    public string PrivateKeyPem
    {
        get
        {
            using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)Certificate.GetECDsaPrivateKey() ?? Certificate.GetRSAPrivateKey()
                ?? throw new InvalidOperationException("The certificate has no private key.");
            return key.ExportPkcs8PrivateKeyPem() + "\n";
        }
    }

    /// <summary>Writes the full chain (mode 0644) and the key (mode 0600) atomically.</summary>
    public void WritePemFiles(string fullChainPath, string keyPath)
    {
        PemFile.Write(fullChainPath, FullChainPem, secret: false);
        PemFile.Write(keyPath, PrivateKeyPem, secret: true);
    }

    public override string ToString() => $"IssuedCertificate {{ Subject = {Certificate.Subject}, NotAfter = {Certificate.NotAfter:u} }}";

    public void Dispose() => Certificate.Dispose();
}
