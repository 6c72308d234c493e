using System.Text;
using Build.Settings;

namespace Build.Tests.Fixtures;

/// <summary>
/// Renders docs/settings.md from <see cref="SettingCatalog.All"/>: one table per concern, the settings of each in the
/// catalog's order. The catalog has no groups, so they are defined here: a key goes to the group that names it
/// exactly, else to the group with the longest prefix it starts with (GITLAB_SERVER_ before GITLAB_), else to
/// "Other settings", so that a new setting is never left out.
/// </summary>
public static class SettingsReference
{
    public const string RelativePath = "docs/settings.md";

    public const string Regenerate = "UPDATE_DOCS=1 dotnet test tests/Build.Tests --filter SettingsReference";

    public const string OtherGroup = "Other settings";

    /// <summary>The groups in the order the file shows them; a pattern ending in '_' is a prefix, any other a key.</summary>
    public static readonly IReadOnlyList<SettingGroup> Groups =
    [
        new("Project, images and state", "targets/up.md", "the runner container and its images",
            ["STATE_DIR", "COMPOSE_PROJECT_NAME", "RUNNER_NAME", "GITLAB_RUNNER_IMAGE", "DIND_IMAGE", "DOCKER_CLI_IMAGE", "IMAGE_PULL"]),
        new("AWS credentials and registries", "credentials.md", "where the credentials come from and how they are checked",
            ["AWS_", "CREDENTIALS_SOURCE", "RUNNER_CREDENTIALS_FILE", "STS_ENDPOINT", "WRITE_CREDENTIALS_FROM_ENV", "FIX_CREDENTIALS_MODE", "ECR_REGISTRIES", "PRIVATE_ECR_IMAGE", "USE_CREDS_STORE"]),
        new("ECR Public and the pull-through cache", "ecr-public-and-pull-through.md", "public images with the helper's token, the cache's rules and the Mirror target",
            ["PUBLIC_ECR_IMAGE", "PULL_THROUGH_", "MIRROR_IMAGE"]),
        new("The credential helper (BuildHelper)", "targets/buildhelper.md", "the helper's sources and its output",
            ["HELPER_"]),
        new("DinD authentication (token and helper modes)", "dind-auth.md", "what jobs get in each mode, and the token refresher",
            ["DIND_AUTH", "DIND_TOKEN_"]),
        new("The runner container (Up)", "targets/up.md", "what Up starts and mounts",
            ["RUNNER_EXTRA_HOSTS", "RUNNER_NETWORK", "RUNNER_RESTART_POLICY"]),
        new("GitLab and registration (Register)", "targets/register.md", "tokens, config.toml and GitLab calls",
            ["GITLAB_", "RUNNER_TAGS", "RUNNER_RUN_UNTAGGED", "RUNNER_DESCRIPTION", "RUNNER_CONCURRENT"]),
        new("Local GitLab (server mode)", "local-gitlab.md", "the local GitLab CE and its bootstrap",
            ["SERVER", "GITLAB_SERVER_"]),
        new("SmokeTest", "targets/smoketest.md", "the authentication probe and pipeline mode",
            ["DIND_PRIVILEGED", "REGISTRY_CA_BUNDLE", "PIPELINE_"]),
        new("Clean", "targets/down-clean-status.md", "what Clean removes and keeps",
            ["CLEAN_"]),
        new("Diagnose", "targets/diagnose.md", "a runner this build did not set up",
            ["DIAGNOSE_"]),
        new("Scale-out (docker-autoscaler on an Auto Scaling group)", "scale-out.md", "the manager, the workers, and where each ECR level authenticates",
            ["FLEET", "FLEET_"]),
    ];

    /// <summary>The group a key belongs to, by the rule above.</summary>
    public static string GroupOf(string key)
    {
        var exact = Groups.FirstOrDefault(g => g.Patterns.Any(p => !p.EndsWith('_') && p == key));
        if (exact is not null)
        {
            return exact.Title;
        }

        var byPrefix = Groups
            .SelectMany(g => g.Patterns.Where(p => p.EndsWith('_') && key.StartsWith(p, StringComparison.Ordinal)).Select(p => (g.Title, p.Length)))
            .OrderByDescending(m => m.Length)
            .FirstOrDefault();
        return byPrefix.Title ?? OtherGroup;
    }

    public static string Render(IReadOnlyList<SettingDefinition> settings)
    {
        var text = new StringBuilder();
        text.Append("# Settings reference\n\n");
        text.Append("<!-- Generated from build/Settings/SettingCatalog.cs by tests/Build.Tests/Fixtures/SettingsReference.cs: do not edit. ");
        text.Append($"Change the catalog, then run: {Regenerate} -->\n\n");
        text.Append($"Every setting the build reads ({settings.Count}), grouped by concern. Each is read once per run: the ");
        text.Append("`--argument`, else the environment variable, else `.env.local`, else `.env`, else the default; how values are ");
        text.Append("read and checked is in [configuration.md](configuration.md). A **secret** is taken from the environment or ");
        text.Append("`.env.local` only, never as an argument, and is masked in every log (see [security.md](security.md)). ");
        text.Append("`./build.sh --help` prints the same list.\n");

        var groups = settings.GroupBy(s => GroupOf(s.Key)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (title, link, about) in Groups.Select(g => (g.Title, (string?)g.Link, (string?)g.About)).Append((OtherGroup, null, null)))
        {
            if (!groups.TryGetValue(title, out var members))
            {
                continue;
            }

            text.Append($"\n## {title}\n\n");
            if (link is not null)
            {
                text.Append($"More: [{about}]({link}).\n\n");
            }

            text.Append("| setting | argument | default | accepts | meaning |\n");
            text.Append("|---|---|---|---|---|\n");
            foreach (var setting in members)
            {
                var argument = setting.IsSecret ? "(environment or `.env.local` only)" : $"`{setting.Argument}`";
                var fallback = setting.Default is null ? "(none)" : $"`{setting.Default}`";
                var meaning = Escape(setting.Description) + (setting.IsSecret ? " **Secret.**" : string.Empty);
                text.Append($"| `{setting.Key}` | {argument} | {fallback} | {Escape(setting.Accepts)} | {meaning} |\n");
            }
        }

        return text.ToString();
    }

    /// <summary>Catalog text as table-cell text: pipes, emphasis marks and angle brackets shown as they are.</summary>
    public static string Escape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var inWord = i > 0 && i < text.Length - 1 && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i + 1]);
            result.Append(c switch
            {
                '\\' or '|' or '*' or '`' or '[' or ']' => "\\" + c,
                '_' when !inWord => "\\_",
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                _ => c.ToString(),
            });
        }

        return result.ToString();
    }
}

/// <summary>A concern of the settings reference: its heading, the document that explains it, and the keys or prefixes it holds.</summary>
public sealed record SettingGroup(string Title, string Link, string About, IReadOnlyList<string> Patterns);
