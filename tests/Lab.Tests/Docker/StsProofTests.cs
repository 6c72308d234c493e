using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Lab.Docker;

/// <summary>
/// STS in the lab is reached by the run's regional name (<c>sts.&lt;run region&gt;.amazonaws.com</c>, in this run's
/// /etc/hosts block), never the global <c>sts.amazonaws.com</c>, which two runs would both claim.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class StsProofTests(LabFixture lab)
{
    [Fact]
    public async Task Sdk_client_for_the_runs_region_reaches_this_runs_emulator_by_its_regional_sts_name()
    {
        var region = lab.Registries[1].Ecr.Region;
        using var sts = new AmazonSecurityTokenServiceClient(
            new BasicAWSCredentials(lab.Key.AccessKeyId, lab.Key.SecretAccessKey),
            new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region), HttpClientFactory = new TestCaHttpClientFactory(lab.Ca), MaxErrorRetry = 0 });

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(lab.Key.AccountId, identity.Account);
        var call = lab.Emulator.Requests.Snapshot().Single(r => r.RequestId == identity.ResponseMetadata.RequestId);
        Assert.Equal(($"sts.{region}.amazonaws.com", region), (call.Host, call.Region));
        Assert.DoesNotContain("sts.amazonaws.com", lab.EmulatorNames);
    }
}
