using Build.Files;
using Build.Helper;
using Build.Settings;
using Build.State;

namespace Build.Fleet;

/// <summary>
/// Writes the worker side of a fleet into STATE_DIR/fleet for review: rendered before Register asks GitLab anything
/// (a missing helper build stops the run with nothing changed), written after config.toml, each file whole.
/// </summary>
public sealed class FleetFiles(BuildSettings settings, StateLayout state, string root, Action claimState, Action<string> info)
{
    public string Folder => state.Fleet;

    /// <summary>The files for the settings; the helper's build must be there, since the user-data checks the workers' download against it.</summary>
    public IReadOnlyList<WorkerFile> Render()
    {
        var helper = HelperOutput.For(settings);
        var manifest = helper.ReadManifest() ?? throw new BuildFailure(
            $"no helper build in {helper.Directory}: the workers' user-data checks the helper it downloads against the SHA-256 of BuildHelper's binaries",
            "run ./build.sh --target=BuildHelper, or Register without --exclusive");
        return WorkerFiles.Render(settings, root, manifest);
    }

    public void Write(IReadOnlyList<WorkerFile> files)
    {
        claimState();
        Directory.CreateDirectory(Folder);
        var changed = files.Count(f => AtomicFile.Write(Path.Combine(Folder, f.Name), f.Text, f.Mode));
        foreach (var stale in WorkerFiles.Names.Except(files.Select(f => f.Name)).Select(n => Path.Combine(Folder, n)).Where(File.Exists))
        {
            // The other mode's files (the refresher's units in helper mode) would mislead a reviewer.
            File.Delete(stale);
            changed++;
        }

        var mode = settings.Runner.DindAuth == DindAuth.Token ? "token" : "helper";
        info(changed == 0
            ? $"fleet: the worker files in {Folder} are up to date"
            : $"fleet: wrote the worker files for DIND_AUTH={mode} in {Folder} (user-data, launch template with IMDSv2 required and hop limit {WorkerFiles.HopLimit(settings.Runner.DindAuth)}, worker and manager IAM policies, CloudFormation template): review them, create the stack, and copy the helper's binaries to {settings.Fleet.HelperUrl}");
    }
}
