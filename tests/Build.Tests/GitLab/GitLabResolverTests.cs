using Build.GitLab;
using Build.Secrets;
using Build.Server;
using Build.Settings;
using Build.State;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.GitLab;

/// <summary>The run's GitLab: the settings' resolved once, or the local server's with the root token Bootstrap writes.</summary>
public sealed class GitLabResolverTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("gitlab-resolver-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(), name => environment.GetValueOrDefault(name), null);

    [Fact]
    public void In_server_mode_a_GitLab_asked_before_Bootstrap_wrote_the_root_token_has_it_when_asked_after()
    {
        // Given server mode, and a resolver asked once before any token is in the state folder
        var settings = Load(new() { ["SERVER"] = "true", ["STATE_DIR"] = _state });
        var redactor = new Redactor();
        var resolver = new GitLabResolver(settings, new StateLayout(_state), redactor, _ => { });
        var before = resolver.Current;

        // When Bootstrap writes root's token, and the GitLab is asked again
        var token = new Secret("glpat-" + new string('r', 20));
        new ServerState(new StateLayout(_state)).WriteToken(token);
        var after = resolver.Current;

        // Then the first answer had no token, the second has it, and the redactor masks it
        Assert.Null(before.PersonalToken);
        Assert.Equal(token, after.PersonalToken);
        Assert.True(after.IsLocalServer);
        Assert.Equal("***", redactor.Redact(token.Reveal()));
    }

    [Fact]
    public void The_settings_GitLab_is_resolved_once_so_its_clear_text_warning_shows_once()
    {
        // Given GITLAB_URL in plain http to another machine
        var settings = Load(new() { ["GITLAB_URL"] = "http://gitlab.example.test", ["STATE_DIR"] = _state });
        var warnings = new List<string>();
        var resolver = new GitLabResolver(settings, new StateLayout(_state), new Redactor(), warnings.Add);

        // When the run asks for its GitLab three times
        var gitLabs = new[] { resolver.Current, resolver.Current, resolver.Current };

        // Then it is the settings' GitLab each time, and the warning was printed once
        Assert.All(gitLabs, g => Assert.Equal(new Uri("http://gitlab.example.test/"), g.Url));
        Assert.Single(warnings);
        Assert.Contains("plain http://", warnings[0]);
    }
}
