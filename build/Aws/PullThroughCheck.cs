using Build.Secrets;
using Build.Settings;

namespace Build.Aws;

/// <summary>
/// Preflight's part for PULL_THROUGH_CACHE: each rule exists in the cache registry with the configured upstream (and,
/// where the upstream needs one, an ecr-pullthroughcache/ secret), from ECR's DescribePullThroughCacheRules; then the
/// identity pulls through it: a manifest request for PULL_THROUGH_PROBE_IMAGE's pull-through form with the registry
/// token the helper gave. Each refusal is a problem with its cause and fix.
/// </summary>
public sealed class PullThroughCheck(PullThroughSettings cache, EcrApi api, ManifestProbe probe, Redactor redactor, Action<string> info, Action<string> warn)
{
    public async Task<IReadOnlyList<string>> RunAsync(Secret? registryToken, CancellationToken cancel)
    {
        var registry = cache.Registry!;
        var problems = new List<string>();
        foreach (var rule in cache.Rules)
        {
            var where = $"pull-through rule {rule.Prefix} of {registry.Host}";
            DescribeOutcome outcome;
            try
            {
                outcome = await api.DescribePullThroughCacheRuleAsync(registry, rule.Prefix, cancel);
            }
            catch (Exception ex) when (!cancel.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or IOException)
            {
                var text = redactor.Redact($"{ex.GetType().Name}: {ex.Message}{(ex.InnerException is null ? string.Empty : " <- " + ex.InnerException.Message)}");
                var cause = AwsFailure.Recognise(text);
                problems.Add($"ECR DescribePullThroughCacheRules at https://{EcrApi.Endpoint(registry)}/ failed{(cause is null ? string.Empty : ", " + cause.Describe())} ({text})");
                continue;
            }

            if (outcome.ErrorCode == "AccessDeniedException")
            {
                // Pulls do not need this action; only this check does, so it is a warning and the pull probe still runs.
                warn($"the pull-through rules ({string.Join(", ", cache.Rules.Select(r => r.Prefix))}) of {registry.Host} could not be checked: the identity may not call ecr:DescribePullThroughCacheRules ({outcome.ErrorCode}: {redactor.Redact(outcome.Message ?? string.Empty)}). Pulls do not need it; allow it for this check, or rely on the pull probe.");
                break;
            }

            if (Judge(rule, outcome, where) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (cache.Probe is not { Reference: { } reference } via)
        {
            info($"pull-through: no pull probe (set {SettingCatalog.PullThroughProbeImage.Key} to a small image of an upstream, e.g. alpine:3.20 for a Docker Hub rule)");
            return problems;
        }

        if (registryToken is null)
        {
            // The helper's failure for this registry is already a problem of its own.
            return problems;
        }

        Docker.ImageReference.TryParse(reference, out var image);
        var answer = await probe.GetAsync(image!, "AWS", registryToken, via, cancel);
        if (answer.Found)
        {
            info($"pull-through: {reference}: manifest {answer.Digest ?? "found"} (through {via.Rule.Prefix} from {via.Rule.Upstream.Host})");
        }
        else
        {
            problems.Add($"pull-through probe {reference} failed: {redactor.Redact(answer.Cause!)}. Fix: {answer.Fix}.");
        }

        return problems;
    }

    private string? Judge(PullThroughRule rule, DescribeOutcome outcome, string where)
    {
        if (outcome.Rule is { } found)
        {
            var actual = PullThroughUpstream.Of(found.UpstreamRegistryUrl.Replace("https://", string.Empty, StringComparison.OrdinalIgnoreCase).TrimEnd('/'));
            if (actual.Host != rule.Upstream.Host)
            {
                return $"{where} caches {found.UpstreamRegistryUrl}, not {rule.Upstream.Host}. Fix: set {SettingCatalog.PullThroughCache.Key} to {rule.Prefix}={actual.Host}, or use the prefix of a rule for {rule.Upstream.Host}.";
            }

            var secret = found.CredentialArn is { } arn ? arn[(arn.IndexOf(":secret:", StringComparison.Ordinal) + 8)..] : null;
            if (rule.Upstream.Access == UpstreamAccess.Secret && (secret is null || !secret.StartsWith(PullThroughUpstream.SecretPrefix, StringComparison.Ordinal)))
            {
                return $"{where} names no {PullThroughUpstream.SecretPrefix}… secret ({found.CredentialArn ?? "no credential ARN"}), which {rule.Upstream.Name} needs. Fix: create the secret {PullThroughUpstream.SecretPrefix}<name> (username and accessToken) in the rule's account and region and name it: aws ecr update-pull-through-cache-rule --ecr-repository-prefix {rule.Prefix} --credential-arn <its ARN>.";
            }

            info($"pull-through: rule {rule.Prefix} -> {found.UpstreamRegistryUrl}{(secret is null ? string.Empty : $", secret {secret}")}");
            return null;
        }

        var said = $"({outcome.ErrorCode}: {redactor.Redact(outcome.Message ?? string.Empty)})";
        switch (outcome.ErrorCode)
        {
            case "PullThroughCacheRuleNotFoundException":
                return $"{where} does not exist {said}. Fix: create it: aws ecr create-pull-through-cache-rule --ecr-repository-prefix {rule.Prefix} --upstream-registry-url {rule.Upstream.Host} --region {cache.Registry!.Region}"
                    + (rule.Upstream.Access == UpstreamAccess.Secret ? $" --credential-arn <the ARN of a secret {PullThroughUpstream.SecretPrefix}<name>>" : string.Empty)
                    + $", or remove {rule.Prefix} from {SettingCatalog.PullThroughCache.Key}.";
            case "ValidationException" or "InvalidParameterException":
                return $"{where}: ECR refused the request {said}. Fix: check the prefix in {SettingCatalog.PullThroughCache.Key} (2-30 characters: lower-case letters, digits, '.', '_', '-', '/') and that {cache.Registry!.Host} is your registry.";
            default:
                var cause = AwsFailure.Recognise(outcome.ErrorCode + " " + outcome.Message);
                return $"{where}: DescribePullThroughCacheRules failed{(cause is null ? string.Empty : ", " + cause.Describe())} {said}";
        }
    }
}
