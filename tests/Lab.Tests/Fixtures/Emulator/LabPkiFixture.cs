using System.Net;

namespace Lab.Fixtures.Emulator;

/// <summary>One test CA and one emulator certificate per test class (the names the tests use as Host headers).</summary>
public sealed class LabPkiFixture : IDisposable
{
    public static readonly string[] ServerNames =
        ["localhost", "api.ecr.us-east-1.amazonaws.com", "api.ecr.eu-west-1.amazonaws.com", "sts.amazonaws.com", "api.ecr-public.us-east-1.amazonaws.com", "api.ecr-public.eu-west-1.amazonaws.com"];

    public LabPkiFixture()
    {
        Authority = TestCertificateAuthority.Create("Lab Emulator Tests CA");
        Server = Authority.IssueServerCertificate(ServerNames, [IPAddress.Loopback]);
    }

    public TestCertificateAuthority Authority { get; }

    public IssuedCertificate Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        Authority.Dispose();
    }
}
