using Build.GitLab;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;
using Tomlyn;
using Tomlyn.Model;

namespace Build.Runner;

/// <summary>
/// Clean's first step: <c>DELETE /api/v4/runners</c> with the runner token of RUNNER_NAME's entry in config.toml.
/// Never fails the run: a missing token, a refusal or an unreachable GitLab is a line saying why and how to remove the
/// runner by hand.
/// </summary>
/// <param name="runGitLab">The run's GitLab, asked only when there is a runner to unregister.</param>
public sealed class RunnerUnregister(
    RunnerSettings runner, GitLabSettings gitLabSettings, State.StateLayout state, Redactor redactor, Func<EffectiveGitLab> runGitLab, GitLabApiOptions? apiOptions = null)
{
    public string ConfigFile => state.ConfigToml;

    /// <summary>The GitLab the runner is unregistered from.</summary>
    public Uri Url => runGitLab().Url;

    /// <summary>The entry's token, or null with the reason there is nothing to unregister.</summary>
    public (Secret? Token, string? GitLabId, string? Why) Read()
    {
        if (!File.Exists(ConfigFile))
        {
            return (null, null, $"no config.toml ({ConfigFile}): no runner to unregister");
        }

        try
        {
            var text = File.ReadAllText(ConfigFile);
            var token = ConfigToml.TokenOf(text, runner.Name, ConfigFile);
            if (token is null)
            {
                return (null, null, $"config.toml has no runner \"{runner.Name}\" with a token: no runner to unregister");
            }

            var secret = new Secret(token);
            redactor.Add(secret, "the runner token in config.toml");
            return (secret, GitLabIdOf(text, runner.Name), null);
        }
        catch (Exception ex) when (ex is ConfigTomlException or IOException or UnauthorizedAccessException)
        {
            return (null, null, $"config.toml could not be read ({ex.Message}): the runner was not unregistered; remove it in GitLab by hand (Settings > CI/CD > Runners)");
        }
    }

    /// <summary>Unregisters; the line to print (Information when done, Warning otherwise).</summary>
    public async Task<(bool Done, string Message)> RunAsync(Secret token, string? gitLabId, CancellationToken cancel)
    {
        var url = Url;
        var byHand = $"remove it by hand in GitLab (Settings > CI/CD > Runners{(gitLabId is null ? string.Empty : $", runner #{gitLabId}")}) or with: curl --request DELETE {url.ToString().TrimEnd('/')}/api/v4/runners --form \"token=<the token in {ConfigFile}>\" before Clean deletes that file";
        using var api = new GitLabApi(url, redactor, (apiOptions ?? new GitLabApiOptions { Retries = 1, AttemptTimeout = TimeSpan.FromSeconds(10) }) with
        {
            CaBundle = gitLabSettings.CaBundle?.FullPath,
        });
        try
        {
            return await api.DeleteAsync(token, cancel)
                ? (true, $"Unregistered runner \"{runner.Name}\"{(gitLabId is null ? string.Empty : $" (#{gitLabId})")} from {url}")
                : (false, $"GitLab at {url} refused to delete runner \"{runner.Name}\" (403: the token is unknown, so the runner was probably removed already); if it is still listed, {byHand}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or GitLabException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            return (false, $"GitLab at {url} could not be reached to unregister runner \"{runner.Name}\" ({(ex is GitLabException gitLab ? gitLab.Problem : ex.Message)}); Clean goes on: {byHand}");
        }
    }

    /// <summary>The <c>id</c> gitlab-runner writes into its entry (the runner's number in GitLab), when present.</summary>
    public static string? GitLabIdOf(string text, string name)
    {
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text) is { } table && table.TryGetValue("runners", out var runners) && runners is TomlTableArray entries
                ? entries.Cast<TomlTable>().FirstOrDefault(e => e.TryGetValue("name", out var n) && Equals(n, name)) is { } entry && entry.TryGetValue("id", out var id) ? Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture) : null
                : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }
}
