
namespace Lab.Preflight;

/// <summary>ECR Public host names the lab's helper 0.8.0 cannot serve, or that are no ECR Public name at all: refused with the reason, no global name needed.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PublicHostsTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task The_dual_stack_name_with_helper_0_8_0_is_a_warning_and_a_problem_naming_0_12_0()
    {
        // Given the real helper 0.8.0, which predates ecr-public.aws.com, and that name configured
        var build = new LabBuild(lab);
        build.WriteCredentials();
        build.Environment["HELPER_PATH"] = await LabHelper.Amd64Async();
        build.Environment["ECR_REGISTRIES"] = lab.Registries[0].Host + ",ecr-public.aws.com";

        // When Preflight runs
        var result = await build.RunAsync("--target=Preflight");
        var text = result.Output + result.Error;

        // Then it warns with the version it read from the binary, and the helper's refusal is explained by it
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ecr-public.aws.com is configured, but the helper is 0.8.0, which knows that name only from 0.12.0", text);
        Assert.Contains("helper get ecr-public.aws.com (ECR Public, us-east-1) failed", text);
        Assert.Contains("The helper is 0.8.0; ecr-public.aws.com needs 0.12.0 or later.", text);
        Assert.Contains($"helper: {lab.Registries[0].Host}: token obtained", text);
    }

    [Fact]
    public async Task A_look_alike_of_ECR_Public_stops_every_target_before_it_starts_and_writes_nothing()
    {
        var build = new LabBuild(lab);
        build.Environment["ECR_REGISTRIES"] = lab.Registries[0].Host + ",public.ecr.aws.example.com";

        var result = await build.RunAsync("--target=Preflight");
        var text = result.Output + result.Error;

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ECR_REGISTRIES = ", text);
        Assert.Contains("\"public.ecr.aws.example.com\" looks like ECR Public but is not one of its names: ECR Public is exactly public.ecr.aws (or the dual-stack ecr-public.aws.com)", text);
        Assert.False(Directory.Exists(Path.Combine(build.Root, ".state")));
        Assert.False(File.Exists(build.CredentialsFile));
    }
}
