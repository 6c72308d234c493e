using Build.Secrets;
using Build.Settings;

namespace Build.Aws;

/// <summary>A bind mount of a host file into a container.</summary>
public sealed record ContainerMount(string Source, string Target, bool ReadOnly)
{
    /// <summary>The <c>source:target[:ro]</c> form of compose and config.toml volumes.</summary>
    public override string ToString() => $"{Source}:{Target}{(ReadOnly ? ":ro" : string.Empty)}";
}

/// <summary>What one container gets for the ECR helper to find AWS credentials: mounts, plain and secret variables.</summary>
public sealed record ContainerCredentials(
    IReadOnlyList<ContainerMount> Mounts,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, Secret> SecretEnvironment)
{
    /// <summary>No credentials at all: DinD jobs in token mode.</summary>
    public static ContainerCredentials None { get; } = new([], new Dictionary<string, string>(), new Dictionary<string, Secret>());
}

/// <summary>
/// The one place that decides how <c>CREDENTIALS_SOURCE</c> reaches the containers: Up reads <see cref="Runner"/>
/// for the runner container (the executor's helper), Register reads <see cref="Jobs"/> for config.toml (the DinD
/// job containers' helper), and Preflight runs the helper on the host with the runner's view. With DIND_AUTH=token
/// the jobs get none (<see cref="ContainerCredentials.None"/>): the token refresher, which has the runner's view, gives
/// them short-lived tokens instead. No secret value is ever in <see cref="Jobs"/>: config.toml is read by the runner
/// and copied into every job, so in helper mode with keys from the environment the jobs get a credentials file
/// Register writes into the state folder (<see cref="JobsFile"/>).
/// </summary>
public sealed record RunnerCredentials(CredentialsSource Source, ContainerCredentials Runner, ContainerCredentials Jobs)
{
    public const string CredentialsTarget = "/root/.aws/credentials";
    public const string CaBundleTarget = "/etc/gitlab-runner-ecr/aws-ca-bundle.pem";

    /// <summary>Variables of the AWS SDK's credential chain that the containers never get from the build's environment.</summary>
    public static readonly IReadOnlyList<string> ForeignAwsVariables =
    [
        "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR", "AWS_ECR_DISABLE_CACHE", "AWS_SDK_LOAD_CONFIG", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
    ];

    /// <param name="buildEnvironment">The build's environment, for the default location of the credentials file.</param>
    public static RunnerCredentials For(BuildSettings settings, Func<string, string?> buildEnvironment)
    {
        var mounts = new List<ContainerMount>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, Secret>(StringComparer.Ordinal);
        switch (settings.Aws.CredentialsSource)
        {
            case CredentialsSource.File:
                mounts.Add(new ContainerMount(CredentialsFileLocation.Resolve(settings.Aws.CredentialsFile?.FullPath, buildEnvironment), CredentialsTarget, ReadOnly: true));
                environment["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsTarget;
                // No shared config file: the helper reads nothing that StageCredentials did not check.
                environment["AWS_CONFIG_FILE"] = "/dev/null";
                environment["AWS_PROFILE"] = settings.Aws.Profile;
                environment["AWS_EC2_METADATA_DISABLED"] = "true";
                break;
            case CredentialsSource.Environment:
                environment["AWS_CONFIG_FILE"] = "/dev/null";
                environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
                environment["AWS_EC2_METADATA_DISABLED"] = "true";
                AddSecret(secrets, "AWS_ACCESS_KEY_ID", settings.Aws.AccessKeyId);
                AddSecret(secrets, "AWS_SECRET_ACCESS_KEY", settings.Aws.SecretAccessKey);
                AddSecret(secrets, "AWS_SESSION_TOKEN", settings.Aws.SessionToken);
                break;
            case CredentialsSource.InstanceRole:
                // The instance metadata service answers containers only with an IMDSv2 hop limit of 2 or more.
                environment["AWS_CONFIG_FILE"] = "/dev/null";
                environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
                break;
        }

        if (settings.Aws.Region is { } region)
        {
            environment["AWS_REGION"] = region;
        }

        if (settings.Aws.CaBundle is { } bundle)
        {
            mounts.Add(new ContainerMount(bundle.FullPath, CaBundleTarget, ReadOnly: true));
            environment["AWS_CA_BUNDLE"] = CaBundleTarget;
        }

        var runner = new ContainerCredentials(mounts, environment, secrets);
        if (settings.Runner.DindAuth == DindAuth.Token)
        {
            return new RunnerCredentials(settings.Aws.CredentialsSource, runner, ContainerCredentials.None);
        }

        // Helper mode: jobs (DinD docker pull) run the same helper with the same credentials as the executor, never as values.
        if (settings.Aws.CredentialsSource != CredentialsSource.Environment)
        {
            return new RunnerCredentials(settings.Aws.CredentialsSource, runner, runner);
        }

        var jobEnvironment = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsTarget,
            ["AWS_PROFILE"] = JobsProfile,
        };
        var jobs = new ContainerCredentials([new ContainerMount(State.StateLayout.Of(settings).JobsCredentials, CredentialsTarget, ReadOnly: true), .. mounts], jobEnvironment, new Dictionary<string, Secret>());
        return new RunnerCredentials(settings.Aws.CredentialsSource, runner, jobs);
    }

