using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lab.Fixtures.Pki;

/// <summary>An ECDSA or RSA key with the few operations the CA needs, whatever its type.</summary>
internal sealed class KeyPair : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private KeyPair(ECDsa? ec, RSA? rsa) => (_ec, _rsa) = (ec, rsa);

    public static KeyPair Create(TestKeyAlgorithm algorithm) => algorithm switch
    {
        TestKeyAlgorithm.EcdsaP256 => new KeyPair(ECDsa.Create(ECCurve.NamedCurves.nistP256), null),
        TestKeyAlgorithm.Rsa2048 => new KeyPair(null, RSA.Create(2048)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    public CertificateRequest CreateRequest(string subject) => _ec is not null
        ? new CertificateRequest(subject, _ec, HashAlgorithmName.SHA256)
        : new CertificateRequest(subject, _rsa!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public X509Certificate2 Attach(X509Certificate2 certificate) =>
        _ec is not null ? certificate.CopyWithPrivateKey(_ec) : certificate.CopyWithPrivateKey(_rsa!);

    /// <summary>
    /// Round-trips a certificate with its key through PKCS#12 so the key is a normal, exportable, persisted-in-memory
    /// key that Kestrel (OpenSSL) and every export path accept.
    /// </summary>
    public static X509Certificate2 Reload(X509Certificate2 withKey)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var pfx = withKey.Export(X509ContentType.Pkcs12, password);
        return X509CertificateLoader.LoadPkcs12(pfx, password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
    }

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
