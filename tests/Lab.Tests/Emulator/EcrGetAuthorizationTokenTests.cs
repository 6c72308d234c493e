using System.Net;
using System.Text;
using System.Text.Json;

namespace Lab.Emulator;

public sealed class EcrGetAuthorizationTokenTests(LabPkiFixture pki) : EmulatorTestBase(pki)
{
    [Fact]
    public async Task Token_for_a_requested_registry_decodes_to_AWS_and_its_password()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);
        var before = DateTimeOffset.UtcNow;

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        var entry = Assert.Single(await ReadEntriesAsync(response));
        Assert.Equal("AWS:" + LabIdentities.Main.Password,
            Encoding.UTF8.GetString(Convert.FromBase64String(entry.GetProperty("authorizationToken").GetString()!)));
        var proxyEndpoint = entry.GetProperty("proxyEndpoint").GetString()!;
        Assert.Equal("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", proxyEndpoint);
        Assert.Matches(EcrRequests.HelperRegistryPattern(), new Uri(proxyEndpoint).Host);
        var expiresAt = entry.GetProperty("expiresAt");
        Assert.Equal(JsonValueKind.Number, expiresAt.ValueKind);
        var expires = DateTimeOffset.UnixEpoch.AddSeconds(expiresAt.GetDouble());
        Assert.InRange(expires, before.AddHours(12).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(12).AddSeconds(1));
    }

    [Fact]
    public async Task Empty_request_returns_a_token_for_the_callers_own_account()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials, body: "{}");

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(await ReadEntriesAsync(response));
        Assert.Equal("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", entry.GetProperty("proxyEndpoint").GetString());
        Assert.Equal([LabIdentities.Account], SingleRecord().RegistryIds);
    }

    [Fact]
    public async Task Several_registry_ids_return_one_entry_each_in_request_order()
    {
        // Arrange
        var body = $"{{\"registryIds\":[\"{LabIdentities.OtherAccount}\",\"{LabIdentities.Account}\"]}}";
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials, body: body);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var entries = await ReadEntriesAsync(response);
        Assert.Equal(
            [$"AWS:{LabIdentities.Other.Password}", $"AWS:{LabIdentities.Main.Password}"],
            entries.Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("authorizationToken").GetString()!))));
        Assert.Equal(
            ["https://210987654321.dkr.ecr.us-east-1.amazonaws.com", "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"],
            entries.Select(e => e.GetProperty("proxyEndpoint").GetString()));
    }

    [Fact]
    public async Task Region_comes_from_the_credential_scope_when_the_host_is_an_address()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials,
            region: "eu-west-1", host: Emulator.BaseAddress.Authority);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var entry = Assert.Single(await ReadEntriesAsync(response));
        Assert.Equal("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", entry.GetProperty("proxyEndpoint").GetString());
        Assert.Equal("AWS:" + LabIdentities.Europe.Password,
            Encoding.UTF8.GetString(Convert.FromBase64String(entry.GetProperty("authorizationToken").GetString()!)));
    }

    [Fact]
    public async Task Changed_password_is_in_the_next_token()
    {
        // Arrange
        Emulator.SetRegistry(LabIdentities.Main with { Password = "rotated-password" });
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        var entry = Assert.Single(await ReadEntriesAsync(response));
        Assert.Equal("AWS:rotated-password",
            Encoding.UTF8.GetString(Convert.FromBase64String(entry.GetProperty("authorizationToken").GetString()!)));
    }

    [Fact]
    public async Task Session_credentials_are_accepted_with_their_token()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Temporary.Credentials);

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("x-amz-security-token", SingleRecord().SignedHeaders);
    }

    [Fact]
    public async Task Request_over_HTTP2_is_verified_like_HTTP1()
    {
        // Arrange
        using var request = await EcrRequests.SignedAsync(Emulator.BaseAddress, LabIdentities.Runner.Credentials);
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;

        // Act
        using var response = await Http.SendAsync(request);

        // Assert
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<List<JsonElement>> ReadEntriesAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("authorizationData").EnumerateArray().Select(e => e.Clone())];
    }
}
