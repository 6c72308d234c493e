using Build.Secrets;
using Build.Settings;

namespace Build.GitLab;

/// <summary>
/// The GitLab this run works with (<see cref="BuildContext.GitLab"/>, given by <see cref="GitLabResolver"/>): GITLAB_URL,
/// GITLAB_TOKEN and GITLAB_PROJECT, or in server mode the local GitLab, root's token from the state folder and GITLAB_SERVER_PROJECT.
/// Register, Clean, Status and SmokeTest's pipeline mode read it instead of those settings.
/// </summary>
/// <param name="Url">Where this machine reaches GitLab (API calls, the pipeline).</param>
/// <param name="RunnerUrl">Where the runner and its jobs reach it: config.toml's <c>url</c>.</param>
/// <param name="PersonalToken">A personal access token (GITLAB_TOKEN, or root's on the local GitLab); null when none.</param>
/// <param name="Project">A project id or path (GITLAB_PROJECT, or root/GITLAB_SERVER_PROJECT); null when none.</param>
/// <param name="IsLocalServer">True in server mode.</param>
public sealed record EffectiveGitLab(Uri Url, Uri RunnerUrl, Secret? PersonalToken, string? Project, bool IsLocalServer)
{
    /// <summary>The settings' GitLab: the same URL for this machine and the runner.</summary>
    public static EffectiveGitLab FromSettings(BuildSettings settings) =>
        new(settings.GitLab.Url, settings.GitLab.Url, settings.GitLab.PersonalToken, settings.GitLab.Project, false);

    /// <summary>
    /// The local GitLab: published on loopback for this machine, and reached by its compose service name from the runner
    /// and its jobs (on the project's network), which is also its external_url, so clone URLs need no clone_url.
    /// </summary>
    public static EffectiveGitLab LocalServer(BuildSettings settings, Secret? rootToken) => LocalServer(settings.Server, rootToken);

    public static EffectiveGitLab LocalServer(ServerSettings server, Secret? rootToken) =>
        new(LocalUrl(server), new Uri($"http://gitlab:{server.WebPort}/"), rootToken, "root/" + server.Project, true);

    /// <summary><c>http://127.0.0.1:GITLAB_SERVER_WEB_PORT/</c>.</summary>
    public static Uri LocalUrl(BuildSettings settings) => LocalUrl(settings.Server);

    public static Uri LocalUrl(ServerSettings server) => new($"http://127.0.0.1:{server.WebPort}/");

    /// <summary>True when SmokeTest's pipeline mode can run: a personal access token and a project.</summary>
    public bool CanRunPipelines => PersonalToken is not null && Project is not null;

    /// <summary>
    /// A warning when GITLAB_URL is plain http:// to another machine: the tokens would cross the network unencrypted.
    /// None for https://, and none for this machine (127.0.0.0/8, ::1, localhost), such as server mode's local GitLab.
    /// </summary>
    public string? ClearTextWarning() =>
        Url.Scheme == Uri.UriSchemeHttp && !IsLoopback(Url)
            ? $"GITLAB_URL = http://{Url.Authority}{Url.AbsolutePath.TrimEnd('/')} is plain http:// to another machine: {TokenName}, runner tokens and registration tokens would cross the network unencrypted; set GITLAB_URL to the https:// address of your GitLab"
            : null;

    /// <summary>Which setting the personal token comes from, for messages.</summary>
    public string TokenName => IsLocalServer ? "the local GitLab's root token" : "GITLAB_TOKEN";

    private static bool IsLoopback(Uri url) =>
        System.Net.IPAddress.TryParse(url.DnsSafeHost, out var address)
            ? System.Net.IPAddress.IsLoopback(address)
            : url.DnsSafeHost.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    public override string ToString() =>
        $"EffectiveGitLab {{ Url = {Url}, RunnerUrl = {RunnerUrl}, PersonalToken = {(PersonalToken is null ? "none" : Secret.Mask)}, Project = {Project} }}";
}
