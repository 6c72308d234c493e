namespace Build.Settings;

/// <summary>
/// Every setting the build reads, in the order README.md and <c>--help</c> list them. A default is written here and
/// nowhere else: the settings records read it through SettingsLayers.Defaulted.
/// </summary>
public static class SettingCatalog
{
    public static readonly SettingDefinition StateDir = new(
        "STATE_DIR", ".state", "a folder path", "Folder for everything the build generates (helper builds, runner config, mounts, backups); Clean removes it.");

    public static readonly SettingDefinition ComposeProjectName = new(
        "COMPOSE_PROJECT_NAME", "gitlab-runner-ecr", "lower-case letters, digits, '-' and '_'", "Compose project name of the runner's containers.");

    public static readonly SettingDefinition RunnerName = new(
        "RUNNER_NAME", "ecr-runner", "letters, digits, '.', '-' and '_'", "Name of the runner entry in config.toml and in GitLab.");

    public static readonly SettingDefinition RunnerImage = new(
        "GITLAB_RUNNER_IMAGE", "gitlab/gitlab-runner:v19.3.0", "an image reference", "Image of the runner container.");

    public static readonly SettingDefinition DindImage = new(
        "DIND_IMAGE", "docker:29-dind", "an image reference", "Docker-in-Docker service image used by the example pipeline and SmokeTest.");

    public static readonly SettingDefinition DockerCliImage = new(
        "DOCKER_CLI_IMAGE", "docker:29-cli", "an image reference", "Job image with the docker CLI used by the example pipeline and SmokeTest.");

    public static readonly SettingDefinition CredentialsSource = new(
        "CREDENTIALS_SOURCE", "file", "file, instance-role or environment", "Where the ECR helper gets AWS credentials: a shared-credentials file, the EC2 instance role, or AWS_* variables.");

    public static readonly SettingDefinition CredentialsFile = new(
        "RUNNER_CREDENTIALS_FILE", null, "a file path outside the repository", "AWS shared-credentials file mounted read-only into the runner (and, with DIND_AUTH=helper, the jobs) (CREDENTIALS_SOURCE=file).");

    public static readonly SettingDefinition AwsProfile = new(
        "AWS_PROFILE", "default", "a profile name", "Profile of the credentials file the helper uses.");

    public static readonly SettingDefinition AwsAccessKeyId = new(
        "AWS_ACCESS_KEY_ID", null, "an AWS access key id (AKIA… or ASIA…)", "Access key id for CREDENTIALS_SOURCE=environment (or WRITE_CREDENTIALS_FROM_ENV). Environment or .env.local only; masked in every log.", IsSecret: true);

    public static readonly SettingDefinition AwsSecretAccessKey = new(
        "AWS_SECRET_ACCESS_KEY", null, "an AWS secret access key", "Secret access key for CREDENTIALS_SOURCE=environment (or WRITE_CREDENTIALS_FROM_ENV). Environment or .env.local only.", IsSecret: true);

    public static readonly SettingDefinition AwsSessionToken = new(
        "AWS_SESSION_TOKEN", null, "an AWS session token", "Session token of temporary credentials (CREDENTIALS_SOURCE=environment). Environment or .env.local only.", IsSecret: true);

    public static readonly SettingDefinition AwsRegion = new(
        "AWS_REGION", null, "an AWS region such as eu-west-1", "Region for STS preflight; registries carry their own region in the host name.");

    public static readonly SettingDefinition StsEndpoint = new(
        "STS_ENDPOINT", null, "an https URL", "STS endpoint for the preflight's GetCallerIdentity (a VPC endpoint, say); default: the regional endpoint.");

    public static readonly SettingDefinition CaBundle = new(
        "AWS_CA_BUNDLE", null, "a PEM file path", "CA bundle trusted for AWS calls (TLS-intercepting proxies), as the AWS CLI and the helper read it; mounted into the runner (and, with DIND_AUTH=helper, the jobs).");

