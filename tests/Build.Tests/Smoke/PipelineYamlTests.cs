using Build.Settings;
using Build.Smoke;
using Build.Tests.RunnerConfig;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Build.Tests.Smoke;

/// <summary>RUNNER_TAGS and the images reach the example pipeline only as YAML values: checked in the settings, written by a serializer, read back as data.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PipelineYamlTests
{
    private const string Image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0";
    private static readonly string[] Jobs = ["test-runner-pull", "test-dind-pull"];

    private static string Template => File.ReadAllText(ExamplePipeline.Template(TestRepository.Root()));

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private static string[] Keys(YamlMappingNode root) => [.. root.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)];

    [Theory]
    [InlineData("ecr\"]\ninjected:\n  script: [\"id\"]\n#", "tag 1 (\"ecr\"]\\ninjected:\\n  script: [\"id\"]\\n#\")")]
    [InlineData("ecr, my tag", "tag 2 (\"my tag\")")]
    [InlineData("ecr,[docker]", "tag 2 (\"[docker]\")")]
    [InlineData("ecr,'docker'", "tag 2 (\"'docker'\")")]
    [InlineData("ecr,dock\u0000er", "tag 2 (\"dock\\u0000er\")")]
    [InlineData("ecr,d\u00e9ploiement", "tag 2 (\"d\u00e9ploiement\")")]
    public void A_hostile_RUNNER_TAGS_value_is_refused_naming_the_tag_and_what_is_accepted(string value, string named)
    {
        // Given RUNNER_TAGS with quotes, brackets, a line break, a space, a control character or a non-ASCII letter
        // When the settings are loaded
        var error = Assert.Throws<SettingsException>(() => ConfigTomlTests.Settings(new() { ["RUNNER_TAGS"] = value }));

        // Then one problem names the setting, the tag and what a tag may hold, on one line
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("RUNNER_TAGS = \"", problem);
        Assert.Contains(named + " holds a character other than letters, digits, '.', '_', '-', ':' and '/'", problem);
        Assert.Contains("accepted: comma-separated tags, at most 49", problem);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void Too_many_or_too_long_tags_are_refused_with_the_limit()
    {
        var tooMany = Assert.Throws<SettingsException>(() => ConfigTomlTests.Settings(new() { ["RUNNER_TAGS"] = string.Join(',', Enumerable.Range(1, 50).Select(i => $"t{i}")) }));
        var tooLong = Assert.Throws<SettingsException>(() => ConfigTomlTests.Settings(new() { ["RUNNER_TAGS"] = "ecr," + new string('a', 256) }));

        Assert.Contains("50 tags; GitLab refuses a job with more than 49", Assert.Single(tooMany.Problems));
        Assert.Contains("is 256 characters long (GitLab keeps 255)", Assert.Single(tooLong.Problems));
        Assert.Equal(49, ConfigTomlTests.Settings(new() { ["RUNNER_TAGS"] = string.Join(',', Enumerable.Range(1, 49).Select(i => $"t{i}")) }).GitLab.RunnerTags.Count);
    }

    [Fact]
    public void A_valid_tags_list_renders_to_yaml_that_parses_back_to_exactly_those_tags()
    {
        // Given tags that YAML would otherwise read as a boolean, a null, a number or a key
        var settings = ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Image, ["RUNNER_TAGS"] = "ecr, true,null,1.0, team:ci,linux/amd64,-x,ecr" });

        // When the pipeline is rendered and read back
        var root = Parse(ExamplePipeline.Render(Template, settings));

        // Then default: tags holds exactly those strings (duplicates once), each a quoted string
        var tags = ((YamlSequenceNode)At(root, "default", "tags")).Children.Cast<YamlScalarNode>().ToList();
        Assert.Equal(["ecr", "true", "null", "1.0", "team:ci", "linux/amd64", "-x"], tags.Select(t => t.Value));
        Assert.All(tags, t => Assert.Equal(ScalarStyle.DoubleQuoted, t.Style));
    }

    [Fact]
    public void The_rendered_example_pipeline_parses_back_to_the_expected_jobs()
    {
        // Given the settings' images and tags
        var settings = ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Image, ["RUNNER_TAGS"] = "ecr", ["DIND_IMAGE"] = "docker:30-dind" });

        // When rendered and read back
        var root = Parse(ExamplePipeline.Render(Template, settings));

        // Then the top level is the variables, the default tags and the two jobs, with the images as data
        Assert.Equal(["variables", "default", .. Jobs], Keys(root));
        Assert.Equal(Image, At(root, "variables", "PRIVATE_ECR_IMAGE").ToString());
        Assert.Equal(Image, At(root, "test-runner-pull", "image").ToString());
        Assert.Equal("docker:29-cli", At(root, "test-dind-pull", "image").ToString());
        Assert.Equal("docker:30-dind", At(((YamlSequenceNode)At(root, "test-dind-pull", "services")).Children[0], "name").ToString());
    }

    [Fact]
    public void Values_that_try_to_end_their_line_stay_values_and_add_no_job()
    {
        // Given values no setting would let through, handed to the renderer directly
        const string image = "x\"\ninjected-by-image:\n  script: [\"id\"]\n";
        const string tag = "ecr\"]\ninjected-by-tag:\n  script: [\"id\"]\n#";

        // When rendered and read back
        var root = Parse(ExamplePipeline.Render(Template, image, "docker:29-dind\r\nx: 1", "docker:29-cli' # ", [tag, "\\"]));

        // Then no job was added and each value comes back exactly as given
        Assert.Equal(["variables", "default", .. Jobs], Keys(root));
        Assert.Equal(image, At(root, "test-runner-pull", "image").ToString());
        Assert.Equal("docker:29-cli' # ", At(root, "test-dind-pull", "image").ToString());
        Assert.Equal("docker:29-dind\r\nx: 1", At(((YamlSequenceNode)At(root, "test-dind-pull", "services")).Children[0], "name").ToString());
        Assert.Equal([tag, "\\"], ((YamlSequenceNode)At(root, "default", "tags")).Children.Select(t => t.ToString()));
    }
}
