
namespace Lab.Fixtures.Emulator;

/// <summary>A fresh emulator on 127.0.0.1 (ephemeral port) per test, and an HttpClient that trusts only the test CA.</summary>
public abstract class EmulatorTestBase(LabPkiFixture pki) : IClassFixture<LabPkiFixture>, IAsyncLifetime
{
    static EmulatorTestBase() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

    protected LabPkiFixture Pki { get; } = pki;

    protected AwsEmulator Emulator { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Options for this test's emulator; override to change them.</summary>
    protected virtual AwsEmulatorOptions CreateOptions() => LabIdentities.Options(Pki);

    public async Task InitializeAsync()
    {
        Emulator = await AwsEmulator.StartNewAsync(CreateOptions());
        Http = new HttpClient(Pki.Authority.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>The single record of this test's only request (fails with the whole log otherwise).</summary>
    protected AwsRequestRecord SingleRecord()
    {
        var records = Emulator.Requests.Snapshot();
        Assert.True(records.Count == 1, $"Expected one request, got:\n{Emulator.Requests}");
        return records[0];
    }
}