    public static readonly SettingDefinition WriteCredentialsFromEnv = new(
        "WRITE_CREDENTIALS_FROM_ENV", "false", "true or false", "StageCredentials writes AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment into the credentials file's profile.");

    public static readonly SettingDefinition FixCredentialsMode = new(
        "FIX_CREDENTIALS_MODE", "false", "true or false", "StageCredentials runs chmod 600 on a credentials file that others can read, instead of refusing it.");

    public static readonly SettingDefinition Registries = new(
        "ECR_REGISTRIES", null, "comma-separated ECR hosts: <12 digits>.dkr.ecr.<region>.amazonaws.com, public.ecr.aws or ecr-public.aws.com", "ECR registries the runner and jobs authenticate to (one credHelpers entry each): private ones and ECR Public.");

    public static readonly SettingDefinition PrivateImage = new(
        "PRIVATE_ECR_IMAGE", null, "an image reference on a private ECR host", "Private image SmokeTest pulls; its registry is added to ECR_REGISTRIES.");

    public static readonly SettingDefinition PublicImage = new(
        "PUBLIC_ECR_IMAGE", null, "an image reference on public.ecr.aws (or ecr-public.aws.com)", "ECR Public image SmokeTest pulls at both levels with the helper's token; its registry is added to ECR_REGISTRIES.");

    public static readonly SettingDefinition PullThroughCache = new(
        "PULL_THROUGH_CACHE", null, "comma-separated prefix=upstream pairs, e.g. docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws", "Pull-through cache rules of PULL_THROUGH_REGISTRY: Preflight checks that each exists, Mirror translates images through them.");

    public static readonly SettingDefinition PullThroughRegistry = new(
        "PULL_THROUGH_REGISTRY", null, "a private ECR host", "Private registry whose pull-through cache rules PULL_THROUGH_CACHE names (default: the registry of PRIVATE_ECR_IMAGE); added to ECR_REGISTRIES.");

    public static readonly SettingDefinition PullThroughProbeImage = new(
        "PULL_THROUGH_PROBE_IMAGE", null, "an image reference on an upstream of PULL_THROUGH_CACHE, e.g. alpine:3.20", "Small upstream image that Preflight asks for through the cache (a manifest request) and SmokeTest pulls through it at both levels.");

    public static readonly SettingDefinition MirrorImage = new(
        "MIRROR_IMAGE", null, "comma-separated image references", "Images the Mirror target prints in their pull-through form (--mirror-image=alpine:3.20).");

    public static readonly SettingDefinition HelperVersion = new(
        "HELPER_VERSION", "0.12.0", "a version such as 0.12.0", "amazon-ecr-credential-helper version to build or download.");

    public static readonly SettingDefinition HelperSource = new(
        "HELPER_SOURCE", "build", "build, archive, download or path", "How the static helper is obtained: go install in a Go container, built offline from HELPER_ARCHIVE, downloaded with a SHA-256 check, or taken from HELPER_PATH.");

    public static readonly SettingDefinition HelperPath = new(
        "HELPER_PATH", null, "a file path", "An existing static docker-credential-ecr-login binary (HELPER_SOURCE=path).");

    public static readonly SettingDefinition HelperPlatforms = new(
        "HELPER_PLATFORMS", "linux/amd64,linux/arm64", "comma-separated linux/amd64 and/or linux/arm64", "Platforms the helper is built for.");

    // Inputs of the helper's sources (build, archive, download); see README "The credential helper".
    public static readonly SettingDefinition HelperGoImage = new(
        "HELPER_GO_IMAGE", "golang:1.26.7-alpine", "an image reference", "Go toolchain image the build and archive sources compile in (pulled when missing).");

    public static readonly SettingDefinition HelperModule = new(
        "HELPER_MODULE", "github.com/awslabs/amazon-ecr-credential-helper", "a Go module path", "Module whose ecr-login/cli/docker-credential-ecr-login the build source installs (a fork or mirror).");

