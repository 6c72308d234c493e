using System.Text.Json;

namespace Lab.Docker;

/// <summary>The real amazon-ecr-credential-helper (upstream 0.8.0, static, built by <see cref="LabHelper"/>) against the lab's ECR emulator.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class HelperProofTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task Helper_get_returns_the_emulators_token_for_each_lab_registry_signed_with_the_staged_key()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        foreach (var registry in lab.Registries)
        {
            var cache = lab.NewFolder("helper-cache");
            var before = lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "ok");

            var result = await LabClient.HelperGetAsync(lab, registry.Host, lab.CredentialsFile, cache, timeout.Token);

            Assert.True(result.Succeeded, $"helper get {registry.Host} exited {result.ExitCode}: {result.Output} / log: {LabClient.HelperLog(cache)}");
            using var json = JsonDocument.Parse(result.Output);
            Assert.Equal("AWS", json.RootElement.GetProperty("Username").GetString());
            Assert.Equal(registry.Ecr.Password, json.RootElement.GetProperty("Secret").GetString());
            Assert.Equal(before + 1, lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "ok"));
            var call = lab.Emulator.Requests.Snapshot().Last(r => r.AccessKeyId == lab.Key.AccessKeyId && r.Succeeded);
            Assert.Equal(registry.Ecr.Region, call.Region);
            Assert.Equal([registry.Ecr.AccountId], call.RegistryIds);
            // The Go SDK's user agent; 0.8.0 vendors aws-sdk-go-v2 1.26.1.
            Assert.Contains("aws-sdk-go-v2", call.UserAgent);
        }
    }

    [HelperArchiveFact]
    public async Task Helper_with_a_wrong_secret_reports_not_found_and_logs_InvalidSignatureException()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var registry = lab.Registries[0];
        var cache = lab.NewFolder("helper-cache");
        var wrong = Path.Combine(lab.NewFolder("wrong-credentials"), "credentials");
        lab.WriteCredentials(wrong, lab.Key.SecretAccessKey + "x");
        var rejectedBefore = lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "InvalidSignatureException");

        var result = await LabClient.HelperGetAsync(lab, registry.Host, wrong, cache, timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(LabClient.NotFound, result.Output.Trim());
        Assert.Contains("InvalidSignatureException", LabClient.HelperLog(cache));
        Assert.Equal(rejectedBefore + 1, lab.Emulator.Requests.Count("GetAuthorizationToken", lab.Key.AccessKeyId, "InvalidSignatureException"));
        Assert.DoesNotContain(lab.Key.SecretAccessKey, result.Output + result.Error + LabClient.HelperLog(cache));
    }
}
