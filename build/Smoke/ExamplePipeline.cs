using Build.Files;
using Build.Settings;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Build.Smoke;

/// <summary>
/// The example pipeline (assets/pipeline/example.gitlab-ci.yml) with the images and tags from the settings, written to
/// STATE_DIR/pipeline. Each value goes in as a YAML node written by YamlDotNet (a double-quoted scalar, a flow
/// sequence), never as pasted text, so no value can end its line, open a key or add a job.
/// </summary>
public static class ExamplePipeline
{
    private static readonly ISerializer Yaml = new SerializerBuilder().WithNewLine("\n").Build();

    public static string Template(string root) => Path.Combine(root, "assets", "pipeline", "example.gitlab-ci.yml");

    public static string OutputFile(BuildSettings settings) => State.StateLayout.Of(settings).PipelineFile;

    public static string Render(string template, BuildSettings settings) => Render(
        template,
        settings.Aws.PrivateImage?.ToString() ?? throw new BuildFailure("PRIVATE_ECR_IMAGE is not set", "set PRIVATE_ECR_IMAGE in .env.local to an image in your ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest"),
        settings.Runner.DindImage.ToString(),
        settings.Runner.DockerCliImage.ToString(),
        settings.GitLab.RunnerTags,
        settings.Aws.PullThrough.Probe);

    /// <summary>The template with each placeholder replaced by its value as a YAML node (settings validate the values; this does not rely on it).</summary>
    internal static string Render(string template, string privateImage, string dindImage, string dockerCliImage, IReadOnlyList<string> tags, Aws.PullThroughTranslation? pullThrough = null) => template
        .Replace("{{PRIVATE_ECR_IMAGE}}", Scalar(privateImage), StringComparison.Ordinal)
        .Replace("{{DIND_IMAGE}}", Scalar(dindImage), StringComparison.Ordinal)
        .Replace("{{DOCKER_CLI_IMAGE}}", Scalar(dockerCliImage), StringComparison.Ordinal)
        .Replace("{{RUNNER_TAGS}}", Tags(tags), StringComparison.Ordinal)
        .Replace("{{PULL_THROUGH_JOB}}", PullThroughJob(pullThrough), StringComparison.Ordinal);

    public const string PullThroughJobName = "test-pull-through-pull";

    /// <summary>
    /// With PULL_THROUGH_CACHE and its probe image: a job whose image: is that upstream image through the cache, so the
    /// runner pulls it from the private registry (ECR imports it on the first pull); nothing otherwise.
    /// </summary>
    public static string PullThroughJob(Aws.PullThroughTranslation? via)
    {
        if (via?.Reference is not { } reference)
        {
            return string.Empty;
        }

        var job = new YamlMappingNode
        {
            {
                PullThroughJobName, new YamlMappingNode
                {
                    { "image", Quoted(reference) },
                    { "script", new YamlSequenceNode(Quoted($"echo \"the runner pulled {via.Upstream} from {via.Rule.Upstream.Name} through the pull-through cache prefix {via.Rule.Prefix}\"")) },
                }
            },
        };
        return $"\n# Pull-through cache (PULL_THROUGH_CACHE): the runner pulls {via.Upstream} as {reference}, from the private\n"
            + "# registry (its credHelpers entry covers the prefix), never from the upstream's own rate-limited registry.\n"
            + Yaml.Serialize(job);
    }

    /// <summary>RUNNER_TAGS as every job's tags (a <c>default:</c> block), so the runner Register made picks the jobs; nothing without tags.</summary>
    public static string Tags(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return string.Empty;
        }

        var list = new YamlSequenceNode(tags.Select(Quoted)) { Style = SequenceStyle.Flow };
        var block = new YamlMappingNode { { "default", new YamlMappingNode { { "tags", list } } } };
        return "\n# RUNNER_TAGS: the runner picks only jobs whose tags it has.\n" + Yaml.Serialize(block);
    }

    /// <summary>One value as a double-quoted YAML scalar (quotes, backslashes and line breaks escaped).</summary>
    public static string Scalar(string value) => Yaml.Serialize(Quoted(value)).TrimEnd('\n');

    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    /// <summary>Writes the rendered pipeline (atomically) and returns its path.</summary>
    public static string Write(string root, BuildSettings settings)
    {
        var path = OutputFile(settings);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, Render(File.ReadAllText(Template(root)), settings), AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }
}
