namespace Build.Diagnose;

/// <summary>
/// Static <c>auths</c> entries for ECR hosts in the docker configurations the runner reads: a <c>docker login</c> (or
/// <c>aws ecr get-login-password</c>) leftover whose 12-hour token nothing renews, used instead of the helper.
/// </summary>
public static class AuthsChecks
{
    public static Finding Run(IReadOnlyList<AuthSource> used, DateTimeOffset now)
    {
        const string Id = "executor.auths", Check = "static ECR tokens";
        const string Fix = "remove the auths entry for that host (a docker login or aws ecr get-login-password leftover) and name the host in credHelpers with ecr-login, which fetches a fresh token for each pull";
        var problems = new List<(bool Fail, string Text)>();
        for (var i = 0; i < used.Count; i++)
        {
            if (used[i].Parsed.Config is not { } config)
            {
                continue;
            }

            foreach (var auth in config.Auths.Where(a => RegistryHosts.IsEcr(a.Host)))
            {
                if (config.CredHelpers.Keys.Any(k => RegistryHosts.Normalise(k) == auth.Host))
                {
                    problems.Add((false, $"{used[i].Where} names {auth.Host} in both auths and credHelpers: a docker login leftover beside the helper"));
                }
                else if (!used.Take(i).Any(s => s.Parsed.Config?.CredHelpers.Keys.Any(k => RegistryHosts.Normalise(k) == auth.Host) == true))
                {
                    problems.Add(auth.Expires switch
                    {
                        { } at when at <= now => (true, $"{used[i].Where} holds a token for {auth.Host} that expired at {at.UtcDateTime:yyyy-MM-dd HH:mm}Z, and the runner uses it instead of the helper: pulls fail with \"no basic auth credentials\" or \"authorization token has expired\""),
                        { } at => (false, $"{used[i].Where} holds a token for {auth.Host} that expires at {at.UtcDateTime:yyyy-MM-dd HH:mm}Z (in {(at - now).TotalHours:0.#} h) and that nothing renews: ECR tokens last 12 hours"),
                        null => (false, $"{used[i].Where} holds a static password for {auth.Host}: ECR tokens last 12 hours, and nothing renews this one"),
                    });
                }
            }
        }

        return problems.Count == 0 ? Finding.Ok(Id, Check, "no auths entry for an ECR host")
            : problems.Any(p => p.Fail) ? Finding.Fail(Id, Check, string.Join("; ", problems.Select(p => p.Text)), Fix)
            : Finding.Warn(Id, Check, string.Join("; ", problems.Select(p => p.Text)), Fix);
    }
}
