namespace Lab.Docker;

/// <summary>Why the project ships a static helper: a glibc build cannot run in musl (Alpine-like) images.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MuslProofTests(LabFixture lab)
{
    // Run from a shell, as a job's script line is: without glibc's loader the kernel cannot start the
    // binary, and the shell reports "not found" with exit code 127, as on Alpine.
    [Fact]
    public async Task Musl_only_image_cannot_run_the_glibc_helper_but_runs_a_static_binary()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var glibc = await Cli.RunAsync("docker",
            ["run", "--rm", "--pull", "never", "--network", "none", "-v", lab.Images.Helper + ":/usr/local/bin/docker-credential-ecr-login:ro", lab.Images.Musl, "sh", "-c", "docker-credential-ecr-login version"],
            timeout.Token);
        var fileType = await Cli.RunAsync("file", ["-L", "/bin/busybox"], timeout.Token);
        var staticBinary = await Cli.RunAsync("docker",
            ["run", "--rm", "--pull", "never", "--network", "none", "-v", "/bin/busybox:/opt/static/busybox:ro", lab.Images.Musl, "/opt/static/busybox", "echo", "static runs"],
            timeout.Token);

        Assert.Equal(127, glibc.ExitCode);
        Assert.Contains("not found", glibc.Error);
        Assert.Contains("statically linked", fileType.Output);
        Assert.True(staticBinary.Succeeded, staticBinary.Error);
        Assert.Equal("static runs", staticBinary.Output.Trim());
    }
}
