namespace Build.Diagnose;

/// <summary>
/// Where the helper will find AWS credentials, in the order the AWS SDK's default chain tries them, from the
/// environment it runs with; and the instance role's catch: from a container it answers only with an IMDSv2 hop limit
/// of 2 or more, which cannot be seen from inside the instance, so the check says how to verify it.
/// </summary>
public static class CredentialSources
{
    public const string HopLimitFix = "check the hop limit: aws ec2 describe-instances --instance-ids <id> --query 'Reservations[].Instances[].MetadataOptions.HttpPutResponseHopLimit' (2 or more for containers); set it: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-put-response-hop-limit 2";

    public static IEnumerable<Finding> Executor(IRunnerProcess runner, DiagnosedEntry entry)
    {
        const string Id = "executor.credentials", Check = "AWS credentials (executor)";
        var environment = runner.Environment;
        if (Source(environment, runner.Home, runner.Readable) is { } source)
        {
            yield return Finding.Ok(Id, Check, $"{source}, in the environment of the runner process {runner.Where}");
        }
        else if (environment.GetValueOrDefault("AWS_EC2_METADATA_DISABLED")?.Equals("true", StringComparison.OrdinalIgnoreCase) == true)
        {
            yield return Finding.Fail(Id, Check, $"the runner process {runner.Where} has no AWS keys, no readable credentials file ({RunnerEnvironment.Describe(environment)}), and the instance metadata service is turned off (AWS_EC2_METADATA_DISABLED=true): the helper finds no credentials",
                "give the runner process credentials: mount a credentials file and set AWS_SHARED_CREDENTIALS_FILE (./build.sh --target=Up does), or let it use the instance role");
        }
        else if (runner.InContainer)
        {
            yield return Finding.Warn(Id, Check, $"no AWS keys or credentials file {runner.Where}: the helper will use the EC2 instance role through the metadata service, which answers containers only with an IMDSv2 hop limit of 2 or more (the default of 1 leaves them without credentials); that cannot be seen from here", HopLimitFix);
        }
        else
        {
            yield return Finding.Ok(Id, Check, "the EC2 instance role (no keys or credentials file): a process on the instance itself reaches the metadata service at any hop limit");
        }

        var jobOnly = entry.Environment.Select(RunnerConfigFile.Split)
            .Where(v => v.Name.StartsWith("AWS_", StringComparison.Ordinal) && environment.GetValueOrDefault(v.Name) != v.Value)
            .Select(v => v.Name).Distinct().ToList();
        yield return jobOnly.Count == 0
            ? Finding.Ok("executor.aws-in-entry", "AWS variables of the entry", "the entry's environment sets no AWS variable that the runner process has otherwise")
            : Finding.Warn("executor.aws-in-entry", "AWS variables of the entry",
                $"the entry's environment sets {string.Join(", ", jobOnly)}, which reach the jobs only: the executor's helper runs with the environment of the runner process {runner.Where}, which has {(jobOnly.Count == 1 ? "it" : "them")} otherwise or not at all",
                "set them in the runner process's environment too (the container's or the service's), if the executor's helper needs them");
    }

    /// <summary>The first credential source of the SDK's chain that the environment offers (the instance role excepted), or null.</summary>
    public static string? Source(IReadOnlyDictionary<string, string> environment, string? home, Func<string, bool> readable)
    {
        string? Value(string name) => environment.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
        if (Value("AWS_ACCESS_KEY_ID") is not null && Value("AWS_SECRET_ACCESS_KEY") is not null)
        {
            return "AWS keys in the environment (AWS_ACCESS_KEY_ID)";
        }

        if (Value("AWS_WEB_IDENTITY_TOKEN_FILE") is { } token)
        {
            return $"web identity ({token}, AWS_ROLE_ARN: EKS IRSA)";
        }

        if ((Value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ?? Value("AWS_CONTAINER_CREDENTIALS_FULL_URI")) is not null)
        {
            return "the container credentials endpoint (an ECS task role)";
        }

        var profile = Value("AWS_PROFILE") ?? Value("AWS_DEFAULT_PROFILE") ?? "default";
        foreach (var (file, kind) in new[] { (Value("AWS_SHARED_CREDENTIALS_FILE") ?? Home(home, "credentials"), "credentials file"), (Value("AWS_CONFIG_FILE") ?? Home(home, "config"), "config file") })
        {
            if (file is not null && file != "/dev/null" && readable(file))
            {
                return $"the shared {kind} {file} (profile {profile})";
            }
        }

        return null;
    }

    private static string? Home(string? home, string name) => home is null ? null : $"{home.TrimEnd('/')}/.aws/{name}";
}
