using Build.Files;
using Build.Settings;

namespace Build.Smoke;

/// <summary>The example pipeline (assets/pipeline/example.gitlab-ci.yml) with the images from the settings, written to STATE_DIR/pipeline.</summary>
public static class ExamplePipeline
{
    public static string Template(string root) => Path.Combine(root, "assets", "pipeline", "example.gitlab-ci.yml");

    public static string OutputFile(BuildSettings settings) => State.StateLayout.Of(settings).PipelineFile;

    public static string Render(string template, BuildSettings settings) => template
        .Replace("{{PRIVATE_ECR_IMAGE}}", settings.PrivateImage?.ToString() ?? throw new SmokeTestException("PRIVATE_ECR_IMAGE is not set", "set PRIVATE_ECR_IMAGE in .env.local to an image in your ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest"), StringComparison.Ordinal)
        .Replace("{{DIND_IMAGE}}", settings.DindImage.ToString(), StringComparison.Ordinal)
        .Replace("{{DOCKER_CLI_IMAGE}}", settings.DockerCliImage.ToString(), StringComparison.Ordinal)
        .Replace("{{RUNNER_TAGS}}", Tags(settings.RunnerTags), StringComparison.Ordinal);

    /// <summary>RUNNER_TAGS as every job's tags (a <c>default:</c> block), so the runner Register made picks the jobs; nothing without tags.</summary>
    public static string Tags(IReadOnlyList<string> tags) =>
        tags.Count == 0 ? string.Empty : $"\n# RUNNER_TAGS: the runner picks only jobs whose tags it has.\ndefault:\n  tags: [{string.Join(", ", tags.Select(t => $"\"{t}\""))}]\n";

    /// <summary>Writes the rendered pipeline (atomically) and returns its path.</summary>
    public static string Write(string root, BuildSettings settings)
    {
        var path = OutputFile(settings);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, Render(File.ReadAllText(Template(root)), settings), AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }
}
