using System.Net;
using Tomlyn;
using Tomlyn.Model;

namespace Lab.Register;

/// <summary>
/// The Register target as a process against the GitLab emulator: each token flow, idempotence (bytes, time, one
/// runner in GitLab), and bad input refused with the file unchanged. No Docker is needed.
/// </summary>
public sealed class RegisterTargetTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private GitLabEmulator _gitlab = null!;
    private RegisterRun _run = null!;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _run = new RegisterRun(_gitlab);
    }

    public async Task DisposeAsync()
    {
        _run.Dispose();
        await _gitlab.DisposeAsync();
    }

    [Fact]
    public async Task A_runner_token_is_verified_with_the_system_id_and_written_only_to_config_toml()
    {
        // Given a runner created in the UI
        var runner = _gitlab.AddRunner();
        _run.Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs
        var result = await _run.RegisterAsync(timeout.Token);

        // Then config.toml holds the entry with that token, mode 0600, and the token was printed nowhere
        Assert.True(result.Succeeded, Printed(result));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_run.ConfigFile));
        var entry = Entry(File.ReadAllText(_run.ConfigFile));
        Assert.Equal(runner.Token, entry["token"]);
        Assert.Equal(_gitlab.Url.ToString().TrimEnd('/'), entry["url"]);
        var systemId = File.ReadAllText(Path.Combine(_run.ConfigDirectory, ".runner_system_id")).Trim();
        Assert.Equal([systemId], runner.SystemIds);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/runners/verify"));
        Assert.DoesNotContain(runner.Token, Printed(result));
        // And, in token mode (the default), the jobs' token folder is made private for them, and helper mode's DinD file is not written
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_run.State, "runner", "dind-token", "docker")));
        Assert.False(File.Exists(Path.Combine(_run.State, "runner", "dind", "config.json")));
        Assert.Contains("no DinD token yet in ", Printed(result));
    }

    [Fact]
    public async Task Ten_runs_with_a_personal_token_create_one_runner_and_leave_one_entry_rewritten_once()
    {
        // Given a personal access token with create_runner and a project
        var project = _gitlab.AddProject("group/app");
        var personal = _gitlab.AddPersonalToken("api", "create_runner");
        _run.Environment["GITLAB_TOKEN"] = personal;
        _run.Environment["GITLAB_PROJECT"] = "group/app";
        _run.Environment["RUNNER_TAGS"] = "ecr,docker";
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs ten times
        var first = await _run.RegisterAsync(timeout.Token);
        Assert.True(first.Succeeded, Printed(first));
        var bytes = File.ReadAllBytes(_run.ConfigFile);
        var written = File.GetLastWriteTimeUtc(_run.ConfigFile);
        var printed = Printed(first);
        for (var i = 0; i < 9; i++)
        {
            var again = await _run.RegisterAsync(timeout.Token);
            Assert.True(again.Succeeded, Printed(again));
            printed += Printed(again);
        }

        // Then GitLab has one runner, config.toml one entry with its token, never rewritten, no backup made
        var runner = Assert.Single(_gitlab.Runners);
        Assert.Equal(project.Id, runner.ProjectId);
        Assert.Equal(["ecr", "docker"], runner.Tags);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/user/runners"));
        Assert.Equal(9, _gitlab.Calls.Count("POST", "/api/v4/runners/verify"));
        Assert.Equal(bytes, File.ReadAllBytes(_run.ConfigFile));
        Assert.Equal(written, File.GetLastWriteTimeUtc(_run.ConfigFile));
        Assert.Single((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(_run.ConfigFile))!["runners"]);
        Assert.Equal(runner.Token, Entry(File.ReadAllText(_run.ConfigFile))["token"]);
        Assert.False(Directory.Exists(_run.BackupDirectory));
        Assert.DoesNotContain(runner.Token, printed);
        Assert.DoesNotContain(personal, printed);
        Assert.Contains("config.toml is up to date", printed);
    }

    [Fact]
    public async Task A_changed_setting_rewrites_only_its_keys_and_keeps_a_backup()
    {
        var runner = _gitlab.AddRunner();
        _run.Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.True((await _run.RegisterAsync(timeout.Token)).Succeeded);
        var before = File.ReadAllText(_run.ConfigFile);

        _run.Environment["DOCKER_CLI_IMAGE"] = "lab/docker-cli:2";
        var result = await _run.RegisterAsync(timeout.Token);

        Assert.True(result.Succeeded, Printed(result));
        Assert.Equal(before.Replace("lab/docker-cli:1", "lab/docker-cli:2"), File.ReadAllText(_run.ConfigFile));
        var backup = Assert.Single(Directory.GetFiles(_run.BackupDirectory));
        Assert.Equal(before, File.ReadAllText(backup));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
    }

    [Fact]
    public async Task A_runner_created_for_a_file_that_cannot_be_written_is_deleted_again()
    {
        // Given a personal token, and a config.toml that cannot be replaced (a folder stands in its place)
        _gitlab.AddProject("group/app");
        _run.Environment["GITLAB_TOKEN"] = _gitlab.AddPersonalToken("create_runner", "api");
        _run.Environment["GITLAB_PROJECT"] = "group/app";
        Directory.CreateDirectory(_run.ConfigFile);
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs
        var result = await _run.RegisterAsync(timeout.Token);

        // Then it fails, and GitLab is left without the runner it created
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/user/runners"));
        Assert.Equal(1, _gitlab.Calls.Count("DELETE", "/api/v4/runners"));
        Assert.Empty(_gitlab.Runners);
        Assert.Contains("could not be written", Printed(result));
        Assert.Contains("was deleted again", Printed(result));
    }

    [Theory]
    [InlineData(CreationFault.ErrorAfter)]
    [InlineData(CreationFault.DropAfter)]
    public async Task A_runner_whose_answer_was_lost_is_named_with_how_to_delete_it_and_no_second_is_made(CreationFault fault)
    {
        // Given a token that may list the project's runners, an earlier runner of the same description, and GitLab
        // that makes the new runner and then answers 500 or drops the connection
        var project = _gitlab.AddProject("group/app");
        var earlier = _gitlab.AddRunner("ecr-runner", project.Id);
        var personal = _gitlab.AddPersonalToken("api", "create_runner");
        _run.Environment["GITLAB_TOKEN"] = personal;
        _run.Environment["GITLAB_PROJECT"] = "group/app";
        _gitlab.FailCreation("POST", "/api/v4/user/runners", fault);
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs
        var result = await _run.RegisterAsync(timeout.Token);

        // Then it stops, naming the runner it made (not the earlier one) and how to delete it, and made no other
        var printed = Printed(result);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, _gitlab.Runners.Count);
        var made = Assert.Single(_gitlab.Runners, r => r.Id != earlier.Id);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/user/runners"));
        Assert.Contains(fault == CreationFault.DropAfter ? "for POST /api/v4/user/runners (not tried again: the request went out)" : "Register: POST /user/runners answered 500", printed);
        Assert.Contains($"project group/app has a new runner #{made.Id} \"ecr-runner\"", printed);
        Assert.Contains($"delete runner #{made.Id} in GitLab", printed);
        Assert.Contains($"/api/v4/runners/{made.Id}", printed);
        Assert.DoesNotContain($"#{earlier.Id}", printed);
        Assert.False(File.Exists(_run.ConfigFile));
        Assert.DoesNotContain(made.Token, printed);
        Assert.DoesNotContain(earlier.Token, printed);
        Assert.DoesNotContain(personal, printed);
    }

    [Fact]
    public async Task A_runner_GitLab_did_not_make_is_looked_for_and_then_made_once()
    {
        // Given GitLab that answers the first POST /user/runners with a 500 before making anything
        _gitlab.AddProject("group/app");
        _run.Environment["GITLAB_TOKEN"] = _gitlab.AddPersonalToken("api", "create_runner");
        _run.Environment["GITLAB_PROJECT"] = "group/app";
        _gitlab.FailCreation("POST", "/api/v4/user/runners", CreationFault.ErrorBefore);
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        // Then the project's runners were looked at, none was new, and the runner was made once and written
        Assert.True(result.Succeeded, Printed(result));
        var runner = Assert.Single(_gitlab.Runners);
        Assert.Equal(runner.Token, Entry(File.ReadAllText(_run.ConfigFile))["token"]);
        Assert.Equal([500, 201], _gitlab.Calls.Snapshot().Where(c => c.Path == "/api/v4/user/runners").Select(c => c.Status));
        Assert.Contains("is not there: GitLab made nothing; trying again", Printed(result));
        Assert.DoesNotContain(runner.Token, Printed(result));
    }

    [Theory]
    [InlineData("registration token")]
    [InlineData("create_runner scope only")]
    public async Task A_runner_whose_answer_was_lost_and_that_cannot_be_looked_for_is_described_for_the_user_to_find(string flow)
    {
        // Given a token that may not list runners, and GitLab that makes the runner and then drops the connection
        var project = _gitlab.AddProject("group/app");
        if (flow == "registration token")
        {
            _run.Environment["GITLAB_REGISTRATION_TOKEN"] = _gitlab.RegistrationToken;
            _gitlab.FailCreation("POST", "/api/v4/runners", CreationFault.DropAfter);
        }
        else
        {
            _run.Environment["GITLAB_TOKEN"] = _gitlab.AddPersonalToken("create_runner");
            _run.Environment["GITLAB_PROJECT"] = project.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _gitlab.FailCreation("POST", "/api/v4/user/runners", CreationFault.DropAfter);
        }

        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        // Then it stops with the runner's description and where to look, and made no second runner
        var printed = Printed(result);
        var runner = Assert.Single(_gitlab.Runners);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("whether GitLab", printed);
        Assert.Contains("runner \"ecr-runner\"", printed);
        Assert.Contains("Settings > CI/CD > Runners", printed);
        Assert.Equal(1, _gitlab.Calls.Snapshot().Count(c => c.Method == "POST" && c.Path is "/api/v4/runners" or "/api/v4/user/runners"));
        Assert.False(File.Exists(_run.ConfigFile));
        Assert.DoesNotContain(runner.Token, printed);
        Assert.DoesNotContain(_gitlab.RegistrationToken, printed);
    }

    [Fact]
    public async Task The_legacy_registration_token_registers_once()
    {
        _run.Environment["GITLAB_REGISTRATION_TOKEN"] = _gitlab.RegistrationToken;
        using var timeout = new CancellationTokenSource(Timeout);

        var first = await _run.RegisterAsync(timeout.Token);
        var second = await _run.RegisterAsync(timeout.Token);

        Assert.True(first.Succeeded, Printed(first));
        Assert.True(second.Succeeded, Printed(second));
        var runner = Assert.Single(_gitlab.Runners);
        Assert.True(runner.Legacy);
        Assert.Equal(runner.Token, Entry(File.ReadAllText(_run.ConfigFile))["token"]);
        Assert.Contains("deprecated", Printed(first));
        Assert.DoesNotContain(runner.Token, Printed(first) + Printed(second));
        Assert.DoesNotContain(_gitlab.RegistrationToken, Printed(first));
    }

    [Fact]
    public async Task Registration_disabled_is_turned_into_advice_and_nothing_is_written()
    {
        _gitlab.RegistrationEnabled = false;
        _run.Environment["GITLAB_REGISTRATION_TOKEN"] = _gitlab.RegistrationToken;
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("registration tokens disabled", Printed(result));
        Assert.Contains("GITLAB_RUNNER_TOKEN", Printed(result));
        Assert.False(File.Exists(_run.ConfigFile));
    }

    [Fact]
    public async Task A_rejected_runner_token_keeps_the_old_file_and_says_how_to_fix_it()
    {
        var runner = _gitlab.AddRunner();
        _run.Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.True((await _run.RegisterAsync(timeout.Token)).Succeeded);
        var before = File.ReadAllBytes(_run.ConfigFile);

        _run.Environment["GITLAB_RUNNER_TOKEN"] = "glrt-" + new string('z', 20);
        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not know GITLAB_RUNNER_TOKEN", Printed(result));
        Assert.Contains("Settings > CI/CD > Runners", Printed(result));
        Assert.Equal(before, File.ReadAllBytes(_run.ConfigFile));
        Assert.Equal(1, _gitlab.Calls.Snapshot().Count(c => c.Status == 403));
    }

    [Fact]
    public async Task Server_errors_are_retried_by_the_target()
    {
        var runner = _gitlab.AddRunner();
        _run.Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        _gitlab.Fail(2, HttpStatusCode.InternalServerError);
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.True(result.Succeeded, Printed(result));
        Assert.Equal([500, 500, 200], _gitlab.Calls.Snapshot().Select(c => c.Status));
        Assert.Contains("retrying", Printed(result));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "may not read GITLAB_PROJECT")]
    public async Task A_token_with_only_create_runner_needs_the_project_as_a_number(bool numeric, string? refusal)
    {
        // Given a personal access token with the create_runner scope only
        var project = _gitlab.AddProject("group/app");
        _run.Environment["GITLAB_TOKEN"] = _gitlab.AddPersonalToken("create_runner");
        _run.Environment["GITLAB_PROJECT"] = numeric ? project.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "group/app";
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs
        var result = await _run.RegisterAsync(timeout.Token);

        // Then a number needs no look-up; a path needs read_api, and the refusal says so
        if (refusal is null)
        {
            Assert.True(result.Succeeded, Printed(result));
            Assert.Equal(project.Id, Assert.Single(_gitlab.Runners).ProjectId);
        }
        else
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains(refusal, Printed(result));
            Assert.Empty(_gitlab.Runners);
        }
    }

    [Fact]
    public async Task A_personal_token_without_create_runner_scope_is_refused()
    {
        _gitlab.AddProject("group/app");
        _run.Environment["GITLAB_TOKEN"] = _gitlab.AddPersonalToken("read_api");
        _run.Environment["GITLAB_PROJECT"] = "group/app";
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("create_runner", Printed(result));
        Assert.Empty(_gitlab.Runners);
        Assert.False(File.Exists(_run.ConfigFile));
    }

    [Fact]
    public async Task An_HTML_proxy_page_is_refused()
    {
        _run.Environment["GITLAB_RUNNER_TOKEN"] = _gitlab.AddRunner().Token;
        _gitlab.Fail(1, HttpStatusCode.OK, html: "<html><body>Corporate proxy: please sign in</body></html>");
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HTML page", Printed(result));
        Assert.False(File.Exists(_run.ConfigFile));
    }

    [Theory]
    [InlineData("concurrent = 1\n[[runners]\n", "line 2, column")]
    [InlineData("[[runners]]\n  name = \"ecr-runner\"\n  executor = \"shell\"\n", "executor \"shell\"")]
    public async Task A_bad_config_toml_is_refused_before_GitLab_is_asked_and_is_left_as_it_was(string text, string expected)
    {
        _run.Environment["GITLAB_RUNNER_TOKEN"] = _gitlab.AddRunner().Token;
        Directory.CreateDirectory(_run.ConfigDirectory);
        File.WriteAllText(_run.ConfigFile, text);
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, Printed(result));
        Assert.Equal(text, File.ReadAllText(_run.ConfigFile));
        Assert.Empty(_gitlab.Calls.Snapshot());
    }

    [Theory]
    [InlineData("GITLAB_URL", "gitlab.example.com")]
    [InlineData("GITLAB_RUNNER_TOKEN", "glpat-abcdefghijklmnopqrst")]
    public async Task Bad_settings_are_refused_before_anything_runs(string key, string value)
    {
        _run.Environment[key] = value;
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(key + " = ", Printed(result));
        Assert.DoesNotContain("abcdefghijklmnopqrst", Printed(result));
        Assert.Empty(_gitlab.Calls.Snapshot());
    }

    [Fact]
    public async Task No_token_at_all_says_which_settings_to_set()
    {
        using var timeout = new CancellationTokenSource(Timeout);

        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("GITLAB_RUNNER_TOKEN=glrt-", Printed(result));
        Assert.Empty(_gitlab.Calls.Snapshot());
        Assert.False(File.Exists(_run.ConfigFile));
    }

    private static TomlTable Entry(string toml) =>
        ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(toml)!["runners"]).Cast<TomlTable>().Single(r => (string)r["name"] == "ecr-runner");

    private static string Printed(ProcessResult result) => result.Output + result.Error;
}
