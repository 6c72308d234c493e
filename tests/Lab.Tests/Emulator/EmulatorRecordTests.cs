using System.Text.Json;

namespace Lab.Emulator;

public sealed class EmulatorRecordTests(LabPkiFixture pki) : EmulatorTestBase(pki)
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    protected override AwsEmulatorOptions CreateOptions()
    {
        var options = LabIdentities.Options(Pki);
        return new AwsEmulatorOptions
        {
            ServerCertificate = options.ServerCertificate,
            Keys = options.Keys,
            Registries = options.Registries,
            TimeProvider = new FixedTimeProvider(Now),
        };
    }

    [Fact]
    public async Task Record_shows_who_asked_what_from_where_and_the_outcome()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var record = SingleRecord();
        Assert.Equal(Now, record.Time);
        Assert.Equal("127.0.0.1", record.RemoteAddress);
        Assert.Equal("api.ecr.us-east-1.amazonaws.com", record.Host);
        Assert.Equal(("ecr", "GetAuthorizationToken"), (record.Service, record.Operation));
        Assert.Equal((LabIdentities.Runner.AccessKeyId, "us-east-1"), (record.AccessKeyId, record.Region));
        Assert.Equal((AwsRequestLog.Ok, 200), (record.Outcome, record.StatusCode));
        Assert.Equal([LabIdentities.Account], record.RegistryIds);
        Assert.Equal(EcrRequests.GoSdkSignedHeaders, record.SignedHeaders);
        Assert.Equal(1, Emulator.Requests.Count("GetAuthorizationToken", LabIdentities.Runner.AccessKeyId));
        Assert.Equal(0, Emulator.Requests.Count("GetAuthorizationToken", LabIdentities.Temporary.AccessKeyId));
    }

    [Fact]
    public async Task Record_and_its_text_hold_no_secret()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Temporary.Credentials);
        var signature = request.Headers.GetValues("Authorization").Single()[^64..];

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var text = Emulator.Requests.ToString() + SingleRecord() + Emulator + LabIdentities.Temporary + LabIdentities.Main;
        foreach (var secret in new[] { LabIdentities.Temporary.SecretAccessKey, LabIdentities.Temporary.SessionToken!, signature,
                     LabIdentities.Main.Password })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_lifetime_sets_expiresAt_from_the_emulator_clock()
    {
        // Arrange
        Emulator.TokenLifetime = TimeSpan.FromMinutes(90);
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var expiresAt = json.RootElement.GetProperty("authorizationData")[0].GetProperty("expiresAt");
        Assert.Equal(Now.AddMinutes(90).ToUnixTimeMilliseconds() / 1000.0, expiresAt.GetDouble());
        Assert.Equal("1735792445.678", expiresAt.GetRawText()); // 2025-01-02T04:34:05.678Z
    }

    [Fact]
    public async Task Stopped_emulator_keeps_its_record_and_refuses_connections()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);
        using var response = await Http.SendAsync(request);
        var address = Emulator.BaseAddress;

        // Act
        await Emulator.StopAsync();

        // Assert
        Assert.Equal(1, Emulator.Requests.Count());
        using var again = await EcrRequests.SignedAsync(address, LabIdentities.Runner.Credentials);
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.SendAsync(again));
    }
}
