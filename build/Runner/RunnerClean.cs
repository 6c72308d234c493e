using Build.Docker;
using Build.Processes;
using Build.Settings;

namespace Build.Runner;

/// <summary>
/// Clean: unregisters the runner (when config.toml has its token and GitLab answers), removes the
/// containers, networks and volumes carrying the project's labels (images only with CLEAN_IMAGES), then the state
/// folder minus what <see cref="State.StateCleanup"/> keeps. As a dry run (--dryrun, CLEAN_DRY_RUN) it prints the same list and
/// changes nothing.
/// </summary>
/// <param name="root">The repository root, whose .env and .env.local Clean never touches.</param>
/// <param name="unregister">The runner's removal from GitLab (Clean's first step).</param>
public sealed class RunnerClean(
    BuildSettings settings, string root, State.StateFolder stateFolder, DockerCli docker, RunnerUnregister unregister,
    Action<string> info, Action<string> warn, bool dryRun)
{
    public async Task RunAsync(CancellationToken cancel)
    {
        var dry = dryRun;
        var state = new State.StateCleanup(
            stateFolder,
            [(settings.Aws.CredentialsFile?.FullPath, "the credentials file"), (Path.Combine(root, ".env"), ".env"), (Path.Combine(root, ".env.local"), ".env.local")],
            settings.Clean.ServerData,
            settings.Clean.Backups);
        if (state.Refusal() is { } refusal)
        {
            // A folder Clean must not touch stops the whole run: nothing of it, nor anything else, is changed.
            throw refusal;
        }

        var actions = 0;
        void Say(string line)
        {
            actions++;
            info((dry ? "would remove " : "removing ") + line);
        }

        // 1. The runner in GitLab: its token is in config.toml, which step 4 deletes.
        var (token, id, why) = unregister.Read();
        if (token is null)
        {
            info(why!);
        }
        else if (dry)
        {
            actions++;
            info($"would unregister runner \"{settings.Runner.Name}\"{(id is null ? string.Empty : $" (#{id})")} from {unregister.Url} (DELETE /api/v4/runners)");
        }
        else
        {
            actions++;
            var (done, message) = await unregister.RunAsync(token, id, cancel);
            if (done)
            {
                info(message);
            }
            else
            {
                warn(message);
            }
        }

        // 2. Docker resources, by label only.
        var resources = new ProjectResources(docker, settings.ComposeProjectName);
        IReadOnlyList<ProjectResource> containers;
        try
        {
            docker.Engine(TimeSpan.FromSeconds(20));
            containers = resources.Containers();
        }
        catch (CommandException ex)
        {
            var removals = state.Removals();
            if (removals.Count == 0)
            {
                warn($"Docker is not reachable ({ex.Message}): containers of project \"{settings.ComposeProjectName}\" could not be checked; there is no state folder to remove.");
                return;
            }

            // The containers may still hold bind mounts of the state folder, and a restart policy would bring them back on it.
            throw new BuildFailure(
                $"Docker is not reachable ({ex.Message}): Clean cannot find or stop the containers of project \"{settings.ComposeProjectName}\", so it kept the state folder {state.Directory} (their mounts live there){(dry ? string.Empty : "; nothing was removed")}",
                "start Docker (sudo systemctl start docker) and run ./build.sh --target=Clean again");
        }

        foreach (var container in containers)
        {
            Say(container.ToString());
        }

        Remove(dry, containers, c => docker.Remove([c.Id]));
        var networks = resources.Networks();
        foreach (var network in networks)
        {
            Say(network.ToString());
        }

        Remove(dry, networks, n => docker.RemoveNetwork(n.Id));
        var volumes = resources.Volumes();
        foreach (var volume in volumes)
        {
            Say(volume.ToString());
        }

        Remove(dry, volumes, v => docker.RemoveVolume(v.Id, force: false));
        if (settings.Clean.Images)
        {
            var images = resources.Images();
            foreach (var image in images)
            {
                Say(image.ToString());
            }

            Remove(dry, images, i => docker.RemoveImage(i.Id));
        }

        // 3. The state folder: only what the build wrote there.
        foreach (var path in state.Removals())
        {
            Say(path == state.Directory ? $"state folder {path}" : path);
            if (!dry)
            {
                State.StateCleanup.Delete(path);
            }
        }

        foreach (var (path, kept) in state.Kept())
        {
            info($"kept {path} ({kept})");
        }

        info(actions == 0
            ? $"Nothing to clean: no runner token, no container, network or volume labelled for project \"{settings.ComposeProjectName}\", and no state folder ({state.Directory})."
            : dry ? "Dry run: nothing was changed." : $"Clean done. The credentials file, .env and .env.local were not touched.");
    }

    private static void Remove(bool dry, IReadOnlyList<ProjectResource> resources, Func<ProjectResource, CommandResult> remove)
    {
        foreach (var resource in dry ? [] : resources)
        {
            var result = remove(resource);
            if (!result.Succeeded && !result.StandardError.Contains("No such", StringComparison.OrdinalIgnoreCase))
            {
                throw new BuildFailure($"could not remove {resource}: {result.StandardError.Trim()}", "see docker's message above, fix it, and run ./build.sh --target=Clean again");
            }
        }
    }
}
