using Amazon.Runtime;
using Build.Processes;
using Build.Secrets;
using Build.Settings;

namespace Build.Aws;

/// <summary>What Preflight proved: who the credentials are, a token per registry, and the pull-through cache.</summary>
public sealed record PreflightReport(StagedCredentials Credentials, CallerIdentity? Identity, IReadOnlyList<HelperOutcome> Registries, TimeSpan Sts, TimeSpan Helper)
{
    /// <summary>How long the pull-through cache's checks took (zero without PULL_THROUGH_CACHE).</summary>
    public TimeSpan PullThrough { get; init; }
}

/// <summary>
/// Proves the credentials before anything starts: STS GetCallerIdentity names the account, then the helper's
/// <c>get</c> obtains a token for every registry (private ones and ECR Public) with the runner container's
/// environment, then the pull-through cache's rules and a pull through it (<see cref="PullThroughCheck"/>). Every
/// failure is reported with its cause and fix; no key, secret or token reaches the log.
/// </summary>
public sealed class Preflight(BuildSettings settings, RunnerCredentials runner, CommandRunner commands, Redactor redactor, Func<string> logFolder, Action<string> info, Action<string> warn)
{
    public async Task<PreflightReport> RunAsync(StagedCredentials staged, CancellationToken cancellation)
    {
        if (settings.Aws.Registries.Count == 0)
        {
            throw new PreflightException(["ECR_REGISTRIES is empty and PRIVATE_ECR_IMAGE is not set: name the registries the runner pulls from, e.g. ECR_REGISTRIES=123456789012.dkr.ecr.eu-west-1.amazonaws.com"]);
        }

        var bundle = settings.Aws.CaBundle is { } path ? CaBundle.Load(path.FullPath, "AWS_CA_BUNDLE") : null;
        var helper = HelperLocation.Find(settings);
        var problems = new List<string>();
        if (staged.Source == CredentialsSource.InstanceRole)
        {
            info("instance role: containers reach the instance metadata service only with an IMDSv2 hop limit of 2 or more; set it with: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-put-response-hop-limit 2");
        }

        var (reach, warning) = JobReach.Describe(staged.Source, settings.Runner.DindAuth);
        (warning ? warn : info)(reach);

        CallerIdentity? identity = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            identity = await CallerIdentity.GetAsync(Credentials(staged), staged.Region, settings.Aws.StsEndpoint, bundle, cancellation);
            info($"STS: account {identity.Account}, {identity.Arn} ({clock.ElapsedMilliseconds} ms)");
        }
        catch (AwsCallFailure failure)
        {
            problems.Add(Explain(failure.Call, redactor.Redact(failure.Error), failure.Cause));
        }

        var sts = clock.Elapsed;

        foreach (var registry in settings.Aws.Registries.Where(r => identity is not null && !r.IsPublic && r.AccountId != identity.Account))
        {
            warn($"{registry.Host} belongs to account {registry.AccountId}, the credentials to {identity!.Account}: a cross-account pull works only when that repository's policy allows {identity.Arn}");
        }

        var helperVersion = settings.Aws.Registries.Any(r => r.IsDualStackPublic) ? HelperLocation.Version(settings, helper, commands) : null;
        if (helperVersion is not null && !HelperLocation.AtLeast(helperVersion, EcrRegistry.DualStackPublicSince))
        {
            warn($"{EcrRegistry.DualStackPublicHost} is configured, but the helper is {helperVersion}, which knows that name only from {EcrRegistry.DualStackPublicSince}: its get fails and pulls from it go anonymous. Set HELPER_VERSION={EcrRegistry.DualStackPublicSince} or later and run ./build.sh --target=BuildHelper, or use {EcrRegistry.PublicHost}");
        }