    public static readonly SettingDefinition HelperGoProxy = new(
        "HELPER_GOPROXY", "https://proxy.golang.org,direct", "a GOPROXY list of https://, http://, file:// URLs, direct or off; no user info in a URL", "Module proxy of the build source; a file:// folder is mounted read-only into the Go container.");

    public static readonly SettingDefinition HelperArchive = new(
        "HELPER_ARCHIVE", null, "a .tar.gz file path", "Upstream release source archive with vendored modules, built offline (HELPER_SOURCE=archive).");

    public static readonly SettingDefinition HelperDownloadUrl = new(
        "HELPER_DOWNLOAD_URL", "https://amazon-ecr-credential-helper-releases.s3.us-east-2.amazonaws.com", "an https URL without user info (http:// only for a loopback host)", "Base of the release files <base>/<version>/linux-<arch>/docker-credential-ecr-login and .sha256 (HELPER_SOURCE=download).");

    public static readonly SettingDefinition UseCredsStore = new(
        "USE_CREDS_STORE", "false", "true or false", "Use credsStore instead of per-registry credHelpers (not recommended: see README).");

    public static readonly SettingDefinition DindAuth = new(
        "DIND_AUTH", "token", "token or helper", "How DinD jobs authenticate: token mounts a read-only docker config.json of short-lived ECR tokens that a refresher service renews (jobs see no AWS key); helper mounts the helper and the runner's credentials.");

    public static readonly SettingDefinition DindTokenRefresh = new(
        "DIND_TOKEN_REFRESH", "1h", "a duration of at least 5 s and under 11 h: seconds (90 or 90s), minutes (30m) or hours (1h)", "How often the token refresher renews the DinD jobs' ECR tokens, which last 12 h (DIND_AUTH=token).");

    public static readonly SettingDefinition GitLabUrl = new(
        "GITLAB_URL", "https://gitlab.com", "an http(s) URL without user info", "GitLab instance the runner registers with (tokens go in GITLAB_TOKEN or GITLAB_RUNNER_TOKEN, never in the URL).");

    public static readonly SettingDefinition RunnerToken = new(
        "GITLAB_RUNNER_TOKEN", null, "a runner authentication token (glrt-… or glrtr-…)", "Runner authentication token created in GitLab's UI. Environment or .env.local only.", IsSecret: true);

    public static readonly SettingDefinition GitLabToken = new(
        "GITLAB_TOKEN", null, "a personal access token (glpat-…) with create_runner scope", "Creates the runner through the API when no runner token is given. Environment or .env.local only.", IsSecret: true);

    public static readonly SettingDefinition RegistrationToken = new(
        "GITLAB_REGISTRATION_TOKEN", null, "a legacy registration token (GR1348941… or 20+ letters and digits)", "Deprecated registration-token flow. Environment or .env.local only.", IsSecret: true);

    public static readonly SettingDefinition GitLabProject = new(
        "GITLAB_PROJECT", null, "a project id or path (group/project)", "Project the runner is created for when GITLAB_TOKEN creates it (POST /user/runners).");

    public static readonly SettingDefinition RunnerTags = new(
        "RUNNER_TAGS", null, "comma-separated tags, at most 49, each 1-255 ASCII letters, digits, '.', '_', '-', ':' or '/'", "Tags of a runner Register creates (GITLAB_TOKEN or the legacy registration token).");

    public static readonly SettingDefinition RunnerRunUntagged = new(
        "RUNNER_RUN_UNTAGGED", "true", "true or false", "Whether a runner Register creates also picks untagged jobs.");

    public static readonly SettingDefinition RunnerDescription = new(
        "RUNNER_DESCRIPTION", null, "text", "Description of a runner Register creates in GitLab (default: RUNNER_NAME).");

    public static readonly SettingDefinition RunnerConcurrent = new(
        "RUNNER_CONCURRENT", null, "a whole number 1-1000", "Global concurrent of config.toml; unset keeps the file's value (a new file gets 1).");

