using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Build.Aws;
using Build.Fleet;
using Build.Runner;
using Build.State;
using Build.Tests.Docker;

namespace Build.Tests.Fleet;

/// <summary>Up's fleeting plugin: installed once per reference with gitlab-runner fleeting install, or unpacked from a local archive.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetPluginTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fleet-plugin-").FullName;
    private readonly FakeDocker _docker = new();
    private readonly List<string> _info = [];

    public void Dispose()
    {
        _docker.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private Build.Settings.BuildSettings Settings(Dictionary<string, string>? more = null) =>
        FleetFixture.Settings("token", new(more ?? []) { ["STATE_DIR"] = Path.Combine(_root, "state") });

    private FleetPlugin Plugin(string dockerBody, Dictionary<string, string>? more = null)
    {
        var settings = Settings(more);
        return new FleetPlugin(settings, StateLayout.Of(settings), _docker.Cli(dockerBody), _info.Add);
    }

    [Fact]
    public void Fleeting_install_runs_in_the_runner_container_with_a_config_naming_the_plugin_and_only_once()
    {
        // Given a runner container whose fleeting install lays out the plugin in the state folder
        var probe = Plugin(string.Empty);
        var installed = Path.Combine(probe.PluginsFolder, "registry.gitlab.com", "gitlab-org", "fleeting", "plugins", "aws", "1.1.0", "plugin");
        var plugin = Plugin($"mkdir -p '{Path.GetDirectoryName(installed)}' && echo binary > '{installed}'");
        plugin.Prepare();

        // When Up installs it, twice
        plugin.Install("runner-container");
        plugin.Install("runner-container");

        // Then docker exec ran fleeting install once, with CONFIG_FILE at a config that names only FLEET_PLUGIN
        var call = Assert.Single(_docker.Calls);
        Assert.StartsWith("exec --env CONFIG_FILE=/var/lib/gitlab-runner-ecr/fleeting/install.toml runner-container sh -c gitlab-runner fleeting install && chown -R ", call, StringComparison.Ordinal);
        Assert.Equal("[[runners]]\n  name = \"ecr-runner\"\n  executor = \"docker-autoscaler\"\n  [runners.autoscaler]\n    plugin = \"aws:1.1\"\n", File.ReadAllText(plugin.InstallConfig));
        Assert.Equal("aws:1.1\n", File.ReadAllText(plugin.Installed));
        Assert.Contains(_info, line => line == $"fleeting plugin aws:1.1 already installed in {plugin.PluginsFolder}");
        Assert.False(plugin.NeedsInstall);

        // And another plugin reference installs again
        Assert.True(Plugin(string.Empty, new() { ["FLEET_PLUGIN"] = "aws:1.2" }).NeedsInstall);
    }

    [Fact]
    public void A_failed_install_says_what_the_runner_printed_and_how_to_fix_it()
    {
        var plugin = Plugin("echo 'error: pulling registry.gitlab.com/gitlab-org/fleeting/plugins/aws: no route to host' >&2; exit 1");
        plugin.Prepare();

        var error = Assert.Throws<BuildFailure>(() => plugin.Install("runner-container"));

        Assert.Contains("gitlab-runner fleeting install of aws:1.1 failed in the runner container (exit 1): error: pulling registry.gitlab.com", error.Problem, StringComparison.Ordinal);
        Assert.Contains("an air-gapped site sets FLEET_PLUGIN_ARCHIVE", error.Fix, StringComparison.Ordinal);
        Assert.False(File.Exists(plugin.Installed));
    }

    [Fact]
    public void An_install_that_leaves_no_plugin_is_refused_rather_than_trusted()
    {
        var plugin = Plugin("exit 0");
        plugin.Prepare();

        var error = Assert.Throws<BuildFailure>(() => plugin.Install("runner-container"));

        Assert.Contains("succeeded and left nothing in", error.Problem, StringComparison.Ordinal);
        Assert.True(plugin.NeedsInstall);
    }

    [Fact]
    public void An_air_gapped_archive_is_unpacked_into_the_state_folder_and_nothing_is_pulled()
    {
        // Given a release archive holding the plugin binary
        var archive = Archive(("fleeting-plugin-aws-linux-amd64/fleeting-plugin-aws", "#!/bin/sh\necho plugin\n"), ("README.md", "read me"));
        var plugin = Plugin("exit 99", new() { ["FLEET_PLUGIN_ARCHIVE"] = archive });

        // When Up prepares and installs it
        plugin.Prepare();
        plugin.Install("runner-container");

        // Then the binary is in the state folder, executable, and docker was not asked to install anything
        Assert.Equal("#!/bin/sh\necho plugin\n", File.ReadAllText(plugin.Binary));
        Assert.True(File.GetUnixFileMode(plugin.Binary).HasFlag(UnixFileMode.UserExecute));
        Assert.Empty(_docker.Calls);
        Assert.False(plugin.NeedsInstall);
    }

    [Fact]
    public void An_archive_without_the_plugin_or_that_is_not_a_gzip_tar_is_refused()
    {
        var without = Plugin(string.Empty, new() { ["FLEET_PLUGIN_ARCHIVE"] = Archive(("README.md", "no plugin here")) });
        var notGzip = Path.Combine(_root, "plain.tar.gz");
        File.WriteAllText(notGzip, "not a gzip stream");

        Assert.Contains("holds no file named fleeting-plugin-aws", Assert.Throws<BuildFailure>(without.Prepare).Problem, StringComparison.Ordinal);
        Assert.Contains("could not be read as a .tar.gz", Assert.Throws<BuildFailure>(Plugin(string.Empty, new() { ["FLEET_PLUGIN_ARCHIVE"] = notGzip }).Prepare).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_runner_gets_the_plugin_folder_only_in_fleet_mode()
    {
        // Given the same settings with and without a fleet
        var fleet = Settings(new() { ["FLEET_PLUGIN_ARCHIVE"] = Archive(("fleeting-plugin-aws", "x")) });
        var none = Build.Tests.RunnerConfig.ConfigTomlTests.Settings(new() { ["STATE_DIR"] = Path.Combine(_root, "state") });

        // When the compose override is rendered
        JsonNode Runner(Build.Settings.BuildSettings s) => JsonNode.Parse(RunnerStack.RenderOverride(s, RunnerCredentials.For(s, _ => null)))!["services"]!["runner"]!;

        // Then the fleet's runner mounts the state folder's fleeting folder, the archive's binary and sets FLEETING_PLUGIN_PATH
        var volumes = Runner(fleet)["volumes"]!.AsArray().Select(v => (string)v!).ToList();
        Assert.Contains($"{Path.Combine(_root, "state", "runner", "fleeting")}:/var/lib/gitlab-runner-ecr/fleeting", volumes);
        Assert.Contains($"{Path.Combine(_root, "state", "runner", "fleeting", "bin", "fleeting-plugin-aws")}:/usr/local/bin/fleeting-plugin-aws:ro", volumes);
        Assert.Contains("FLEETING_PLUGIN_PATH=/var/lib/gitlab-runner-ecr/fleeting/plugins", Runner(fleet)["environment"]!.AsArray().Select(v => (string)v!));
        Assert.DoesNotContain("fleeting", Runner(none).ToJsonString(), StringComparison.Ordinal);
    }

    private string Archive(params (string Name, string Text)[] files)
    {
        var path = Path.Combine(_root, $"plugin-{Guid.NewGuid():N}.tar.gz");
        using (var stream = File.Create(path))
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var (name, text) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
            }
        }

        return path;
    }
}
