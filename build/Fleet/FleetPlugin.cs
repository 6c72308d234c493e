using System.Formats.Tar;
using System.IO.Compression;
using Build.Docker;
using Build.Files;
using Build.Helper;
using Build.RunnerConfig;
using Build.Settings;
using Build.State;

namespace Build.Fleet;

/// <summary>
/// Up's part of a fleet (FLEET=aws): the fleeting plugin in the runner container, its folder kept in the state folder
/// (STATE_DIR/runner/fleeting, FLEETING_PLUGIN_PATH's plugins). From a registry: <c>gitlab-runner fleeting install</c>
/// with a config naming only FLEET_PLUGIN, once per plugin reference. Air-gapped: the binary unpacked from
/// FLEET_PLUGIN_ARCHIVE, mounted on the runner's PATH, where config.toml names it.
/// </summary>
public sealed class FleetPlugin(BuildSettings settings, StateLayout state, DockerCli docker, Action<string> info)
{
    public const string ContainerFolder = "/var/lib/gitlab-runner-ecr/fleeting";
    public const string BinaryTarget = "/usr/local/bin/" + AutoscalerExecutor.PluginBinary;

    public string PluginsFolder => Path.Combine(state.Fleeting, "plugins");

    public string Binary => BinaryIn(state);

    public static string BinaryIn(StateLayout state) => Path.Combine(state.Fleeting, "bin", AutoscalerExecutor.PluginBinary);

    /// <summary>The config <c>fleeting install</c> reads: the plugin only (config.toml may not name it yet: Register comes after Up).</summary>
    public string InstallConfig => Path.Combine(state.Fleeting, "install.toml");

    /// <summary>The plugin reference the last install succeeded for.</summary>
    public string Installed => Path.Combine(state.Fleeting, "installed");

    /// <summary>What the runner container gets in fleet mode: the folder, FLEETING_PLUGIN_PATH, and the archive's binary.</summary>
    public static (IReadOnlyList<string> Volumes, IReadOnlyList<string> Environment) ComposeParts(BuildSettings settings, StateLayout state)
    {
        var volumes = new List<string> { $"{state.Fleeting}:{ContainerFolder}" };
        var environment = new List<string> { $"FLEETING_PLUGIN_PATH={ContainerFolder}/plugins" };
        if (settings.Fleet.PluginArchive is { } archive)
        {
            volumes.Add($"{BinaryIn(state)}:{BinaryTarget}:ro");
            // A single-file mount keeps its first inode: a new archive must recreate the container.
            environment.Add($"GITLAB_RUNNER_ECR_PLUGIN_ARCHIVE_SHA256={(File.Exists(archive.FullPath) ? FileHash.Sha256(archive.FullPath) : "missing")}");
        }

        return (volumes, environment);
    }

    /// <summary>Before the container starts: the folders exist (made by this user, not the daemon), and an archive's binary is unpacked.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(PluginsFolder);
        if (settings.Fleet.PluginArchive is { } archive)
        {
            Unpack(archive.FullPath);
        }
    }

    /// <summary>From a registry: FLEET_PLUGIN is not the reference installed last, or its folder is empty.</summary>
    public bool NeedsInstall => settings.Fleet.PluginArchive is null
        && !(File.Exists(Installed) && File.ReadAllText(Installed).Trim() == settings.Fleet.Plugin && Directory.Exists(PluginsFolder) && Directory.EnumerateFiles(PluginsFolder, "*", SearchOption.AllDirectories).Any());

    /// <summary>After the runner runs: from a registry, <c>gitlab-runner fleeting install</c> unless this reference is installed already.</summary>
    public void Install(string container)
    {
        if (settings.Fleet.PluginArchive is not null)
        {
            info($"fleeting plugin: {AutoscalerExecutor.PluginBinary} from {settings.Fleet.PluginArchive.FullPath} at {BinaryTarget} (read-only); config.toml names it");
            return;
        }

        var plugin = settings.Fleet.Plugin;
        if (!NeedsInstall)
        {
            info($"fleeting plugin {plugin} already installed in {PluginsFolder}");
            return;
        }

        AtomicFile.Write(InstallConfig, $"[[runners]]\n  name = \"{settings.Runner.Name}\"\n  executor = \"{AutoscalerExecutor.Name}\"\n  [runners.autoscaler]\n    plugin = \"{plugin}\"\n", AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        // The runner runs as root: the folder's files go back to its owner (this user), so Clean can remove them.
        var result = docker.Exec(new ExecSpec(container, ["sh", "-c", $"gitlab-runner fleeting install && chown -R \"$(stat -c %u:%g {ContainerFolder})\" {ContainerFolder}"])
        {
            Environment = [$"CONFIG_FILE={ContainerFolder}/install.toml"],
            Timeout = TimeSpan.FromMinutes(5),
        });
        if (!result.Succeeded)
        {
            throw new BuildFailure(
                $"gitlab-runner fleeting install of {plugin} failed in the runner container (exit {result.ExitCode}): {Tail(result.StandardError + result.StandardOutput)}",
                "check that the runner container reaches the plugin's registry (registry.gitlab.com by default; gitlab-runner fleeting login for a private one) and that FLEET_PLUGIN names a released version; an air-gapped site sets FLEET_PLUGIN_ARCHIVE");
        }

        if (!Directory.EnumerateFiles(PluginsFolder, "*", SearchOption.AllDirectories).Any())
        {
            throw new BuildFailure(
                $"gitlab-runner fleeting install of {plugin} succeeded and left nothing in {PluginsFolder} (FLEETING_PLUGIN_PATH in the runner container)",
                "check GITLAB_RUNNER_IMAGE: fleeting install needs GitLab Runner 16.11 or later");
        }

        AtomicFile.Write(Installed, plugin + "\n");
        info($"fleeting plugin {plugin} installed in {PluginsFolder}");
    }

    private void Unpack(string archive)
    {
        byte[]? binary = null;
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && Path.GetFileName(entry.Name) == AutoscalerExecutor.PluginBinary && entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    binary = copy.ToArray();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            throw new BuildFailure($"FLEET_PLUGIN_ARCHIVE = {archive} could not be read as a .tar.gz ({ex.Message})", "give the plugin release's archive (a gzip-compressed tar holding fleeting-plugin-aws)");
        }

        if (binary is null)
        {
            throw new BuildFailure($"FLEET_PLUGIN_ARCHIVE = {archive} holds no file named {AutoscalerExecutor.PluginBinary}", "give the plugin release's archive for this machine's architecture, which holds the fleeting-plugin-aws binary");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Binary)!);
        var same = File.Exists(Binary) && File.ReadAllBytes(Binary).AsSpan().SequenceEqual(binary);
        if (!same)
        {
            var staged = Binary + ".new";
            File.WriteAllBytes(staged, binary);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(staged, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            File.Move(staged, Binary, overwrite: true);
        }

        info($"fleeting plugin: {(same ? "unchanged" : "unpacked")} {Binary} from {archive}");
    }

    private static string Tail(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(6)).Trim();
}