    public static readonly SettingDefinition GitLabCaBundle = new(
        "GITLAB_CA_BUNDLE", null, "a PEM file path", "CA certificates Register trusts for GITLAB_URL besides the system's (a self-signed or company-CA GitLab).");

    public static readonly SettingDefinition Server = new(
        "SERVER", "false", "true or false", "Also run a local GitLab CE container (compose profile) and bootstrap it.");

    public static readonly SettingDefinition RunnerExtraHosts = new(
        "RUNNER_EXTRA_HOSTS", null, "comma-separated host:ip entries", "Extra /etc/hosts entries for the runner and (through Register) its jobs: private DNS names, VPC endpoints.");

    public static readonly SettingDefinition RunnerNetwork = new(
        "RUNNER_NETWORK", null, "the name of an existing Docker network", "Docker network the runner joins and (through Register) its jobs use: a proxy, a registry mirror, the local GitLab.");

    public static readonly SettingDefinition RunnerRestartPolicy = new(
        "RUNNER_RESTART_POLICY", "unless-stopped", "no, always, on-failure or unless-stopped", "Restart policy of the runner container.");

    public static readonly SettingDefinition ImagePull = new(
        "IMAGE_PULL", "missing", "missing or never", "Whether Up and BuildHelper pull a missing image (missing) or stop with an error (never: air-gapped sites, local images).");

    public static readonly SettingDefinition ServerImage = new(
        "GITLAB_SERVER_IMAGE", "gitlab/gitlab-ce:19.3.0-ce.0", "an image reference", "GitLab CE image of the local server (server mode).");

    public static readonly SettingDefinition ServerWebPort = new(
        "GITLAB_SERVER_WEB_PORT", "8800", "a port 1-65535", "Loopback port of the local GitLab's web UI (server mode).");

    public static readonly SettingDefinition ServerSshPort = new(
        "GITLAB_SERVER_SSH_PORT", "2200", "a port 1-65535", "Loopback port of the local GitLab's SSH (server mode).");

    public static readonly SettingDefinition ServerTimeout = new(
        "GITLAB_SERVER_TIMEOUT", "900", "a whole number of seconds 10-86400", "How long Up waits for the local GitLab to be healthy and answer HTTP (server mode; a first start takes minutes).");

    public static readonly SettingDefinition ServerProject = new(
        "GITLAB_SERVER_PROJECT", "ecr-smoke", "a project path: letters, digits, '.', '-' and '_'", "Project the server bootstrap finds or creates under root for the runner and SmokeTest (server mode).");

    public static readonly SettingDefinition CleanDryRun = new(
        "CLEAN_DRY_RUN", "false", "true or false", "Clean only lists what it would unregister and remove, and changes nothing (as --target=Clean --dryrun does).");

    public static readonly SettingDefinition CleanServerData = new(
        "CLEAN_SERVER_DATA", "false", "true or false", "Clean also removes the local GitLab's data (STATE_DIR/server).");

    public static readonly SettingDefinition CleanBackups = new(
        "CLEAN_BACKUPS", "false", "true or false", "Clean also removes the config.toml backups (STATE_DIR/runner/backups).");

    public static readonly SettingDefinition CleanImages = new(
        "CLEAN_IMAGES", "false", "true or false", "Clean also removes the images labelled with the project (gitlab-runner-ecr.project).");

    public static readonly SettingDefinition DindPrivileged = new(
        "DIND_PRIVILEGED", "true", "true or false", "SmokeTest starts its DinD service privileged, as [runners.docker] says; false starts it with the equivalent capability set (hosts that refuse --privileged).");

    public static readonly SettingDefinition RegistryCaBundle = new(
        "REGISTRY_CA_BUNDLE", null, "a PEM file path", "CA the DinD service trusts for every registry host (a registry mirror with a private CA): mounted at /etc/docker/certs.d/<host>/ca.crt by Register and SmokeTest.");

