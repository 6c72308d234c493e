using Build.Settings;

namespace Build.Tasks;

/// <summary>
/// What tasks declare they need (their Requirements), each check cheap and local: settings present, a file a setting
/// names exists, STATE_DIR usable. A missing one is "what is missing: what to set", never a value.
/// </summary>
public static class Needs
{
    public static IEnumerable<string> Registries(BuildContext context)
    {
        if (context.Settings.Aws.Registries.Count == 0)
        {
            yield return $"{SettingCatalog.Registries.Key} is not set and {SettingCatalog.PrivateImage.Key} names no registry: set {SettingCatalog.Registries.Key}=<account>.dkr.ecr.<region>.amazonaws.com (comma-separated) in .env.local";
        }
    }

    /// <summary>In token mode (DIND_AUTH=token) the refresher needs the registries to get tokens for.</summary>
    public static IEnumerable<string> TokenRegistries(BuildContext context) =>
        context.Settings.Runner.DindAuth == DindAuth.Token
            ? Registries(context).Select(problem => problem.Replace(" in .env.local", " in .env.local (the DinD token refresher gets a token for each; or set DIND_AUTH=helper)", StringComparison.Ordinal))
            : [];

    /// <summary>STATE_DIR can be written: not a system folder, $HOME or the repository, not another project's, not a folder of other files.</summary>
    public static IEnumerable<string> State(BuildContext context)
    {
        if (context.StateFolder.Problem() is { } problem)
        {
            yield return $"{problem.Problem}: {problem.Fix}";
        }
    }

    /// <summary>With CREDENTIALS_SOURCE=environment, the key pair is set and shaped like one.</summary>
    public static IEnumerable<string> EnvironmentKeys(BuildContext context) =>
        context.Settings.Aws.CredentialsSource == CredentialsSource.Environment
            ? Aws.CredentialsStaging.EnvironmentKeyProblems(context.Settings, "CREDENTIALS_SOURCE=environment")
            : [];

    /// <summary>
    /// With CREDENTIALS_SOURCE=file, a file to mount exists, or this run writes it from the environment. StageCredentials
    /// and Preflight do not need it: they create it from the template and say what to fill in.
    /// </summary>
    public static IEnumerable<string> CredentialsFile(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Aws.CredentialsSource != CredentialsSource.File || settings.Aws.WriteCredentialsFromEnv)
        {
            yield break;
        }

