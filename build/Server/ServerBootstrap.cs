using Build.GitLab;
using Build.Secrets;
using Cake.Common.Diagnostics;

namespace Build.Server;

/// <summary>
/// The local GitLab's headless bootstrap (server mode), each step idempotent: waits for readiness; keeps root's token
/// from the state folder when GitLab accepts it, else has <c>gitlab-rails runner</c> create it (the token only in the
/// container's environment; written to the state folder first, so a token GitLab knows is never lost); finds or creates
/// the smoke-test project. The runner itself is Register's (POST /user/runners with this token), through
/// <see cref="BuildContext.GitLab"/>. A second run creates nothing.
/// </summary>
public sealed class ServerBootstrap(BuildContext context, GitLabApiOptions? apiOptions = null)
{
    public async Task<EffectiveGitLab> RunAsync(CancellationToken cancel)
    {
        var settings = context.Settings;
        var container = new ServerReadiness(context).Wait();
        var state = new ServerState(context.State);
        var local = EffectiveGitLab.LocalServer(settings, null);
        using var api = new GitLabApi(local.Url, context.Redactor, (apiOptions ?? new GitLabApiOptions()) with { Log = m => context.Warning(m) });
        var token = await RootTokenAsync(api, state, container, cancel);
        var id = await ProjectAsync(api, token, local.Project!, cancel);
        context.Information($"local GitLab {local.Url} (runners and jobs: {local.RunnerUrl}), project {local.Project} (#{id}), root token in {state.TokenFile} (mode 0600)");
        return local with { PersonalToken = token };
    }

    private async Task<Secret> RootTokenAsync(GitLabApi api, ServerState state, string container, CancellationToken cancel)
    {
        var stored = state.ReadToken();
        if (stored is not null)
        {
            context.Redactor.Add(stored, "the local GitLab's root token");
            if (await api.UserAsync(stored, cancel) is { } user)
            {
                context.Information($"root token in {state.TokenFile} accepted (user {user}): none created");
                return stored;
            }

            context.Information("GitLab does not accept the root token in the state folder (401): creating it again through gitlab-rails runner");
        }

        var token = stored ?? RootTokenCommand.NewToken();
        context.ClaimState();
        context.Redactor.Add(token, "the local GitLab's root token");
        state.WriteToken(token);
        var rails = context.Docker.Exec(RootTokenCommand.Exec(container, token));
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
                $"delete {state.TokenFile} and run Up again; if it persists, read {context.State.ComposeScript} logs gitlab");
        }

        context.Information($"root personal access token {said} through gitlab-rails runner (user {created}; the token went only through the container's environment), kept in {state.TokenFile} (mode 0600)");
        return token;
    }

    private async Task<long> ProjectAsync(GitLabApi api, Secret token, string path, CancellationToken cancel)
    {
        if (await api.FindProjectAsync(token, path, cancel) is { } found)
        {
            context.Information($"project {path} exists (#{found.Id}): none created");
            return found.Id;
        }

        var created = await api.CreateOnceAsync(
            $"project {path}", ct => api.CreateProjectAsync(token, context.Settings.Server.Project, ct), ct => api.FindProjectAsync(token, path, ct), cancel);
        context.Information($"created project {path} (#{created.Id}) with a README on main");
        return created.Id;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
}
