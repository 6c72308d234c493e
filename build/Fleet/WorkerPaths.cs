namespace Build.Fleet;

/// <summary>
/// Where a worker of the fleet keeps what its jobs mount: the generated user-data writes these paths, and
/// <c>[runners.docker]</c> volumes name them, because the autoscaler's job containers run on the worker's daemon and
/// their bind mounts are the worker's folders, not the manager's.
/// </summary>
public static class WorkerPaths
{
    public const string Root = "/etc/gitlab-runner-ecr";

    /// <summary>Token mode: the refresher's folder on the worker (status.json and docker/).</summary>
    public const string TokenFolder = Root + "/dind-token";

    /// <summary>Token mode: the folder jobs mount read-only, holding the config.json of tokens.</summary>
    public const string TokenDocker = TokenFolder + "/docker";

    /// <summary>The refresher script, copied from assets/dind-token by the user-data.</summary>
    public const string Refresher = Root + "/refresh-dind-tokens.sh";

    /// <summary>The user-data's script that installs the helper for the instance's architecture.</summary>
    public const string InstallHelper = Root + "/install-helper.sh";

    /// <summary>The static helper: the refresher's in token mode, the jobs' (mounted) in helper mode.</summary>
    public const string Helper = "/usr/local/bin/docker-credential-ecr-login";

    /// <summary>Helper mode: the credHelpers config.json jobs mount at /root/.docker/config.json.</summary>
    public const string DindConfig = Root + "/dind/config.json";

    /// <summary>REGISTRY_CA_BUNDLE's CA on the worker, which the jobs' DinD service trusts (its daemon's own copy is under /etc/docker/certs.d).</summary>
    public const string RegistryCa = Root + "/registry-ca.pem";
}
