using Build.GitLab;
using Build.Secrets;

namespace Lab.GitLab;

/// <summary>GITLAB_CA_BUNDLE: a GitLab whose certificate a private CA signed is trusted with that CA, and refused without it.</summary>
public sealed class GitLabTlsTests
{
    [Fact]
    public async Task A_self_signed_GitLab_is_trusted_only_through_the_CA_bundle()
    {
        // Given a GitLab on HTTPS with a certificate from a CA the system does not trust
        using var authority = TestCertificateAuthority.Create("GitLab TLS Tests CA");
        using var server = authority.IssueServerCertificate(["localhost"], [System.Net.IPAddress.Loopback]);
        await using var gitlab = await GitLabEmulator.StartNewAsync(new GitLabEmulatorOptions { Certificate = server.Certificate });
        var runner = gitlab.AddRunner();
        var bundle = Path.Combine(Directory.CreateTempSubdirectory("gitlab-ca-").FullName, "ca.pem");
        File.WriteAllText(bundle, authority.CertificatePem);
        var options = new GitLabApiOptions { RetryDelay = TimeSpan.FromMilliseconds(10), Retries = 1 };

        // When it is called without and with the bundle
        using var untrusted = new GitLabApi(gitlab.Url, new Redactor(), options);
        var refused = await Assert.ThrowsAsync<GitLabException>(() => untrusted.VerifyAsync(new Secret(runner.Token), null, default));
        using var trusted = new GitLabApi(gitlab.Url, new Redactor(), options with { CaBundle = bundle });
        var verified = await trusted.VerifyAsync(new Secret(runner.Token), null, default);

        // Then only the bundle makes it work, and the refusal names the setting
        Assert.Contains("GITLAB_CA_BUNDLE", refused.Message);
        Assert.Equal(runner.Id, verified!.Id);
        Directory.Delete(Path.GetDirectoryName(bundle)!, recursive: true);
    }
}