    // SmokeTest's pipeline mode: on when GITLAB_TOKEN (api scope) and GITLAB_PROJECT are set.
    public static readonly SettingDefinition PipelineBranch = new(
        "PIPELINE_BRANCH", "gitlab-runner-ecr-smoketest", "a branch name (letters, digits, '.', '-', '_', '/')", "Branch of GITLAB_PROJECT SmokeTest commits the example pipeline to (made from the default branch) and runs it on.");

    public static readonly SettingDefinition PipelineTimeout = new(
        "PIPELINE_TIMEOUT", "900", "a whole number of seconds 10-86400", "How long SmokeTest's pipeline mode follows the pipeline before it cancels it and fails.");

    public static readonly SettingDefinition PipelinePendingTimeout = new(
        "PIPELINE_PENDING_TIMEOUT", "120", "a whole number of seconds 5-86400", "How long a job may stay pending (no runner picked it) before SmokeTest says why, cancels the pipeline and fails.");

    public static readonly SettingDefinition PipelinePollInterval = new(
        "PIPELINE_POLL_INTERVAL", "3", "seconds 0.1-60 (e.g. 3 or 0.5)", "How often SmokeTest's pipeline mode asks GitLab for the pipeline's jobs.");

    // Diagnose: a runner this build did not set up.
    public static readonly SettingDefinition DiagnoseConfig = new(
        "DIAGNOSE_CONFIG", null, "a config.toml file path", "The runner's config.toml that Diagnose reads (never writes); required by Diagnose.");

    public static readonly SettingDefinition DiagnoseContainer = new(
        "DIAGNOSE_CONTAINER", null, "a container name or id (letters, digits, '_', '.', '-')", "The container the runner process runs in, when it runs in one: Diagnose looks at the helper, HOME and environment there.");

    public static readonly SettingDefinition DiagnoseFormat = new(
        "DIAGNOSE_FORMAT", "text", "text or json", "Diagnose prints a table per runner entry (text), or one JSON document and nothing else on standard output (json).");

    // Scale-out: GitLab's docker-autoscaler on an AWS Auto Scaling group (FLEET=aws).
    public static readonly SettingDefinition Fleet = new(
        "FLEET", "none", "none or aws", "none: jobs run on this machine (Docker executor); aws: the runner is the manager of GitLab's docker-autoscaler on the Auto Scaling group FLEET_ASG, and jobs run on its instances.");

    public static readonly SettingDefinition FleetAsg = new(
        "FLEET_ASG", null, "an Auto Scaling group name: letters, digits, '.', '-' and '_', at most 255", "The Auto Scaling group of the workers (FLEET=aws): one group per runner entry, desired and minimum 0, scale-in protection on.");

    public static readonly SettingDefinition FleetPlugin = new(
        "FLEET_PLUGIN", "aws:1.1", "a fleeting plugin reference pinned to a version: [<registry>/]<repository>/<name> or <name>, then :<major>[.<minor>[.<patch>]]", "The fleeting plugin Up installs in the runner container (gitlab-runner fleeting install) and config.toml names; pinned, so a new plugin release never changes a running fleet.");

    public static readonly SettingDefinition FleetPluginArchive = new(
        "FLEET_PLUGIN_ARCHIVE", null, "a .tar.gz file path holding the fleeting-plugin-aws binary", "Air-gapped sites: Up installs the plugin from this local archive instead of FLEET_PLUGIN's registry, and config.toml names the binary.");

    public static readonly SettingDefinition FleetMaxInstances = new(
        "FLEET_MAX_INSTANCES", "10", "a whole number 1-1000", "Most instances the autoscaler runs at once (max_instances); the group's maximum size should be at least this.");

    public static readonly SettingDefinition FleetCapacityPerInstance = new(
        "FLEET_CAPACITY_PER_INSTANCE", "1", "a whole number 1-100", "Jobs one instance runs at the same time (capacity_per_instance).");

    public static readonly SettingDefinition FleetMaxUseCount = new(
        "FLEET_MAX_USE_COUNT", "1", "a whole number 0-100000 (0: no limit)", "Jobs an instance runs before it is replaced (max_use_count); 1 gives every job a fresh instance.");

