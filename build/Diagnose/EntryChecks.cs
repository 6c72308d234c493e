namespace Build.Diagnose;

/// <summary>The checks of an entry as a whole: one of a kind in the file, its token, the runner's version.</summary>
public static class EntryChecks
{
    public static IEnumerable<Finding> Run(DiagnosedEntry entry, IReadOnlyList<DiagnosedEntry> all, RunnerVersion version)
    {
        yield return Unique(entry, all);
        yield return Token(entry);
        yield return version.Number is null
            ? Finding.Skip("runner.version", "runner version", version.Text)
            : Finding.Ok("runner.version", "runner version", version.Text);
    }

    private static Finding Unique(DiagnosedEntry entry, IReadOnlyList<DiagnosedEntry> all)
    {
        const string Id = "entry.unique", Check = "one entry per runner";
        var named = all.Where(e => e.Name == entry.Name).ToList();
        var sameToken = entry.Token is null ? [] : all.Where(e => e != entry && entry.Token.Equals(e.Token)).ToList();
        const string Fix = "keep the entry whose token GitLab shows for this runner and delete the others (the runner reloads config.toml by itself), and make the registration step idempotent (register only when no entry of that name exists)";
        if (named.Count > 1)
        {
            return Finding.Fail(Id, Check,
                $"{named.Count} [[runners]] entries are named \"{entry.Name}\" (#{string.Join(", #", named.Select(e => e.Number))}): a registration that appends instead of merging (gitlab-runner register run again, an Ansible or Terraform step that is not idempotent) added it again, and each entry polls GitLab as a runner of its own", Fix);
        }

        return sameToken.Count > 0
            ? Finding.Fail(Id, Check, $"entries #{entry.Number} and #{string.Join(", #", sameToken.Select(e => e.Number))} hold the same runner token: one runner in GitLab, polled by several entries that take each other's jobs", Fix)
            : Finding.Ok(Id, Check, $"the only entry named \"{entry.Name}\", and no other entry holds its token");
    }

    private static Finding Token(DiagnosedEntry entry)
    {
        const string Id = "runner.token", Check = "runner token";
        const string Unseen = " (Diagnose never calls GitLab: whether GitLab still knows the token is not checked)";
        const string NewFlow = "create the runner in GitLab (Settings > CI/CD > Runners > New runner, or POST /api/v4/user/runners) and register with its token: gitlab-runner register --token glrt-…";
        var token = entry.Token?.Reveal();
        return token switch
        {
            null => Finding.Fail(Id, Check, "the entry has no token: the runner cannot ask GitLab for jobs", NewFlow),
            _ when token.StartsWith('$') => Finding.Skip(Id, Check, "the token comes from an environment variable when the runner starts ($VAR), which is not visible here"),
            _ when token.StartsWith("glrt-", StringComparison.Ordinal) => Finding.Ok(Id, Check, "a runner authentication token (glrt-…), from the current registration flow" + Unseen),
            _ when token.StartsWith("GR1348941", StringComparison.Ordinal) => Finding.Fail(Id, Check,
                "the token is a registration token (GR1348941…), not the runner's own: registration never completed, and GitLab refuses it for jobs", NewFlow),
            _ when token.StartsWith("glpat-", StringComparison.Ordinal) => Finding.Fail(Id, Check, "the token is a personal access token (glpat-…), not a runner token: GitLab refuses it for jobs", NewFlow),
            _ when token.StartsWith("glrtr-", StringComparison.Ordinal) => Finding.Warn(Id, Check,
                "the runner was registered with a registration token (glrtr-…): it works, but registration tokens are disabled by default since GitLab 17.0 and removed in 20.0, so automation that registers it again with --registration-token fails (410 Gone)" + Unseen, NewFlow),
            _ => Finding.Warn(Id, Check,
                "a legacy runner token (no glrt- prefix), made by the deprecated registration-token flow: it works, but registration tokens are disabled by default since GitLab 17.0 and removed in 20.0, so automation that registers again with --registration-token fails (410 Gone)" + Unseen, NewFlow),
        };
    }
}