    /// <summary>The profile of the jobs' credentials file (CREDENTIALS_SOURCE=environment).</summary>
    public const string JobsProfile = "default";

    /// <summary>
    /// With CREDENTIALS_SOURCE=environment in helper mode, the jobs' credentials file (mode 0600, in the state folder)
    /// holding the keys of the build's environment; null for the other sources, whose jobs mount what the runner
    /// mounts, and in token mode, whose jobs get no credentials.
    /// </summary>
    public static (string Path, Secret Text)? JobsFile(BuildSettings settings)
    {
        if (settings.Runner.DindAuth == DindAuth.Token || settings.Aws.CredentialsSource != CredentialsSource.Environment
            || settings.Aws.AccessKeyId is not { } keyId || settings.Aws.SecretAccessKey is not { } secret)
        {
            return null;
        }

        var text = $"[{JobsProfile}]\naws_access_key_id = {keyId.Reveal()}\naws_secret_access_key = {secret.Reveal()}\n"
            + (settings.Aws.SessionToken is { } token ? $"aws_session_token = {token.Reveal()}\n" : string.Empty);
        return (State.StateLayout.Of(settings).JobsCredentials, new Secret(text));
    }

    /// <summary>
    /// Checks what the containers will mount, where it is chosen for mounting (StageCredentials, Up, Register): the
    /// credentials file fully (place, mode, owner, shape), every other mounted file for existence. Changes nothing.
    /// </summary>
    /// <param name="pending">A file the caller is about to write (the jobs' credentials file), not yet there.</param>
    public void Require(BuildSettings settings, FileFacts facts, string? pending = null)
    {
        foreach (var mount in Runner.Mounts.Concat(Jobs.Mounts).DistinctBy(m => m.Source).Where(m => m.Source != pending))
        {
            if (mount.Target == CredentialsTarget && Source == CredentialsSource.File)
            {
                CredentialsFileCheck.Require(mount.Source, settings.Aws.Profile, settings.Aws.Region, facts);
            }
            else if (!File.Exists(mount.Source))
            {
                throw new PreflightException([$"{mount.Source} does not exist (to be mounted at {mount.Target}): run ./build.sh --target=StageCredentials, or fix the setting that names it"]);
            }
        }
    }

    /// <summary>The runner's variables with container paths replaced by the host files mounted there, for running the helper on the host.</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment() =>
        Runner.Environment.ToDictionary(
            e => e.Key,
            e => Runner.Mounts.FirstOrDefault(m => m.Target == e.Value)?.Source ?? e.Value,
            StringComparer.Ordinal);

    private static void AddSecret(Dictionary<string, Secret> secrets, string name, Secret? value)
    {
        if (value is not null)
        {
            secrets[name] = value;
        }
    }
}
