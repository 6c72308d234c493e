using Build.Docker;
using Build.Processes;
using Cake.Common.Diagnostics;

namespace Build.Runner;

/// <summary>
/// Down: stops every running container carrying the project's labels (the runner and, with any profile, the local
/// GitLab) and keeps every file, container and volume, so Up starts the same stack again.
/// </summary>
public sealed class RunnerDown(BuildContext context)
{
    public void Run()
    {
        var project = context.Settings.ComposeProjectName;
        try
        {
            context.Docker.Engine(TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            throw new BuildFailure($"Docker is not reachable ({ex.Message}), so the containers of project \"{project}\" cannot be stopped", "start Docker (sudo systemctl start docker); a stopped daemon has stopped its containers too");
        }

        var running = new ProjectResources(context.Docker, project).Containers().Where(c => c.Detail.StartsWith("running", StringComparison.Ordinal) || c.Detail.StartsWith("restarting", StringComparison.Ordinal)).ToList();
        if (running.Count == 0)
        {
            context.Information($"Nothing to stop: no running container of project \"{project}\". Files kept in {context.StateDirectory.FullPath}.");
            return;
        }

        foreach (var container in running)
        {
            context.Information($"stopping {container}");
        }

        var result = context.Docker.Stop(running.Select(c => c.Id), grace: TimeSpan.FromSeconds(10));
        if (!result.Succeeded)
        {
            throw new BuildFailure($"docker stop failed: {result.StandardError.Trim()}", "see docker's message, then run ./build.sh --target=Down again");
        }

        context.Information($"Stopped {running.Count} container(s) of project \"{project}\"; every file in {context.StateDirectory.FullPath} is kept (./build.sh --target=Up starts them again).");
    }
}
