using Build.Docker;
using Build.GitLab;
using Build.Secrets;
using Build.Settings;

namespace Build.Server;

/// <summary>
/// The local GitLab's headless bootstrap (server mode), each step idempotent: waits for readiness; keeps root's token
/// from the state folder when GitLab accepts it, else has <c>gitlab-rails runner</c> create it (the token only in the
/// container's environment; written to the state folder first, so a token GitLab knows is never lost); finds or creates
/// the smoke-test project. The runner itself is Register's (POST /user/runners with this token, which later tasks
/// read from the state folder through <see cref="BuildContext.GitLab"/>). A second run creates nothing.
/// </summary>
/// <param name="claimState">Makes sure the build may write into STATE_DIR, before the token is first written.</param>
public sealed class ServerBootstrap(
    ServerSettings server, ServerReadiness readiness, State.StateLayout layout, DockerCli docker, Redactor redactor,
    Action claimState, Action<string> info, Action<string> warn, GitLabApiOptions? apiOptions = null)
{
    public async Task RunAsync(CancellationToken cancel)
    {
        var container = readiness.Wait();
        var state = new ServerState(layout);
        var local = EffectiveGitLab.LocalServer(server, null);
        using var api = new GitLabApi(local.Url, redactor, (apiOptions ?? new GitLabApiOptions()) with { Log = warn });
        var token = await RootTokenAsync(api, state, container, cancel);
        var id = await ProjectAsync(api, token, local.Project!, cancel);
        info($"local GitLab {local.Url} (runners and jobs: {local.RunnerUrl}), project {local.Project} (#{id}), root token in {state.TokenFile} (mode 0600)");
    }

    private async Task<Secret> RootTokenAsync(GitLabApi api, ServerState state, string container, CancellationToken cancel)
    {
        var stored = state.ReadToken();
        if (stored is not null)
        {
            redactor.Add(stored, "the local GitLab's root token");
            if (await api.UserAsync(stored, cancel) is { } user)
            {
                info($"root token in {state.TokenFile} accepted (user {user}): none created");
                return stored;
            }

            info("GitLab does not accept the root token in the state folder (401): creating it again through gitlab-rails runner");
        }

        var token = stored ?? RootTokenCommand.NewToken();
        claimState();
        redactor.Add(token, "the local GitLab's root token");
        state.WriteToken(token);
        var rails = docker.Exec(RootTokenCommand.Exec(container, token));
        if (!rails.Succeeded)
        {
            throw new BuildFailure(
                $"gitlab-rails runner could not create root's personal access token (exit {rails.ExitCode}):\n{Tail(rails.StandardError + "\n" + rails.StandardOutput)}",
                "read the error above; the server may still be migrating (run Up again), or its data is from another GitLab version (CLEAN_SERVER_DATA=true ./build.sh --target=Clean starts it afresh)");
        }

        var said = rails.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "done";
        if (await api.UserAsync(token, cancel) is not { } created)
        {
            throw new BuildFailure(
                $"gitlab-rails runner said \"{said}\", and GitLab still rejects the token (GET /api/v4/user: 401)",
                $"delete {state.TokenFile} and run Up again; if it persists, read {layout.ComposeScript} logs gitlab");
        }

        info($"root personal access token {said} through gitlab-rails runner (user {created}; the token went only through the container's environment), kept in {state.TokenFile} (mode 0600)");
        return token;
    }

    private async Task<long> ProjectAsync(GitLabApi api, Secret token, string path, CancellationToken cancel)
    {
        if (await api.FindProjectAsync(token, path, cancel) is { } found)
        {
            info($"project {path} exists (#{found.Id}): none created");
            return found.Id;
        }

        var created = await api.CreateOnceAsync(
            $"project {path}", ct => api.CreateProjectAsync(token, server.Project, ct), ct => api.FindProjectAsync(token, path, ct), cancel);
        info($"created project {path} (#{created.Id}) with a README on main");
        return created.Id;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
}
