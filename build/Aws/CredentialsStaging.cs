using Amazon.Runtime.CredentialManagement;
using Build.Secrets;
using Build.Settings;

namespace Build.Aws;

/// <summary>The credentials Preflight proves: the source, the key (none for the instance role) and the region.</summary>
public sealed record StagedCredentials(CredentialsSource Source, AwsKey? Key, string Region, string? File);

/// <summary>
/// Finds, creates when missing, and validates the credentials of <c>CREDENTIALS_SOURCE</c>. Every problem is reported
/// at once and nothing is changed on failure; key id and secret are registered with the redactor as soon as read.
/// </summary>
public sealed class CredentialsStaging(BuildSettings settings, Redactor redactor, FileFacts facts, Func<string, string?> environment, Action<string> log)
{
    public StagedCredentials Stage()
    {
        RegisterSettingsSecrets();
        return settings.Aws.CredentialsSource switch
        {
            CredentialsSource.File => FromFile(),
            CredentialsSource.Environment => FromEnvironment(),
            _ => FromInstanceRole(),
        };
    }

    private void RegisterSettingsSecrets()
    {
        foreach (var (name, secret) in settings.Secrets)
        {
            redactor.Add(secret, name);
        }
    }

    private StagedCredentials FromFile()
    {
        var configured = settings.Aws.CredentialsFile?.FullPath;
        var path = CredentialsFileLocation.Resolve(configured, environment);
        if (!File.Exists(path) || settings.Aws.WriteCredentialsFromEnv)
        {
            // Where the file is (or will be) and who may read it are checked before a key is written into it.
            CheckPlacementBeforeWriting(path);
        }

        if (!File.Exists(path))
        {
            var fromEnvironment = settings.Aws.WriteCredentialsFromEnv ? EnvironmentKey("WRITE_CREDENTIALS_FROM_ENV") : null;
            CreateFromTemplate(path, fromEnvironment);
            RecordInEnvLocal(path, configured);
            if (fromEnvironment is null)
            {
                throw new PreflightException(
                    [
                        $"created {path} from the template (mode 0600, folder 0700){(configured is null ? string.Empty : $" because RUNNER_CREDENTIALS_FILE = {configured} does not exist")} and recorded it as RUNNER_CREDENTIALS_FILE in {EnvLocalPath}",
                        $"fill in profile [{settings.Aws.Profile}] there: aws_access_key_id, aws_secret_access_key, region (and aws_session_token for temporary ASIA… keys; leave it empty otherwise), then run ./build.sh --target=StageCredentials again",
                        "or, non-interactively: export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and run ./build.sh --target=StageCredentials --write-credentials-from-env",
                    ],
                    "The credentials file has to be filled in:");
            }
        }
        else
        {
            if (path != configured)
            {
                RecordInEnvLocal(path, configured);
            }

            if (settings.Aws.WriteCredentialsFromEnv)
            {
                WriteProfile(path, EnvironmentKey("WRITE_CREDENTIALS_FROM_ENV"));
            }
        }

        var result = CredentialsFileCheck.Check(path, settings.Aws.Profile, settings.Aws.Region, facts);
        if (result.ModeTooWide && settings.Aws.FixCredentialsMode && result.Problems.Count == 1 && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, CredentialsFileCheck.Private);
            log($"{path}: mode set to 0600 (FIX_CREDENTIALS_MODE)");
            result = CredentialsFileCheck.Check(path, settings.Aws.Profile, settings.Aws.Region, facts);
        }

        if (result.Key is not { } key)
        {
            throw new PreflightException(result.Problems, $"The credentials file {path} (profile [{settings.Aws.Profile}]) cannot be used; nothing was changed:");
        }

