using System.Text.RegularExpressions;
using Build.GitLab;
using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>The GitLab the runner registers with, the tokens for it, and what a runner Register creates there looks like.</summary>
public sealed partial record GitLabSettings
{
    /// <summary>GitLab refuses a job with 50 tags or more, and the example pipeline gives every job all of RUNNER_TAGS.</summary>
    public const int MaximumRunnerTags = 49;

    private GitLabSettings()
    {
    }

    public required Uri Url { get; init; }

    /// <summary>GITLAB_RUNNER_TOKEN: a runner authentication token created in GitLab's UI.</summary>
    public required Secret? RunnerToken { get; init; }

    /// <summary>GITLAB_TOKEN: a personal access token that creates the runner through the API.</summary>
    public required Secret? PersonalToken { get; init; }

    /// <summary>GITLAB_REGISTRATION_TOKEN: the deprecated registration-token flow.</summary>
    public required Secret? RegistrationToken { get; init; }

    /// <summary>GITLAB_PROJECT: a numeric id or a path such as group/project.</summary>
    public required string? Project { get; init; }

    public required IReadOnlyList<string> RunnerTags { get; init; }

    public required bool RunUntagged { get; init; }

    public required string? RunnerDescription { get; init; }

    /// <summary>GITLAB_CA_BUNDLE: CA certificates trusted for GITLAB_URL besides the system's.</summary>
    public required FilePath? CaBundle { get; init; }

    /// <summary>The tokens that are set, with the setting each came from.</summary>
    public IEnumerable<(string Name, Secret Secret)> Secrets =>
        new (SettingDefinition Setting, Secret? Value)[] { (SettingCatalog.RunnerToken, RunnerToken), (SettingCatalog.GitLabToken, PersonalToken), (SettingCatalog.RegistrationToken, RegistrationToken) }
            .Where(s => s.Value is not null)
            .Select(s => (s.Setting.Key, s.Value!));

    public static GitLabSettings Read(SettingsLayers s)
    {
        var settings = new GitLabSettings
        {
            Url = s.Defaulted(SettingCatalog.GitLabUrl, SettingParsers.HttpUrl, "an http(s) URL without user info (name:token@ would put a token in logs and process lists)"),
            RunnerToken = s.SecretOf(SettingCatalog.RunnerToken),
            PersonalToken = s.SecretOf(SettingCatalog.GitLabToken),
            RegistrationToken = s.SecretOf(SettingCatalog.RegistrationToken),
            Project = s.Parse(SettingCatalog.GitLabProject, SettingParsers.Matching(ProjectPattern())),
            RunnerTags = TagList(s),
            RunUntagged = s.Flag(SettingCatalog.RunnerRunUntagged),
            RunnerDescription = s.Get(SettingCatalog.RunnerDescription)?.Text.Trim() is { Length: > 0 } description ? description : null,
            CaBundle = s.File(SettingCatalog.GitLabCaBundle),
        };

        foreach (var (name, token) in settings.Secrets)
        {
            var setting = SettingCatalog.Find(name)!;
            if (TokenShape.Problem(setting, token) is { } problem)
            {
                s.Fail(setting, problem);
            }
        }

        return settings;
    }

    public override string ToString() =>
        $"GitLabSettings {{ Url = {Url}, Project = {Project}, Tokens = {string.Join(", ", Secrets.Select(t => t.Name))} }}";

    private static IReadOnlyList<string> TagList(SettingsLayers s)
    {
        var tags = s.List(SettingCatalog.RunnerTags).Distinct().ToList();
        var bad = tags.Select((tag, index) => (Tag: tag, Number: index + 1)).FirstOrDefault(t => !RunnerTag().IsMatch(t.Tag));
        if (bad.Tag is not null)
        {
            var why = bad.Tag.Length > 255 ? $"is {bad.Tag.Length} characters long (GitLab keeps 255)" : "holds a character other than letters, digits, '.', '_', '-', ':' and '/'";
            s.Fail(SettingCatalog.RunnerTags, $"tag {bad.Number} (\"{Echo.Visible(bad.Tag.Length > 40 ? bad.Tag[..40] + "…" : bad.Tag)}\") {why}");
        }
        else if (tags.Count > MaximumRunnerTags)
        {
            s.Fail(SettingCatalog.RunnerTags, $"{tags.Count} tags; GitLab refuses a job with more than {MaximumRunnerTags}, and the example pipeline gives every job all of them");
        }

        return tags;
    }

    [GeneratedRegex(@"\A([0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+)\z")]
    private static partial Regex ProjectPattern();

    // GitLab keeps tag names up to 255 characters and splits tag lists at commas; quotes, brackets, spaces and
    // control characters are refused too, so a tag is a plain word wherever it is written (YAML, JSON, a log line).
    [GeneratedRegex(@"\A[A-Za-z0-9._:/-]{1,255}\z")]
    private static partial Regex RunnerTag();
}