    public static readonly SettingDefinition FleetIdleCount = new(
        "FLEET_IDLE_COUNT", "0", "a whole number 0-100000, at most FLEET_MAX_INSTANCES x FLEET_CAPACITY_PER_INSTANCE", "Job slots kept idle and ready (the policy's idle_count); SmokeTest's fleet mode needs a running instance: 1 or more.");

    public static readonly SettingDefinition FleetIdleTime = new(
        "FLEET_IDLE_TIME", "20m", "a duration: seconds (90 or 90s), minutes (20m) or hours (1h), at most 24 h", "How long an idle instance is kept before it is removed (the policy's idle_time).");

    public static readonly SettingDefinition FleetSshUser = new(
        "FLEET_SSH_USER", "ec2-user", "a Linux user name: lower-case letters, digits, '_' and '-', at most 32", "The user the runner connects to the instances as (connector_config username); the generated user-data puts it in the docker group.");

    public static readonly SettingDefinition FleetUseExternalAddr = new(
        "FLEET_USE_EXTERNAL_ADDR", "false", "true or false", "The runner connects to the instances' public addresses (use_external_addr) instead of their private ones (a manager outside the group's VPC).");

    public static readonly SettingDefinition FleetHelperUrl = new(
        "FLEET_HELPER_URL", null, "an http(s) URL without user info (the SHA-256 check guards a plain-http download)", "Where the workers' user-data downloads the helper: <url>/<HELPER_VERSION>/linux-<arch>/docker-credential-ecr-login, checked against the SHA-256 of the helper BuildHelper made (FLEET=aws).");

    public static readonly SettingDefinition FleetSshKey = new(
        "FLEET_SSH_KEY", null, "a private key file (OpenSSH or PEM, no passphrase) readable by its owner only", "SmokeTest's fleet mode: the private key the runner's connector uses for FLEET_SSH_USER on the instances (connector_config key_path with static credentials); SmokeTest connects with it as the runner does. Never printed.");

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        StateDir, ComposeProjectName, RunnerName, RunnerImage, DindImage, DockerCliImage,
        CredentialsSource, CredentialsFile, AwsProfile, AwsAccessKeyId, AwsSecretAccessKey, AwsSessionToken, AwsRegion, Registries, PrivateImage,
        PublicImage, PullThroughCache, PullThroughRegistry, PullThroughProbeImage, MirrorImage,
        StsEndpoint, CaBundle, WriteCredentialsFromEnv, FixCredentialsMode,
        HelperVersion, HelperSource, HelperPath, HelperPlatforms,
        HelperGoImage, HelperModule, HelperGoProxy, HelperArchive, HelperDownloadUrl,
        UseCredsStore, DindAuth, DindTokenRefresh,
        GitLabUrl, RunnerToken, GitLabToken, RegistrationToken, GitLabProject, RunnerTags, RunnerRunUntagged, RunnerDescription, RunnerConcurrent, GitLabCaBundle,
        RunnerExtraHosts, RunnerNetwork, RunnerRestartPolicy, ImagePull,
        Server, ServerImage, ServerWebPort, ServerSshPort, ServerTimeout, ServerProject,
        CleanDryRun, CleanServerData, CleanBackups, CleanImages,
        DindPrivileged, RegistryCaBundle,
        PipelineBranch, PipelineTimeout, PipelinePendingTimeout, PipelinePollInterval,
        DiagnoseConfig, DiagnoseContainer, DiagnoseFormat,
        Fleet, FleetAsg, FleetPlugin, FleetPluginArchive, FleetMaxInstances, FleetCapacityPerInstance, FleetMaxUseCount, FleetIdleCount, FleetIdleTime,
        FleetSshUser, FleetUseExternalAddr, FleetHelperUrl, FleetSshKey,
    ];

    public static SettingDefinition? Find(string key) =>
        All.FirstOrDefault(d => string.Equals(d.Key, key, StringComparison.OrdinalIgnoreCase));
}