        key.RegisterWith(redactor);
        return new StagedCredentials(CredentialsSource.File, key, key.Region, path);
    }

    private void CheckPlacementBeforeWriting(string path)
    {
        var placement = CredentialsFileCheck.Placement(path, facts);
        if (placement.ModeTooWide && settings.Aws.FixCredentialsMode && placement.Problems.Count == 1 && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, CredentialsFileCheck.Private);
            log($"{path}: mode set to 0600 (FIX_CREDENTIALS_MODE)");
            placement = CredentialsFileCheck.Placement(path, facts);
        }

        if (placement.Problems.Count > 0)
        {
            throw new PreflightException(placement.Problems, $"No key was written to {path}; nothing was changed:");
        }
    }

    private StagedCredentials FromEnvironment()
    {
        var key = EnvironmentKey("CREDENTIALS_SOURCE=environment");
        return new StagedCredentials(CredentialsSource.Environment, key, key.Region, null);
    }

    private StagedCredentials FromInstanceRole()
    {
        if (environment("AWS_EC2_METADATA_DISABLED") is { } disabled && disabled.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightException(["CREDENTIALS_SOURCE=instance-role, but AWS_EC2_METADATA_DISABLED=true in this environment turns the instance metadata service off: unset it (on an EC2 instance), or choose CREDENTIALS_SOURCE=file"]);
        }

        var region = settings.Aws.Region ?? settings.Aws.RegistryRegion
            ?? throw new PreflightException(["CREDENTIALS_SOURCE=instance-role needs a region for STS: set AWS_REGION or ECR_REGISTRIES"]);
        return new StagedCredentials(CredentialsSource.InstanceRole, null, region, null);
    }

    /// <summary>The AWS_* key of the build's settings, shape-checked; every problem at once.</summary>
    private AwsKey EnvironmentKey(string why) =>
        EnvironmentKeyProblems(settings, why) is { Count: > 0 } problems
            ? throw new PreflightException(problems, "The AWS credentials of the environment cannot be used; nothing was changed:")
            : new AwsKey(settings.Aws.AccessKeyId!, settings.Aws.SecretAccessKey!, settings.Aws.SessionToken, settings.Aws.Region ?? settings.Aws.RegistryRegion!);

    /// <summary>What is missing or misshapen of the AWS_* key of the settings (<paramref name="why"/> says who needs it); never a value.</summary>
    public static IReadOnlyList<string> EnvironmentKeyProblems(BuildSettings settings, string why)
    {
        var problems = new List<string>();
        void Shaped(Secret? value, string name, Func<string, bool> shaped, string accepted)
        {
            if (value is null)
            {
                problems.Add($"{why} needs {name} in the environment or .env.local; it is not set");
            }
            else if (!shaped(value.Reveal()))
            {
                problems.Add($"{name} is not shaped like one ({accepted}); the value is not shown");
            }
        }

        Shaped(settings.Aws.AccessKeyId, "AWS_ACCESS_KEY_ID", AwsKey.IsKeyIdShaped, AwsKey.KeyIdAccepted);
        Shaped(settings.Aws.SecretAccessKey, "AWS_SECRET_ACCESS_KEY", AwsKey.IsSecretShaped, AwsKey.SecretAccepted);
        if (settings.Aws.SessionToken is { } token && !AwsKey.IsSessionTokenShaped(token.Reveal()))
        {
            problems.Add("AWS_SESSION_TOKEN is not shaped like a session token (one line of base64, no spaces)");
        }
        else if (settings.Aws.SessionToken is null && settings.Aws.AccessKeyId is { } keyId && AwsKey.IsTemporaryKeyId(keyId.Reveal()))
        {
            problems.Add("AWS_ACCESS_KEY_ID is a temporary key id (ASIA…), which only works with its AWS_SESSION_TOKEN: set it too");
        }

        if (settings.Aws.Region is null && settings.Aws.Registries.Count == 0)
        {
            problems.Add($"{why} needs AWS_REGION (the region of the STS preflight)");
        }

        return problems;
    }

    private string EnvLocalPath => Path.Combine(facts.RepositoryRoot, ".env.local");

    private void CreateFromTemplate(string path, AwsKey? key)
    {
        var templatePath = Path.Combine(facts.RepositoryRoot, "assets", "runner-ecr-credentials");
        if (!File.Exists(templatePath))
        {
            throw new PreflightException([$"the credentials template {templatePath} is missing, so {path} cannot be created: restore it (git checkout -- assets/runner-ecr-credentials), or set RUNNER_CREDENTIALS_FILE to an existing credentials file"]);
        }

        var template = File.ReadAllText(templatePath)
            .Replace("[default]", $"[{settings.Aws.Profile}]", StringComparison.Ordinal);
        if (key is not null)
        {
            // The template's empty "name =" lines are filled in; nothing else of it changes.
            template = Fill(Fill(Fill(Fill(template, "aws_access_key_id", key.AccessKeyId.Reveal()), "aws_secret_access_key", key.SecretAccessKey.Reveal()), "aws_session_token", key.SessionToken?.Reveal()), "region", settings.Aws.Region);
            log($"{path}: profile [{settings.Aws.Profile}] written from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY{(key.SessionToken is null ? string.Empty : " / AWS_SESSION_TOKEN")} (WRITE_CREDENTIALS_FROM_ENV)");
        }

        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        EnvLocalFile.WriteAtomically(path, template);
    }

    private static string Fill(string template, string name, string? value) =>
        value is null ? template : template.Replace($"\n{name} =\n", $"\n{name} = {value}\n", StringComparison.Ordinal);

    /// <summary>
    /// Writes the key into the profile through AWSSDK.Core (other profiles and comments kept) on a copy in a private
    /// temporary folder, then replaces the file atomically with the same mode and owner.
    /// </summary>
    private void WriteProfile(string path, AwsKey key)
    {
        var folder = Directory.CreateTempSubdirectory("gitlab-runner-ecr-credentials-");
        var copy = Path.Combine(folder.FullName, "credentials");
        try
        {
            File.Copy(path, copy);
            var file = new SharedCredentialsFile(copy);
            var profile = file.TryGetProfile(settings.Aws.Profile, out var existing) ? existing : new CredentialProfile(settings.Aws.Profile, new CredentialProfileOptions());
            profile.Options.AccessKey = key.AccessKeyId.Reveal();
            profile.Options.SecretKey = key.SecretAccessKey.Reveal();
            profile.Options.Token = key.SessionToken?.Reveal();
            if (profile.Region is null && settings.Aws.Region is not null)
            {
                profile.Region = Amazon.RegionEndpoint.GetBySystemName(settings.Aws.Region);
            }

            try
            {
                file.RegisterProfile(profile);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException)
            {
                throw new PreflightException([$"{path}: profile [{settings.Aws.Profile}] could not be written from the environment ({ex.GetType().Name}); the file is unchanged: fill it in by hand"]);
            }

            var mode = OperatingSystem.IsWindows() ? CredentialsFileCheck.Private : File.GetUnixFileMode(path);
            Files.AtomicFile.Write(path, File.ReadAllBytes(copy), mode, keepOwner: true);
            log($"{path}: profile [{settings.Aws.Profile}] written from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY{(key.SessionToken is null ? string.Empty : " / AWS_SESSION_TOKEN")} (WRITE_CREDENTIALS_FROM_ENV)");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private void RecordInEnvLocal(string path, string? configured)
    {
        var envLocal = EnvLocalPath;
        var text = File.Exists(envLocal) ? File.ReadAllText(envLocal) : null;
        EnvLocalFile.WriteAtomically(envLocal, EnvLocalFile.WithValue(text, "RUNNER_CREDENTIALS_FILE", path));
        log($"RUNNER_CREDENTIALS_FILE={path} recorded in {envLocal}");
    }
}
