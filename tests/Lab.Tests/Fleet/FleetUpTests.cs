using System.Formats.Tar;
using System.IO.Compression;

namespace Lab.Fleet;

/// <summary>
/// Up with FLEET=aws against the real Engine and Compose, the runner being a stand-in (FleetRunnerStandIn) because
/// gitlab/gitlab-runner and the fleeting plugin cannot be pulled here: what Up asks the runner container to do, where
/// the plugin lands, and the air-gapped archive really unpacked and mounted. The plugin itself is not run.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FleetUpTests(LabFixture lab)
{
    private static void Fleet(UpRun run, string image)
    {
        run.Environment["GITLAB_RUNNER_IMAGE"] = image;
        run.Environment["FLEET"] = "aws";
        run.Environment["FLEET_ASG"] = "lab-workers";
        run.Environment["FLEET_HELPER_URL"] = "http://helpers.lab.internal/ecr";
        run.Environment["DIND_AUTH"] = "helper";
    }

    [HelperArchiveFact]
    public async Task Up_installs_the_fleeting_plugin_in_the_runner_container_into_the_state_folder_once()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var standIn = await FleetRunnerStandIn.CreateAsync(lab, cancel);
        await using var run = new UpRun(lab, "fleet-oci");
        Fleet(run, standIn.Image);

        // When Up runs, and then again with nothing changed
        var up = await run.UpAsync(cancel);
        var again = await run.RunAsync(cancel, "--target=Up", "--exclusive");

        // Then fleeting install ran once in the runner container, with CONFIG_FILE at the config naming FLEET_PLUGIN
        Assert.True(up.Succeeded, up.Output + up.Error);
        Assert.True(again.Succeeded, again.Output + again.Error);
        var fleeting = Path.Combine(run.State, "runner", "fleeting");
        Assert.Equal(["fleeting install CONFIG_FILE=/var/lib/gitlab-runner-ecr/fleeting/install.toml"], File.ReadAllLines(Path.Combine(fleeting, "calls.log")));
        Assert.Contains("plugin = \"aws:1.1\"", File.ReadAllText(Path.Combine(fleeting, "install.toml")), StringComparison.Ordinal);

        // And the plugin is in the state folder, owned by this user (Clean can remove it), where FLEETING_PLUGIN_PATH points
        var plugin = Path.Combine(fleeting, "plugins", "registry.gitlab.com", "gitlab-org", "fleeting", "plugins", "aws", "1.1", "plugin");
        Assert.Equal("stand-in plugin aws:1.1\n", File.ReadAllText(plugin));
        var owner = (await Cli.RunAsync("stat", ["-c", "%u", plugin], cancel)).Output.Trim();
        Assert.Equal((await Cli.RunAsync("id", ["-u"], cancel)).Output.Trim(), owner);
        var container = await run.RunnerContainerAsync(cancel);
        var inspected = await run.InspectAsync(container, cancel);
        Assert.Contains("FLEETING_PLUGIN_PATH=/var/lib/gitlab-runner-ecr/fleeting/plugins", inspected.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(inspected.GetProperty("Mounts").EnumerateArray(), m => m.GetProperty("Source").GetString() == fleeting && m.GetProperty("Destination").GetString() == "/var/lib/gitlab-runner-ecr/fleeting");
        Assert.Contains("fleeting plugin aws:1.1 installed in ", up.Output + up.Error, StringComparison.Ordinal);
    }

    [HelperArchiveFact]
    public async Task Up_unpacks_an_air_gapped_plugin_archive_onto_the_runners_path_and_installs_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var standIn = await FleetRunnerStandIn.CreateAsync(lab, cancel);
        await using var run = new UpRun(lab, "fleet-archive");
        Fleet(run, standIn.Image);
        var archive = Path.Combine(lab.NewFolder("plugin-archive"), "fleeting-plugin-aws_linux_amd64.tar.gz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fleeting-plugin-aws") { DataStream = new MemoryStream("#!/bin/sh\necho air-gapped stand-in plugin\n"u8.ToArray()) });
        }

        run.Environment["FLEET_PLUGIN_ARCHIVE"] = archive;

        // When Up runs
        var up = await run.UpAsync(cancel);

        // Then the binary from the archive runs in the runner container from its PATH, and gitlab-runner was never asked
        Assert.True(up.Succeeded, up.Output + up.Error);
        var container = await run.RunnerContainerAsync(cancel);
        var plugin = await Cli.RunAsync("docker", ["exec", container, "fleeting-plugin-aws"], cancel);
        Assert.Equal("air-gapped stand-in plugin", plugin.Output.Trim());
        Assert.False(File.Exists(Path.Combine(run.State, "runner", "fleeting", "calls.log")));
        Assert.Contains("fleeting plugin: fleeting-plugin-aws from ", up.Output + up.Error, StringComparison.Ordinal);
    }
}