        var path = Aws.CredentialsFileLocation.Resolve(settings.Aws.CredentialsFile?.FullPath, context.EnvironmentVariables);
        if (!File.Exists(path))
        {
            yield return $"no AWS credentials file at {path}{(settings.Aws.CredentialsFile is { } configured && configured.FullPath != path ? $" (RUNNER_CREDENTIALS_FILE = {configured.FullPath} does not exist either)" : string.Empty)}: run ./build.sh --target=StageCredentials (it creates one from the template for you to fill in), or set RUNNER_CREDENTIALS_FILE to yours, or export the keys and add --write-credentials-from-env";
        }
    }

    /// <summary>The file HELPER_SOURCE reads (a binary or a source archive) exists.</summary>
    public static IEnumerable<string> HelperInput(BuildContext context)
    {
        var settings = context.Settings;
        var (definition, path) = settings.Helper.Source switch
        {
            HelperSource.Path => (SettingCatalog.HelperPath, settings.Helper.Path?.FullPath),
            HelperSource.Archive => (SettingCatalog.HelperArchive, settings.Helper.Archive?.FullPath),
            _ => (null, null),
        };
        if (definition is not null && path is not null && !File.Exists(path))
        {
            yield return $"{definition.Key} = {path} does not exist: point it at the file (HELPER_SOURCE={settings.Helper.Source.ToString().ToLowerInvariant()})";
        }
    }

    /// <summary>Register has a way to a runner token: a setting, server mode, or a token already in config.toml.</summary>
    public static IEnumerable<string> RunnerToken(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.GitLab.RunnerToken is not null || settings.Server.Enabled || HasToken(context) || settings.GitLab.RegistrationToken is not null)
        {
            yield break;
        }

        if (settings.GitLab.PersonalToken is not null)
        {
            if (settings.GitLab.Project is null)
            {
                yield return $"{SettingCatalog.GitLabToken.Key} creates a project runner and {SettingCatalog.GitLabProject.Key} is not set: set it to the project's id or path (group/project)";
            }

            yield break;
        }

        yield return $"no GitLab token is set and config.toml holds no runner token to reuse: create a runner in GitLab (Settings > CI/CD > Runners > New project runner) and set {SettingCatalog.RunnerToken.Key}=glrt-… in .env.local, or set {SettingCatalog.GitLabToken.Key} (create_runner scope) and {SettingCatalog.GitLabProject.Key}, or use --server";
    }

    public static IEnumerable<string> PrivateImage(BuildContext context)
    {
        if (context.Settings.Aws.PrivateImage is null)
        {
            yield return $"{SettingCatalog.PrivateImage.Key} is not set: set it to a private image in your ECR registry (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest) in .env.local or the environment";
        }
    }

    /// <summary>PULL_THROUGH_CACHE names at least one rule.</summary>
    public static IEnumerable<string> PullThroughCache(BuildContext context)
    {
        if (!context.Settings.Aws.PullThrough.Enabled)
        {
            yield return $"{SettingCatalog.PullThroughCache.Key} is not set: set it to the rules of your registry's pull-through cache, e.g. {SettingCatalog.PullThroughCache.Key}=docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws in .env.local";
        }
    }

    /// <summary>
    /// With PULL_THROUGH_CACHE, a private registry holds the rules (PULL_THROUGH_REGISTRY or PRIVATE_ECR_IMAGE's); a
    /// PULL_THROUGH_PROBE_IMAGE needs rules to go through.
    /// </summary>
    public static IEnumerable<string> PullThroughRegistry(BuildContext context)
    {
        var cache = context.Settings.Aws.PullThrough;
        if (cache.Enabled && cache.Registry is null)
        {
            yield return $"{SettingCatalog.PullThroughCache.Key} is set but no registry holds its rules: set {SettingCatalog.PullThroughRegistry.Key}=<account>.dkr.ecr.<region>.amazonaws.com, or {SettingCatalog.PrivateImage.Key} to an image in that registry";
        }

        if (!cache.Enabled && cache.ProbeImage is not null)
        {
            yield return $"{SettingCatalog.PullThroughProbeImage.Key} is set but {SettingCatalog.PullThroughCache.Key} is not: set the cache's rules (e.g. {SettingCatalog.PullThroughCache.Key}=docker-hub=registry-1.docker.io), or unset {SettingCatalog.PullThroughProbeImage.Key}";
        }
    }

    /// <summary>MIRROR_IMAGE names the images to translate.</summary>
    public static IEnumerable<string> MirrorImages(BuildContext context)
    {
        if (context.Settings.Aws.PullThrough.MirrorImages.Count == 0)
        {
            yield return $"no image to translate: give one or more with {SettingCatalog.MirrorImage.Argument}=alpine:3.20 (comma-separated)";
        }
    }

    /// <summary>Diagnose's config.toml: set, and a file.</summary>
    public static IEnumerable<string> DiagnoseConfig(BuildContext context)
    {
        var key = SettingCatalog.DiagnoseConfig.Key;
        if (context.Settings.Diagnose.Config?.FullPath is not { } path)
        {
            yield return $"{key} is not set: set it to the runner's config.toml (/etc/gitlab-runner/config.toml for a runner as root, ~/.gitlab-runner/config.toml for one as a user, or a copy of the one in the runner's container)";
        }
        else if (!File.Exists(path))
        {
            yield return Directory.Exists(path)
                ? $"{key} = {path} is a folder: point it at the config.toml in it"
                : $"{key} = {path} does not exist: point it at the runner's config.toml";
        }
    }

    /// <summary>
    /// With FLEET=aws SmokeTest proves a worker of the group, reached as the runner reaches it: the group's name, and
    /// the connector's private key, which must exist and be private to its owner (as ssh demands).
    /// </summary>
    public static IEnumerable<string> SmokeTestFleet(BuildContext context)
    {
        foreach (var problem in FleetGroup(context))
        {
            yield return problem;
        }

        if (context.Settings.Fleet is { Enabled: true } fleet)
        {
            if (fleet.SshKey is not { } key)
            {
                yield return $"FLEET=aws and {SettingCatalog.FleetSshKey.Key} is not set: SmokeTest connects to a worker as the runner does, so point it at the private key the runner's connector uses for {SettingCatalog.FleetSshUser.Key}";
            }
            else if (Build.Fleet.SshKeyCheck.Problem(key.FullPath) is { } problem)
            {
                yield return problem;
            }
        }
    }

    /// <summary>With FLEET=aws and FLEET_PLUGIN_ARCHIVE, the archive Up unpacks exists.</summary>
    public static IEnumerable<string> FleetPluginArchive(BuildContext context)
    {
        if (context.Settings.Fleet is { Enabled: true, PluginArchive: { } archive } && !File.Exists(archive.FullPath))
        {
            yield return $"{SettingCatalog.FleetPluginArchive.Key} = {archive.FullPath} does not exist: point it at the plugin release's .tar.gz, or unset it to install FLEET_PLUGIN from its registry";
        }
    }

    /// <summary>With FLEET=aws, the group's name.</summary>
    public static IEnumerable<string> FleetGroup(BuildContext context)
    {
        if (context.Settings.Fleet is { Enabled: true, GroupName: null })
        {
            yield return $"FLEET=aws and {SettingCatalog.FleetAsg.Key} is not set: set it to the Auto Scaling group of the workers (STATE_DIR/fleet/cloudformation.yaml creates one)";
        }
    }

    /// <summary>With FLEET=aws, the group's name, and where the workers download the helper.</summary>
    public static IEnumerable<string> Fleet(BuildContext context)
    {
        var fleet = context.Settings.Fleet;
        foreach (var problem in FleetGroup(context))
        {
            yield return problem;
        }

        if (fleet.Enabled && fleet.HelperUrl is null)
        {
            yield return $"FLEET=aws and {SettingCatalog.FleetHelperUrl.Key} is not set: set it to where the workers download the helper (<url>/<HELPER_VERSION>/linux-<arch>/docker-credential-ecr-login: copy STATE_DIR/helper's binaries there)";
        }
    }

    private static bool HasToken(BuildContext context)
    {
        try
        {
            var file = context.State.ConfigToml;
            return File.Exists(file) && RunnerConfig.ConfigToml.TokenOf(File.ReadAllText(file), context.Settings.Runner.Name, file) is not null;
        }
        catch (Exception ex) when (ex is RunnerConfig.ConfigTomlException or IOException or UnauthorizedAccessException)
        {
            // Register itself reports a file it cannot read, with the fix.
            return true;
        }
    }
}
