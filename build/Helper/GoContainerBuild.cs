using Build.Docker;
using Build.Processes;
using Build.Settings;

namespace Build.Helper;

/// <summary>
/// The build and archive sources: <c>assets/helper/build-helper.sh</c> run in a Go container with the classic
/// builder's steps (create, cp in, start, cp out, rm), module cache in a labelled named volume. The container
/// is removed whatever happens, Ctrl-C included.
/// </summary>
/// <param name="root">The repository root: assets/helper/build-helper.sh is there.</param>
/// <param name="verbose">Where Go's output goes when the build passes (--verbosity=verbose).</param>
public sealed class GoContainerBuild(BuildSettings settings, string root, DockerCli docker, Action<string> info, Action<string> verbose)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    private string Image => settings.Helper.GoImage.ToString();

    public void Produce(HelperRequest request, string staging)
    {
        if (request.Source == HelperSource.Archive)
        {
            HelperArchive.Check(settings.Helper.Archive!.FullPath, settings.Helper.Version);
        }

        var script = Path.Combine(root, "assets", "helper", "build-helper.sh");
        if (!File.Exists(script))
        {
            throw new BuildFailure($"{script} is missing", "restore assets/helper/ from the repository (git checkout -- assets/helper)");
        }

        EnsureDaemon(request);
        EnsureImage();
        var volume = $"{settings.ComposeProjectName}-helper-go-cache";
        Check("create the Go cache volume", docker.CreateVolume(volume, ProjectLabels.Of(settings.ComposeProjectName, "helper-go-cache")));

        var container = Container(request, $"{settings.ComposeProjectName}-helper-build-{Guid.NewGuid().ToString("N")[..8]}", volume);
        var name = container.Name;
        Check("create the build container", docker.Create(container));
        try
        {
            Check("copy the build script in", docker.Copy(script, $"{name}:/build-helper.sh"));
            if (request.Source == HelperSource.Archive)
            {
                Check("copy HELPER_ARCHIVE in", docker.Copy(settings.Helper.Archive!.FullPath, $"{name}:/helper-src.tar.gz"));
            }

            info($"Building docker-credential-ecr-login {request.Describe()} ({request.SourceName}) in {Image}; about a minute per platform when nothing is cached.");
            var run = docker.StartAttached(name, BuildTimeout);
            if (!run.Succeeded)
            {
                throw GoFailed(request, run);
            }

            verbose(run.StandardOutput.Trim());

            Check("copy the binaries out", docker.Copy($"{name}:/out/.", staging));
        }
        finally
        {
            // Not with the run's cancellation: after Ctrl-C it would stop this command too.
            docker.WithoutCancellation().Remove([name], TimeSpan.FromSeconds(30));
        }
    }

    private ContainerSpec Container(HelperRequest request, string name, string volume)
    {
        var fileProxies = request.Source == HelperSource.Build ? FileProxyFolders(settings.Helper.GoProxy) : [];
        var offline = request.Source == HelperSource.Archive
            || settings.Helper.GoProxy.Split(',', '|').All(p => p == "off" || p.StartsWith("file://", StringComparison.Ordinal));
        return new ContainerSpec(name, Image)
        {
            Labels = ProjectLabels.Of(settings.ComposeProjectName, "helper-build"),
            Network = offline ? "none" : null,
            Volumes = [$"{volume}:/cache", .. fileProxies.Select(folder => $"{folder}:{folder}:ro")],
            Environment =
            [
                "HELPER_MODE=" + request.SourceName,
                "HELPER_VERSION=" + settings.Helper.Version,
                "HELPER_MODULE=" + settings.Helper.Module,
                "HELPER_GOPROXY=" + settings.Helper.GoProxy,
                "HELPER_PLATFORMS=" + string.Join(' ', request.Platforms),
            ],
            Entrypoint = "sh",
            Command = ["/build-helper.sh"],
        };
    }

    /// <summary>The host folders of the <c>file://</c> entries of a GOPROXY list: mounted at the same path, read-only.</summary>
    public static IReadOnlyList<string> FileProxyFolders(string goProxy) =>
        goProxy.Split(',', '|').Where(p => p.StartsWith("file://", StringComparison.Ordinal)).Select(p => new Uri(p).LocalPath).ToList();

    private void EnsureDaemon(HelperRequest request)
    {
        try
        {
            docker.Engine(TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            throw new BuildFailure($"the Docker daemon, which the {request.SourceName} source compiles in, is {ex.Message}", "start Docker (sudo systemctl start docker; ./build.sh --target=Doctor checks it), or set HELPER_SOURCE=download or path, which need no Docker", ex);
        }
    }

    private void EnsureImage()
    {
        if (docker.EnsureImage(Image, settings.PullMissingImages, info) is { } problem)
        {
            throw new BuildFailure(
                $"HELPER_GO_IMAGE {Image}: {problem}",
                "set HELPER_GO_IMAGE to a Go image this machine has (docker images) or can pull, or docker pull/docker load it first (IMAGE_PULL=missing lets BuildHelper pull it)");
        }
    }

    private BuildFailure GoFailed(HelperRequest request, CommandResult run)
    {
        var tail = LastLines(run.StandardOutput + "\n" + run.StandardError, 12);
        return request.Source == HelperSource.Archive
            ? new BuildFailure(
                $"building HELPER_ARCHIVE {settings.Helper.Archive} in {Image} failed (exit {run.ExitCode}); Go said:\n{tail}",
                "check that HELPER_ARCHIVE is the unmodified release source with ecr-login/vendor/, and that HELPER_GO_IMAGE has a Go as new as its go.mod asks for")
            : new BuildFailure(
                $"go install {settings.Helper.Module}/ecr-login/cli/docker-credential-ecr-login@v{settings.Helper.Version} in {Image} failed (exit {run.ExitCode}); Go said:\n{tail}",
                "check HELPER_VERSION (a released version of HELPER_MODULE), HELPER_MODULE, and that HELPER_GOPROXY is reachable from a container; where no proxy is, use HELPER_SOURCE=archive or download");
    }

    private static void Check(string step, CommandResult result)
    {
        if (!result.Succeeded)
        {
            throw new BuildFailure(
                $"could not {step}: '{result.Command}' exited with {result.ExitCode}: {LastLines(result.StandardError, 3)}",
                "check the Docker daemon (./build.sh --target=Doctor) and HELPER_GO_IMAGE");
        }
    }

    private static string LastLines(string text, int count) =>
        string.Join("\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count).Select(l => "    " + l));
}
