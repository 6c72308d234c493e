using Build.Aws;
using Build.Settings;

namespace Build.Tests.Aws;

/// <summary>What Preflight says a DinD job can reach, mode by mode and source by source.</summary>
public sealed class JobReachTests
{
    [Theory]
    [InlineData(CredentialsSource.File)]
    [InlineData(CredentialsSource.Environment)]
    public void Token_mode_with_a_key_tells_that_jobs_read_only_tokens(CredentialsSource source)
    {
        var (line, warning) = JobReach.Describe(source, DindAuth.Token);

        Assert.False(warning);
        Assert.Equal("jobs: DIND_AUTH=token: DinD jobs read only ECR tokens, each valid 12 hours from when the refresher obtained it, never the AWS key", line);
    }

    [Fact]
    public void Token_mode_with_the_instance_role_warns_that_jobs_reach_the_metadata_service_and_names_the_mitigation()
    {
        var (line, warning) = JobReach.Describe(CredentialsSource.InstanceRole, DindAuth.Token);

        Assert.True(warning);
        Assert.Contains("lets every job ask the instance metadata service for the role's credentials too", line);
        Assert.Contains("iptables -I DOCKER-USER -i docker0 -d 169.254.169.254/32 -j REJECT", line);
        Assert.Contains("CREDENTIALS_SOURCE=file with a pull-only key", line);
    }

    [Theory]
    [InlineData(CredentialsSource.File, "mounts the credentials file into every job")]
    [InlineData(CredentialsSource.Environment, "mounts a file of these keys into every job")]
    [InlineData(CredentialsSource.InstanceRole, "the helper in every job asks the instance metadata service")]
    public void Helper_mode_warns_that_any_job_can_take_the_credentials_and_names_token_mode(CredentialsSource source, string how)
    {
        var (line, warning) = JobReach.Describe(source, DindAuth.Helper);

        Assert.True(warning);
        Assert.Contains(how, line);
        Assert.Contains("DIND_AUTH=token gives jobs", line);
    }
}
