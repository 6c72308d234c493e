namespace Build.Diagnose;

/// <summary>
/// The runner's HOME, where the runner reads <c>~/.docker/config.json</c> and the helper <c>~/.aws</c> and <c>~/.ecr</c>:
/// a HOME that is not the runner's (sudo, cron, a service of another user) hides files set up in the right place for
/// the wrong user; and the helper's cache folder, which the runner's user must be able to create.
/// </summary>
public static class RunnerHome
{
    public static Finding Check(IRunnerProcess runner, string configPath, string dockerConfig)
    {
        const string Id = "executor.home", Check = "the runner's HOME";
        if (runner.Home is not { } home)
        {
            return Finding.Warn(Id, Check, $"the runner process {runner.Where} has no HOME: the helper finds no ~/.aws and no ~/.ecr, and the runner no ~/.docker/config.json",
                "give the runner's user a HOME (or set AWS_ECR_CACHE_DIR and AWS_SHARED_CREDENTIALS_FILE in its environment)");
        }

        var reads = $"the runner reads {dockerConfig} ({(runner.Readable(dockerConfig) ? "present" : "absent")}), the helper ~/.aws and ~/.ecr under {home}";
        if (runner.InContainer)
        {
            return Finding.Ok(Id, Check, $"HOME={home} (uid {runner.UserId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}) {runner.Where}: {reads}");
        }

        var (owner, expected) = ExpectedHome(configPath);
        return expected is not null && Path.TrimEndingDirectorySeparator(expected) != Path.TrimEndingDirectorySeparator(home)
            ? Finding.Warn(Id, Check,
                $"{configPath} is the config of a runner that runs as {owner}, with HOME={expected}, but this environment has HOME={home}: the docker config, ~/.aws and ~/.ecr found here are not the runner's, and files set up under {home} are not seen by it (sudo keeps the caller's HOME on some systems; cron and systemd give their own)",
                $"put the docker config and AWS files under {expected} (or the credentials in the runner service's environment), and run Diagnose as the runner's user with its HOME (sudo -H, or sudo -u <user> -H) to check what it sees")
            : Finding.Ok(Id, Check, $"HOME={home} {runner.Where}{(expected is null ? " (taken as the runner's: a service may have another)" : string.Empty)}: {reads}");
    }

    public static Finding CacheDir(IRunnerProcess runner)
    {
        const string Id = "executor.cache-dir", Check = "helper cache folder";
        var set = runner.Environment.GetValueOrDefault("AWS_ECR_CACHE_DIR") is { Length: > 0 } dir ? dir : null;
        var folder = set ?? (runner.Home is { } home ? home.TrimEnd('/') + "/.ecr" : null);
        var where = set is null ? "~/.ecr" : "AWS_ECR_CACHE_DIR";
        const string Fix = "set AWS_ECR_CACHE_DIR in the runner process's environment to a folder its user may write (a volume, or /tmp/ecr-login)";
        if (folder is null)
        {
            return Finding.Warn(Id, Check, "no AWS_ECR_CACHE_DIR and no HOME: the helper has nowhere to keep tokens or its log", Fix);
        }

        return runner.CanWrite(folder) switch
        {
            true => Finding.Ok(Id, Check, $"{folder} ({where}) can be written by the runner's user"),
            false => Finding.Warn(Id, Check,
                $"{folder} ({where}) cannot be created or written by the runner's user (uid {runner.UserId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}) {runner.Where}: the helper keeps no token cache, so every pull calls ECR's API, and its log, which says why a get failed, goes to the system's temp folder", Fix),
            null => Finding.Skip(Id, Check, $"whether {folder} can be written could not be checked {runner.Where}"),
        };
    }

    /// <summary>The user and HOME a runner with this config.toml runs as: root for /etc/gitlab-runner, the owner of ~/.gitlab-runner.</summary>
    private static (string Owner, string? Home) ExpectedHome(string configPath)
    {
        if (configPath.StartsWith("/etc/gitlab-runner/", StringComparison.Ordinal))
        {
            return ("root (system mode: /etc/gitlab-runner)", "/root");
        }

        var at = configPath.IndexOf("/.gitlab-runner/", StringComparison.Ordinal);
        return at > 0 ? ($"the user of {configPath[..at]} (user mode: ~/.gitlab-runner)", configPath[..at]) : (string.Empty, null);
    }
}
