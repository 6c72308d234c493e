using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;

namespace Build.Aws;

/// <summary>
/// AWS_CA_BUNDLE for the .NET SDK, as the AWS CLI and the Go SDK (the helper) read it: a PEM file whose
/// certificates are the trusted roots for AWS endpoints.
/// </summary>
public sealed class CaBundle
{
    private readonly X509Certificate2Collection _roots;

    private CaBundle(string path, X509Certificate2Collection roots)
    {
        Path = path;
        _roots = roots;
    }

    public string Path { get; }

    /// <summary>Loads the bundle; a missing or certificate-less file is an error with its fix (the helper panics on one).</summary>
    public static CaBundle Load(string path, string origin, string setting = "AWS_CA_BUNDLE")
    {
        if (!File.Exists(path))
        {
            throw new PreflightException([setting == "AWS_CA_BUNDLE"
                ? $"AWS_CA_BUNDLE = {path} ({origin}) does not exist; the helper panics on a missing bundle. Point it at a PEM file with your proxy's CA, or unset it."
                : $"{setting} = {path} ({origin}) does not exist: point it at a PEM file with the CA, or unset it."]);
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            roots.Clear();
        }

        return roots.Count > 0
            ? new CaBundle(path, roots)
            : throw new PreflightException([$"{setting} = {path} ({origin}) holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it at a PEM bundle, or unset it."]);
    }

    public HttpClientFactory ClientFactory() => new Factory(this);

    /// <summary>A handler whose TLS trusts this bundle's certificates alone, for calls made without the SDK.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate as X509Certificate2, errors),
        },
    };

    /// <summary>Whether the certificate chains to one of this bundle's certificates (and names the host).</summary>
    public bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private sealed class Factory(CaBundle bundle) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(bundle.Handler());
    }
}
