using Build.Settings;

namespace Build.Aws;

/// <summary>
/// What a DinD job can reach of the runner's AWS credentials, per DIND_AUTH and CREDENTIALS_SOURCE. Preflight says it
/// on every run, as a warning where a job can take credentials that outlive it.
/// </summary>
public static class JobReach
{
    public const string MetadataRule = "iptables -I DOCKER-USER -i docker0 -d 169.254.169.254/32 -j REJECT";

    /// <summary>The line, and whether it is a warning.</summary>
    public static (string Line, bool Warning) Describe(CredentialsSource source, DindAuth mode) => (mode, source) switch
    {
        (DindAuth.Token, CredentialsSource.InstanceRole) => (
            "jobs: DIND_AUTH=token gives DinD jobs only ECR tokens (12 hours each), but the hop limit of 2 that the runner and the token refresher need "
            + $"lets every job ask the instance metadata service for the role's credentials too: stop the jobs' requests on the host ({MetadataRule} "
            + "when jobs run on Docker's default bridge), or use CREDENTIALS_SOURCE=file with a pull-only key; see docs/security.md", true),
        (DindAuth.Token, _) => ("jobs: DIND_AUTH=token: DinD jobs read only ECR tokens, each valid 12 hours from when the refresher obtained it, never the AWS key", false),
        (DindAuth.Helper, CredentialsSource.InstanceRole) => (
            "jobs: DIND_AUTH=helper: the helper in every job asks the instance metadata service, so any job can read the role's credentials and use them "
            + "from anywhere until they expire; DIND_AUTH=token gives jobs ECR tokens instead (see docs/security.md for the metadata service)", true),
        (DindAuth.Helper, CredentialsSource.Environment) => (
            "jobs: DIND_AUTH=helper mounts a file of these keys into every job: any job can read them and use them from anywhere until they are rotated; "
            + "DIND_AUTH=token gives jobs 12-hour ECR tokens instead", true),
        _ => (
            "jobs: DIND_AUTH=helper mounts the credentials file into every job: any job can read the AWS key and use it from anywhere until it is rotated; "
            + "DIND_AUTH=token gives jobs 12-hour ECR tokens instead", true),
    };
}