        var probe = new HelperProbe(commands, redactor, helper, runner, logFolder);
        var outcomes = new List<HelperOutcome>();
        clock.Restart();
        foreach (var registry in settings.Aws.Registries)
        {
            var started = clock.Elapsed;
            var outcome = probe.Get(registry);
            var took = $" ({(clock.Elapsed - started).TotalMilliseconds:0} ms)";
            outcomes.Add(outcome);
            if (outcome.Succeeded)
            {
                info($"helper: {registry.Host}: token obtained{(outcome.ExpiresAt is { } at ? $", expires {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (in {(at - DateTimeOffset.UtcNow).TotalHours:0.#} h)" : string.Empty)}{took}");
            }
            else
            {
                var tooOld = registry.IsDualStackPublic && helperVersion is not null && !HelperLocation.AtLeast(helperVersion, EcrRegistry.DualStackPublicSince)
                    ? $" The helper is {helperVersion}; {registry.Host} needs {EcrRegistry.DualStackPublicSince} or later."
                    : string.Empty;
                problems.Add(Explain($"helper get {registry.Host} ({(registry.IsPublic ? "ECR Public, " : string.Empty)}{registry.Region})", outcome.Error!, outcome.Cause) + tooOld + (outcome.LogCopy is null ? string.Empty : $" The helper's log (redacted): {outcome.LogCopy}"));
            }
        }

        var helperTime = clock.Elapsed;
        clock.Restart();
        if (settings.Aws.PullThrough is { Enabled: true, Registry: not null } && identity is null)
        {
            info("pull-through: not checked, because STS refused the credentials (above)");
        }
        else if (settings.Aws.PullThrough is { Enabled: true, Registry: { } cache } pullThrough)
        {
            var key = await SigningKeyAsync(staged, redactor, cancellation);
            var registryCa = settings.Runner.RegistryCaBundle is { } ca ? CaBundle.Load(ca.FullPath, "REGISTRY_CA_BUNDLE", "REGISTRY_CA_BUNDLE") : null;
            var check = new PullThroughCheck(pullThrough, new EcrApi(key, bundle), new ManifestProbe(registryCa), redactor, info, warn);
            problems.AddRange(await check.RunAsync(outcomes.FirstOrDefault(o => o.Registry.Host == cache.Host)?.Token, cancellation));
        }

        if (settings.Fleet is { Enabled: true, GroupName: { } group })
        {
            if (identity is null)
            {
                info("fleet: not checked, because STS refused the credentials (above)");
            }
            else
            {
                var api = await Fleet.FleetApi.ForAsync(staged, redactor, bundle, cancellation);
                problems.AddRange(await new Fleet.FleetCheck(api, group, settings.Runner.DindAuth, info).RunAsync(cancellation));
            }
        }

        return problems.Count == 0
            ? new PreflightReport(staged, identity, outcomes, sts, helperTime) { PullThrough = clock.Elapsed }
            : throw new PreflightException(problems, "Preflight failed; nothing was started or changed:");
    }

    /// <summary>The staged key, or the instance role's current one (through the SDK's metadata client), for a signature of our own.</summary>
    public static async Task<AwsSigningKey> SigningKeyAsync(StagedCredentials staged, Redactor redactor, CancellationToken cancellation)
    {
        if (staged.Key is { } key)
        {
            return new AwsSigningKey(key.AccessKeyId, key.SecretAccessKey, key.SessionToken);
        }

        var current = await Credentials(staged).GetCredentialsAsync();
        var signing = new AwsSigningKey(new Secret(current.AccessKey), new Secret(current.SecretKey), current.UseToken ? new Secret(current.Token) : null);
        redactor.Add(signing.AccessKeyId, "the instance role's access key id");
        redactor.Add(signing.SecretAccessKey, "the instance role's secret access key");
        if (signing.SessionToken is not null)
        {
            redactor.Add(signing.SessionToken, "the instance role's session token");
        }

        cancellation.ThrowIfCancellationRequested();
        return signing;
    }

    private static string Explain(string call, string error, AwsFailure? cause) =>
        cause is null
            ? $"{call} failed: {error}"
            : $"{call} failed, {cause.Describe()} (AWS said: {error})";

    private static AWSCredentials Credentials(StagedCredentials staged) => staged.Key switch
    {
        { SessionToken: { } token } key => new SessionAWSCredentials(key.AccessKeyId.Reveal(), key.SecretAccessKey.Reveal(), token.Reveal()),
        { } key => new BasicAWSCredentials(key.AccessKeyId.Reveal(), key.SecretAccessKey.Reveal()),
        // Instance role: the SDK's IMDSv2 client; only reached on an instance, never in tests (metadata disabled there).
        null => new InstanceProfileAWSCredentials(),
    };
}
