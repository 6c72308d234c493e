namespace Build.Diagnose;

/// <summary>
/// credsStore with the ECR helper: the runner then calls the helper's <c>list</c> before pulling, which needs a region,
/// knows only the default registry of that region and of the credentials' own account, and always asks ECR Public.
/// </summary>
public static class CredsStoreChecks
{
    private const string Fix = "use credHelpers instead, one entry per registry host ({\"credHelpers\":{\"<account>.dkr.ecr.<region>.amazonaws.com\":\"ecr-login\"}}), and drop credsStore: the helper is then asked only for those hosts";

    public static IEnumerable<Finding> Run(DockerConfigJson? config, RunnerVersion version, IReadOnlyDictionary<string, string> environment)
    {
        const string Id = "executor.creds-store", Check = "credsStore and list", Endpoint = "executor.list-endpoint", EndpointCheck = "list calls ECR Public";
        if (config is null)
        {
            yield return Finding.Skip(Id, Check, "no docker configuration to read (or it is not valid JSON)");
            yield return Finding.Skip(Endpoint, EndpointCheck, "no docker configuration to read (or it is not valid JSON)");
            yield break;
        }

        if (config.CredsStore is not { } store)
        {
            yield return Finding.Ok(Id, Check, "no credsStore: the runner never calls the helper's list");
            yield return Finding.Ok(Endpoint, EndpointCheck, "no credsStore: no list, so no call to ECR Public");
            yield break;
        }

        if (store != ExecutorAuth.HelperSuffix)
        {
            yield return Finding.Skip(Id, Check, $"credsStore names another helper (docker-credential-{store})");
            yield return Finding.Skip(Endpoint, EndpointCheck, $"credsStore names another helper (docker-credential-{store})");
            yield break;
        }

        var region = environment.GetValueOrDefault("AWS_REGION") is { Length: > 0 } r ? r : environment.GetValueOrDefault("AWS_DEFAULT_REGION");
        var helpers = config.CredHelpers.Count > 0 ? " (credHelpers beside it still work for their hosts)" : string.Empty;
        if (version.Below(RunnerVersion.CredsStore))
        {
            yield return Finding.Fail(Id, Check, $"credsStore needs GitLab Runner {RunnerVersion.CredsStore} or later, and this one is {version.Number}", Fix);
        }
        else if (region is not { Length: > 0 })
        {
            yield return Finding.Fail(Id, Check,
                $"credsStore=ecr-login makes the runner call the helper's list before every pull, and list needs a region (AWS_REGION or AWS_DEFAULT_REGION in the runner's environment: none set, unless its AWS profile names one): without one it fails and lists nothing, so no ECR image gets credentials{helpers}", Fix);
        }
        else
        {
            yield return Finding.Warn(Id, Check,
                $"credsStore=ecr-login: the runner calls the helper's list before every pull, which knows only the default registry of {region} and of the credentials' own account: images of other accounts or regions get no credentials{helpers}", Fix);
        }

        yield return Finding.Warn(Endpoint, EndpointCheck,
            "list always asks ECR Public (api.ecr-public.us-east-1.amazonaws.com), whichever registries are used: on a locked-down network without a route or endpoint to it, every pull waits for that call to fail first", Fix);
    }
}
