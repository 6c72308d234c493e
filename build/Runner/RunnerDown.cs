using Build.Docker;
using Build.Processes;

namespace Build.Runner;

/// <summary>
/// Down: stops every running container carrying the project's labels (the runner and, with any profile, the local
/// GitLab) and keeps every file, container and volume, so Up starts the same stack again.
/// </summary>
/// <param name="project">COMPOSE_PROJECT_NAME, whose labels mark the containers.</param>
/// <param name="stateDirectory">STATE_DIR, named as kept.</param>
public sealed class RunnerDown(string project, string stateDirectory, DockerCli docker, Action<string> info)
{
    public void Run()
    {
        try
        {
            docker.Engine(TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            throw new BuildFailure($"Docker is not reachable ({ex.Message}), so the containers of project \"{project}\" cannot be stopped", "start Docker (sudo systemctl start docker); a stopped daemon has stopped its containers too");
        }

        var running = new ProjectResources(docker, project).Containers().Where(c => c.Detail.StartsWith("running", StringComparison.Ordinal) || c.Detail.StartsWith("restarting", StringComparison.Ordinal)).ToList();
        if (running.Count == 0)
        {
            info($"Nothing to stop: no running container of project \"{project}\". Files kept in {stateDirectory}.");
            return;
        }

        foreach (var container in running)
        {
            info($"stopping {container}");
        }

        var result = docker.Stop(running.Select(c => c.Id), grace: TimeSpan.FromSeconds(10));
        if (!result.Succeeded)
        {
            throw new BuildFailure($"docker stop failed: {result.StandardError.Trim()}", "see docker's message, then run ./build.sh --target=Down again");
        }

        info($"Stopped {running.Count} container(s) of project \"{project}\"; every file in {stateDirectory} is kept (./build.sh --target=Up starts them again).");
    }
}
