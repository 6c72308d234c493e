using Build.State;

namespace Build.Tests.State;

/// <summary>What Clean removes of a state folder: only what the build writes there, never a folder it must not touch.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StateCleanupTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("state-cleanup-");

    public void Dispose() => _root.Delete(recursive: true);

    private string Repository => Directory.CreateDirectory(Path.Combine(_root.FullName, "repo")).FullName;

    private string State => Path.Combine(_root.FullName, "state");

    private StateFolder Folder(string? state = null, string project = "p") => new(new StateLayout(state ?? State), project, Repository, Path.Combine(_root.FullName, "home"));

    private StateCleanup Cleanup(string? credentials = null, bool server = false, bool backups = false, StateFolder? folder = null) =>
        new(folder ?? Folder(), [(credentials, "the credentials file")], server, backups);

    private void Touch(params string[] relative)
    {
        foreach (var path in relative.Select(r => Path.Combine(State, r)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }

    [Fact]
    public void The_whole_state_folder_goes_when_it_holds_only_what_the_build_wrote()
    {
        // Given a state folder the build claimed, with its outputs
        Folder().Claim();
        Touch("helper/manifest.json", "runner/config/config.toml");

        // When Clean plans its removals
        var removals = Cleanup(credentials: "/elsewhere/credentials").Removals();

        // Then it removes the folder as a whole
        Assert.Equal([State], removals);
    }

    [Fact]
    public void Server_data_backups_and_a_credentials_file_inside_are_kept_unless_asked()
    {
        // Given a claimed state folder holding server data, backups and the user's credentials file
        Folder().Claim();
        Touch("helper/manifest.json", "runner/config/config.toml", "runner/backups/config.toml.1", "server/data/x", "runner/credentials");
        var credentials = Path.Combine(State, "runner", "credentials");

        // When Clean plans, first by default, then asked to remove server data and backups too
        var kept = Cleanup(credentials).Removals();
        var asked = Cleanup(credentials, server: true, backups: true).Removals();

        // Then only the build's outputs go; the credentials file stays in both
        Assert.Equal([Path.Combine(State, "helper"), Path.Combine(State, "runner", "config")], kept);
        Assert.Equal([Path.Combine(State, "helper"), Path.Combine(State, "runner", "backups"), Path.Combine(State, "runner", "config"), Path.Combine(State, "server")], asked);
    }

    [Fact]
    public void Files_the_build_did_not_write_stay_and_so_does_the_marker()
    {
        // Given a claimed state folder where the user also put a file and a folder of their own
        Folder().Claim();
        Touch("compose/up.json", "notes.txt", "mine/data.bin");

        // When Clean plans
        var cleanup = Cleanup();

        // Then it removes the build's folder only, and names the user's entries as kept
        Assert.Equal([Path.Combine(State, "compose")], cleanup.Removals());
        Assert.Equal(
            [(Path.Combine(State, "mine"), "not written by the build"), (Path.Combine(State, "notes.txt"), "not written by the build")],
            cleanup.Kept());
    }

    [Fact]
    public void A_folder_without_the_marker_that_holds_other_files_is_refused_whole()
    {
        // Given a folder of someone's files that happens to have a "helper" folder too, and no marker
        Touch("helper/x", "thesis.tex", ".bashrc");

        // When Clean plans
        var cleanup = Cleanup();

        // Then it refuses, names what it found, and removes nothing
        var refusal = Assert.IsType<BuildFailure>(cleanup.Refusal());
        Assert.Contains("did not write (.bashrc, thesis.tex)", refusal.Problem, StringComparison.Ordinal);
        Assert.Contains("set STATE_DIR to a new or empty folder", refusal.Fix, StringComparison.Ordinal);
        Assert.Empty(cleanup.Removals());
    }

    [Fact]
    public void A_folder_an_earlier_version_made_is_taken_over_and_cleaned()
    {
        // Given a folder without the marker that holds only what the build writes (an earlier version made it)
        Touch("helper/manifest.json", "compose/up.json", "runner/config/config.toml");

        // When a target claims it, and Clean plans
        var done = Folder().Claim();

        // Then the marker is written, naming the project, and Clean may remove it whole
        Assert.Contains("took over", done, StringComparison.Ordinal);
        Assert.Equal("p", Folder().MarkedProject());
        Assert.Equal([State], Cleanup().Removals());
    }

    [Fact]
    public void The_state_folder_of_another_compose_project_is_refused()
    {
        // Given a state folder claimed by project "a"
        Folder(project: "a").Claim();

        // When project "b" would write or clean it
        var problem = Folder(project: "b").Problem();
        var cleanup = Cleanup(folder: Folder(project: "b"));

        // Then both are refused, naming the owner
        Assert.Contains("compose project \"a\"", problem!.Problem, StringComparison.Ordinal);
        Assert.Contains("COMPOSE_PROJECT_NAME=a", problem.Fix, StringComparison.Ordinal);
        Assert.NotNull(cleanup.Refusal());
        Assert.Empty(cleanup.Removals());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/etc/ssl")]
    [InlineData("/usr/local")]
    [InlineData("/var/lib/docker")]
    [InlineData("/root")]
    [InlineData("/home")]
    [InlineData("/proc/self")]
    public void System_folders_are_refused(string path)
    {
        var problem = Folder(path).Forbidden();

        Assert.NotNull(problem);
        Assert.Contains(path, problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Home_its_parents_the_repository_its_parents_and_a_link_to_home_are_refused()
    {
        // Given a home folder, a link to it, and the repository
        var home = Directory.CreateDirectory(Path.Combine(_root.FullName, "home")).FullName;
        var link = Path.Combine(_root.FullName, "link-to-home");
        Directory.CreateSymbolicLink(link, home);

        // Then each of them is refused as a state folder, and a folder inside the repository is not
        Assert.Contains("home folder", Folder(home).Forbidden()!.Problem, StringComparison.Ordinal);
        Assert.Contains("home folder", Folder(_root.FullName).Forbidden()!.Problem, StringComparison.Ordinal);
        Assert.Contains("home folder", Folder(link).Forbidden()!.Problem, StringComparison.Ordinal);
        Assert.Contains("the repository", Folder(Repository).Forbidden()!.Problem, StringComparison.Ordinal);
        Assert.Null(Folder(Path.Combine(Repository, ".state")).Forbidden());
    }

    [Fact]
    public void Claim_refuses_a_foreign_folder_and_changes_nothing_in_it()
    {
        // Given a non-empty folder without the marker
        Touch("report.pdf");

        // When a target claims it
        var error = Assert.Throws<BuildFailure>(() => Folder().Claim());

        // Then it is refused and no marker was written
        Assert.Contains("report.pdf", error.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(State, StateLayout.MarkerName)));
        Assert.Equal(["report.pdf"], Directory.GetFileSystemEntries(State).Select(Path.GetFileName));
    }
}
