using Build.RunnerConfig;
using Build.Smoke;
using Build.Tests.RunnerConfig;

namespace Build.Tests.Smoke;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SmokeInputsTests
{
    private const string Image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0";

    [Fact]
    public void Example_pipeline_takes_the_images_from_the_settings()
    {
        // Given settings with a private image and other DinD and CLI images
        var settings = ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Image, ["DIND_IMAGE"] = "docker:30-dind", ["DOCKER_CLI_IMAGE"] = "docker:30-cli" });

        // When the asset is rendered
        var pipeline = ExamplePipeline.Render(File.ReadAllText(ExamplePipeline.Template(TestRepository.Root())), settings);

        // Then the executor job's image is the private image and the DinD job uses TLS with the current images
        Assert.DoesNotContain("{{", pipeline);
        Assert.Contains($"  image: \"{Image}\"", pipeline);
        Assert.Contains("  image: \"docker:30-cli\"", pipeline);
        Assert.Contains("    - name: \"docker:30-dind\"", pipeline);
        Assert.Contains("DOCKER_HOST: tcp://docker:2376", pipeline);
        Assert.Contains("DOCKER_CERT_PATH: \"/certs/client\"", pipeline);
    }

    [Fact]
    public void Example_pipeline_refuses_to_render_without_PRIVATE_ECR_IMAGE()
    {
        var error = Assert.Throws<BuildFailure>(() => ExamplePipeline.Render("image: {{PRIVATE_ECR_IMAGE}}", ConfigTomlTests.Settings()));

        Assert.Contains("PRIVATE_ECR_IMAGE is not set", error.Message);
    }

    [Fact]
    public void Register_mounts_REGISTRY_CA_BUNDLE_into_certs_d_for_every_registry_and_the_probe_reads_it_back()
    {
        // Given a registry CA bundle
        var settings = ConfigTomlTests.Settings(new() { ["REGISTRY_CA_BUNDLE"] = "/etc/ssl/mirror-ca.pem" });

        // When Register's entry is merged and read back as SmokeTest reads it
        var file = Path.Combine(Directory.CreateTempSubdirectory("smoke-").FullName, "config.toml");
        File.WriteAllText(file, ConfigToml.Merge(null, ConfigTomlTests.Entry(settings)));
        var job = JobSettings.Read(file, settings.Runner.Name);

        // Then each registry host has the CA at certs.d/<host>/ca.crt, read-only, next to the other volumes
        Assert.Contains("/etc/ssl/mirror-ca.pem:/etc/docker/certs.d/111111111111.dkr.ecr.eu-west-1.amazonaws.com/ca.crt:ro", job.Volumes);
        Assert.Contains("/etc/ssl/mirror-ca.pem:/etc/docker/certs.d/222222222222.dkr.ecr.us-east-2.amazonaws.com/ca.crt:ro", job.Volumes);
        Assert.Contains("/certs/client", job.Volumes);
        Assert.True(job.Privileged);
        Assert.Equal("ci-net", job.NetworkMode);
        Assert.StartsWith("{\"credHelpers\"", job.Variable("DOCKER_AUTH_CONFIG"));

        // And without the setting a later Register removes them again
        var again = ConfigToml.Merge(File.ReadAllText(file), ConfigTomlTests.Entry(ConfigTomlTests.Settings()));
        Assert.DoesNotContain("certs.d", again);
    }

    [Fact]
    public void Engine_pull_splits_tags_and_digests_and_encodes_auth_as_base64url_json()
    {
        Assert.Equal(("h.example:5000/a/b", "1.0"), EnginePull.Split("h.example:5000/a/b:1.0"));
        Assert.Equal(("h.example:5000/a/b", "latest"), EnginePull.Split("h.example:5000/a/b"));
        Assert.Equal(("a/b", "sha256:00"), EnginePull.Split("a/b@sha256:00"));

        var header = EnginePull.AuthHeader("AWS", new Build.Secrets.Secret("s3cr3t"), "r.example");
        var json = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
        Assert.Equal("{\"username\":\"AWS\",\"password\":\"s3cr3t\",\"serveraddress\":\"r.example\"}", json);
    }
}
