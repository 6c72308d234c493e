namespace Lab.Docker;

/// <summary>Why the project ships a static helper: a glibc build cannot run in musl (Alpine-like) images, a CGO_ENABLED=0 Go build can.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MuslProofTests(LabFixture lab)
{
    private const string Greeting = "static go binary runs without a libc";

    // Run from a shell, as a job's script line is: without glibc's loader the kernel cannot start the
    // binary, and the shell reports "not found" with exit code 127, as on Alpine.
    [Fact]
    public async Task Musl_only_image_cannot_run_the_glibc_helper_but_runs_a_static_binary()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var staticGo = await BuildStaticGoProgramAsync(timeout.Token);

        var glibcType = await Cli.RunAsync("file", ["-L", lab.Images.Helper], timeout.Token);
        var glibc = await Cli.RunAsync("docker",
            ["run", "--rm", "--pull", "never", "--network", "none", "-v", lab.Images.Helper + ":/usr/local/bin/docker-credential-ecr-login:ro", lab.Images.Musl, "sh", "-c", "docker-credential-ecr-login version"],
            timeout.Token);
        var staticType = await Cli.RunAsync("file", [staticGo], timeout.Token);
        var staticRun = await Cli.RunAsync("docker",
            ["run", "--rm", "--pull", "never", "--network", "none", "-v", staticGo + ":/opt/static/hello:ro", lab.Images.Musl, "/opt/static/hello"],
            timeout.Token);

        Assert.Contains("dynamically linked", glibcType.Output);
        Assert.Equal(127, glibc.ExitCode);
        Assert.Contains("not found", glibc.Error);
        Assert.Contains("statically linked", staticType.Output);
        Assert.True(staticRun.Succeeded, $"the static Go binary exited {staticRun.ExitCode}: {staticRun.Error}");
        Assert.Equal(Greeting, staticRun.Output.Trim());
    }

    /// <summary>
    /// Compiles a one-line Go program with CGO_ENABLED=0 in the lab's Go image (no network, no module proxy),
    /// as the project builds the helper; the binary is kept in the run's work folder.
    /// </summary>
    private async Task<string> BuildStaticGoProgramAsync(CancellationToken cancel)
    {
        var source = Path.Combine(lab.Work, "static-go");
        var binary = Path.Combine(source, "out", "hello");
        if (File.Exists(binary))
        {
            return binary;
        }

        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "go.mod"), "module x\n\ngo 1.19\n");
        File.WriteAllText(Path.Combine(source, "main.go"), $$"""
            package main

            import "os"

            func main() { os.Stdout.WriteString("{{Greeting}}\n") }
            """);
        await Cli.DockerAsync("build a CGO_ENABLED=0 Go program", cancel,
            "run", "--rm", "--pull", "never", "--network", "none", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "-e", "CGO_ENABLED=0", "-v", source + ":/src", "-w", "/src", lab.Images.Go, "go", "build", "-trimpath", "-o", "/src/out/hello", ".");
        return binary;
    }
}
