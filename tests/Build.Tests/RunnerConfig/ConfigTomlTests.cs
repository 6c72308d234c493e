using System.Text.Json;
using Build.Aws;
using Build.GitLab;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;
using DirectoryPath = Cake.Core.IO.DirectoryPath;
using Tomlyn;
using Tomlyn.Model;

namespace Build.Tests.RunnerConfig;

/// <summary>
/// config.toml merges as text (a golden file per case) and as data (parsed back with Tomlyn; DOCKER_AUTH_CONFIG as JSON),
/// in helper mode (DIND_AUTH=helper), whose entry carries the most owned parts; token mode's is in TokenModeEntryTests.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConfigTomlTests
{
    private const string Token = "glrt-newrunnertoken0123456789";
    private static readonly string Golden = Path.Combine(TestRepository.Root(), "tests", "Build.Tests", "RunnerConfig", "Golden");

    internal static BuildSettings Settings(Dictionary<string, string>? overrides = null)
    {
        var values = new Dictionary<string, string>
        {
            ["STATE_DIR"] = "/srv/runner-ecr/.state",
            ["GITLAB_URL"] = "https://gitlab.example.com",
            ["RUNNER_CREDENTIALS_FILE"] = "/home/ci/.config/gitlab-runner-ecr/credentials",
            ["AWS_PROFILE"] = "ecr",
            ["ECR_REGISTRIES"] = "111111111111.dkr.ecr.eu-west-1.amazonaws.com,222222222222.dkr.ecr.us-east-2.amazonaws.com",
            ["RUNNER_EXTRA_HOSTS"] = "api.ecr.eu-west-1.amazonaws.com:10.0.0.5",
            ["RUNNER_NETWORK"] = "ci-net",
            ["DIND_AUTH"] = "helper",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            values[key] = value;
        }

        return BuildSettings.Load(new DirectoryPath("/srv/runner-ecr"), new DirectoryPath("/srv/runner-ecr"), new Dictionary<string, string>(), name => values.GetValueOrDefault(name), null);
    }

    internal static RunnerEntry Entry(BuildSettings? settings = null, string token = Token)
    {
        settings ??= Settings();
        return RunnerEntry.For(
            settings,
            RunnerCredentials.For(settings, name => name == "HOME" ? "/home/ci" : null),
            new Secret(token),
            "/srv/runner-ecr/.state/helper/linux-amd64/docker-credential-ecr-login",
            "/srv/runner-ecr/.state/runner/dind/config.json");
    }

    [Theory]
    [InlineData("fresh")]
    [InlineData("commented")]
    [InlineData("runner-rewrote")]
    public void Register_merges_its_entry_and_matches_the_golden_file(string name)
    {
        // Given a config.toml (none for "fresh")
        var inputPath = Path.Combine(Golden, name + ".input.toml");
        var input = File.Exists(inputPath) ? File.ReadAllText(inputPath) : null;

        // When the entry is merged in
        var merged = ConfigToml.Merge(input, Entry());

        // Then the text is the golden file's, and it parses back with the owned values
        var expectedPath = Path.Combine(Golden, name + ".expected.toml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, merged);
        }

        Assert.Equal(File.ReadAllText(expectedPath), merged);
        var runner = OurRunner(merged);
        Assert.Equal("https://gitlab.example.com", runner["url"]);
        Assert.Equal(Token, runner["token"]);
        Assert.Equal("docker", runner["executor"]);
        var docker = (TomlTable)runner["docker"];
        Assert.Equal("docker:29-cli", docker["image"]);
        Assert.Equal(true, docker["privileged"]);
        Assert.Equal("ci-net", docker["network_mode"]);
        Assert.Equal(["api.ecr.eu-west-1.amazonaws.com:10.0.0.5"], ((TomlArray)docker["extra_hosts"]).Cast<string>());
        var volumes = ((TomlArray)docker["volumes"]).Cast<string>().ToList();
        Assert.Contains("/srv/runner-ecr/.state/runner/dind/config.json:/root/.docker/config.json:ro", volumes);
        Assert.Contains("/home/ci/.config/gitlab-runner-ecr/credentials:/root/.aws/credentials:ro", volumes);
        Assert.Contains("/srv/runner-ecr/.state/helper/linux-amd64/docker-credential-ecr-login:/usr/local/bin/docker-credential-ecr-login:ro", volumes);
        Assert.Contains("/certs/client", volumes);
        Assert.Contains("/cache", volumes);
        var auth = AuthConfig(runner);
        Assert.Equal(
            ["111111111111.dkr.ecr.eu-west-1.amazonaws.com", "222222222222.dkr.ecr.us-east-2.amazonaws.com"],
            auth.GetProperty("credHelpers").EnumerateObject().Select(p => p.Name));
        Assert.All(auth.GetProperty("credHelpers").EnumerateObject(), p => Assert.Equal("ecr-login", p.Value.GetString()));
        Assert.False(auth.TryGetProperty("credsStore", out _));
    }

    [Fact]
    public void Register_keeps_comments_other_runners_and_the_runners_own_keys_byte_for_byte()
    {
        // Given a lived-in file
        var input = File.ReadAllText(Path.Combine(Golden, "commented.input.toml"));

        // When merged
        var merged = ConfigToml.Merge(input, Entry());

        // Then the old text is a prefix, except the global keys block which is untouched too
        Assert.StartsWith(input, merged);
        var rewrote = File.ReadAllText(Path.Combine(Golden, "runner-rewrote.input.toml"));
        var second = ConfigToml.Merge(rewrote, Entry());
        Assert.Contains("  token_obtained_at = 2026-11-28T09:13:02Z\n  token_expires_at = 0001-01-01T00:00:00Z\n", second);
        Assert.Contains("  id = 42\n", second);
        Assert.Contains("FF_NETWORK_PER_BUILD=true", second);
        Assert.Contains("/srv/ci-data:/data:ro", second);
        Assert.Contains("    shm_size = 0\n    network_mtu = 0\n", second);
        Assert.DoesNotContain("AWS_PROFILE=old", second);
    }

    [Fact]
    public void Ten_merges_leave_one_entry_and_the_same_text()
    {
        // Given a fresh merge
        var text = ConfigToml.Merge(null, Entry());

        // When merged nine more times
        var again = text;
        for (var i = 0; i < 9; i++)
        {
            again = ConfigToml.Merge(again, Entry());
        }

        // Then nothing changed and there is one [[runners]]
        Assert.Equal(text, again);
        Assert.Single((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(again)!["runners"]);
    }

    [Fact]
    public void A_changed_setting_updates_only_its_keys()
    {
        // Given the runner-rewritten file merged once
        var first = ConfigToml.Merge(File.ReadAllText(Path.Combine(Golden, "runner-rewrote.input.toml")), Entry());

        // When DOCKER_CLI_IMAGE changes
        var second = ConfigToml.Merge(first, Entry(Settings(new() { ["DOCKER_CLI_IMAGE"] = "docker:30-cli" })));

        // Then exactly one line differs
        var before = first.Split('\n');
        var after = second.Split('\n');
        Assert.Equal(before.Length, after.Length);
        var changed = before.Zip(after).Where(p => p.First != p.Second).ToList();
        Assert.Equal(("    image = \"docker:29-cli\"   # pinned by ops", "    image = \"docker:30-cli\"   # pinned by ops"), Assert.Single(changed));
    }

    [Fact]
    public void A_file_without_a_final_line_break_gets_the_entry_on_lines_of_its_own()
    {
        // Given a file whose last line has no line break
        var merged = ConfigToml.Merge("concurrent = 2\n[[runners]]\n  name = \"other\"\n  executor = \"shell\"", Entry());

        // Then both runners parse back and the other one is untouched
        Assert.StartsWith("concurrent = 2\n[[runners]]\n  name = \"other\"\n  executor = \"shell\"\n", merged);
        Assert.Equal(2, ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(merged)!["runners"]).Count);
        Assert.Equal(2L, TomlSerializer.Deserialize<TomlTable>(merged)!["concurrent"]);
    }

    [Fact]
    public void Unsetting_a_setting_removes_only_its_key()
    {
        // Given a merged file with RUNNER_NETWORK and RUNNER_EXTRA_HOSTS
        var first = ConfigToml.Merge(null, Entry());

        // When both are unset
        var second = ConfigToml.Merge(first, Entry(Settings(new() { ["RUNNER_NETWORK"] = string.Empty, ["RUNNER_EXTRA_HOSTS"] = string.Empty })));

        // Then exactly those two lines are gone
        Assert.Equal(
            first.Split('\n').Where(l => !l.Contains("network_mode") && !l.Contains("extra_hosts")),
            second.Split('\n'));
    }

    [Fact]
    public void Runner_concurrent_replaces_the_global_value_and_unset_keeps_it()
    {
        var input = "concurrent = 4 # shared\n";

        Assert.Equal(4L, TomlSerializer.Deserialize<TomlTable>(ConfigToml.Merge(input, Entry()))!["concurrent"]);
        Assert.StartsWith("concurrent = 8 # shared\n", ConfigToml.Merge(input, Entry(Settings(new() { ["RUNNER_CONCURRENT"] = "8" }))));
    }

    [Theory]
    [InlineData("", "gitlab-runner-ecr_default")]
    [InlineData("ci-net", "ci-net")]
    public void Server_mode_puts_the_jobs_on_the_compose_network_unless_RUNNER_NETWORK_is_set(string network, string expected)
    {
        var merged = ConfigToml.Merge(null, Entry(Settings(new() { ["SERVER"] = "true", ["RUNNER_NETWORK"] = network, ["GITLAB_URL"] = string.Empty })));

        Assert.Equal(expected, ((TomlTable)OurRunner(merged)["docker"])["network_mode"]);
    }

    [Fact]
    public void Server_mode_writes_the_service_name_url_the_runner_and_its_jobs_reach_gitlab_by()
    {
        var settings = Settings(new() { ["SERVER"] = "true", ["RUNNER_NETWORK"] = string.Empty, ["GITLAB_URL"] = string.Empty, ["GITLAB_SERVER_WEB_PORT"] = "8811" });
        var gitLab = EffectiveGitLab.LocalServer(settings, null);

        var merged = ConfigToml.Merge(null, RunnerEntry.For(settings, RunnerCredentials.For(settings, _ => null), new Secret(Token), "/h", "/d", gitLab.RunnerUrl));

        Assert.Equal("http://gitlab:8811", OurRunner(merged)["url"]);
        Assert.Equal(new Uri("http://127.0.0.1:8811/"), gitLab.Url);
        Assert.Equal("root/ecr-smoke", gitLab.Project);
    }

    [Fact]
    public void Creds_store_is_written_only_when_asked_for()
    {
        var merged = ConfigToml.Merge(null, Entry(Settings(new() { ["USE_CREDS_STORE"] = "true" })));

        Assert.Equal("ecr-login", AuthConfig(OurRunner(merged)).GetProperty("credsStore").GetString());
    }

    [Theory]
    [InlineData("quote\".example.com")]
    [InlineData("back\\slash.example.com")]
    [InlineData("uni\u00e9code.example.com:5000")]
    public void Hosts_that_need_escaping_survive_JSON_inside_TOML(string host)
    {
        // Given an entry whose DOCKER_AUTH_CONFIG names an odd host
        var entry = Entry();
        entry = entry with { Environment = [new("DOCKER_AUTH_CONFIG", DockerAuthConfig.Json([host, "111111111111.dkr.ecr.eu-west-1.amazonaws.com"], false)), .. entry.Environment.Skip(1)] };

        // When merged and parsed back
        var auth = AuthConfig(OurRunner(ConfigToml.Merge(null, entry)));

        // Then the host is there exactly
        Assert.Equal("ecr-login", auth.GetProperty("credHelpers").GetProperty(host).GetString());
    }

    [Fact]
    public void A_malformed_file_is_refused_with_its_line_and_column()
    {
        var error = Assert.Throws<ConfigTomlException>(() => ConfigToml.Merge("concurrent = 1\n[[runners]]\n  name = \"x\n", Entry()));

        Assert.Contains("line 3, column", error.Message);
        Assert.Contains("was not changed", error.Message);
    }

    [Fact]
    public void Our_entry_with_another_executor_is_refused()
    {
        var error = Assert.Throws<ConfigTomlException>(() => ConfigToml.Merge("[[runners]]\n  name = \"ecr-runner\"\n  executor = \"shell\"\n", Entry()));

        Assert.Contains("executor \"shell\"", error.Message);
        Assert.Contains("RUNNER_NAME", error.Message);
    }

    [Fact]
    public void Two_entries_with_our_name_are_refused()
    {
        var error = Assert.Throws<ConfigTomlException>(() => ConfigToml.Merge("[[runners]]\n  name = \"ecr-runner\"\n[[runners]]\n  name = \"ecr-runner\"\n", Entry()));

        Assert.Contains("2 [[runners]] entries", error.Message);
    }

    [Fact]
    public void The_entry_never_prints_its_token()
    {
        Assert.DoesNotContain(Token, Entry().ToString());
    }

    internal static TomlTable OurRunner(string toml) =>
        ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(toml)!["runners"]).Cast<TomlTable>().Single(r => (string)r["name"] == "ecr-runner");

    internal static JsonElement AuthConfig(TomlTable runner)
    {
        var entry = ((TomlArray)runner["environment"]).Cast<string>().Single(e => e.StartsWith("DOCKER_AUTH_CONFIG=", StringComparison.Ordinal));
        return JsonDocument.Parse(entry["DOCKER_AUTH_CONFIG=".Length..]).RootElement.Clone();
    }

    [Fact]
    public void Config_toml_never_holds_an_aws_key_and_drops_one_an_earlier_version_wrote()
    {
        // Given keys from the environment, and a config.toml where an earlier version wrote them into the entry
        var settings = Settings(new()
        {
            ["CREDENTIALS_SOURCE"] = "environment", ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEKEY000001", ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCyEXAMPLE01",
        });
        var earlier = ConfigToml.Merge(null, Entry(settings)).Replace(
            "environment = [",
            "environment = [\"AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY000001\", \"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCyEXAMPLE01\", ",
            StringComparison.Ordinal);
        Assert.Contains("wJalrXUtnFEMI", earlier, StringComparison.Ordinal);

        // When Register merges its entry, fresh and over the earlier file
        var fresh = ConfigToml.Merge(null, Entry(settings));
        var merged = ConfigToml.Merge(earlier, Entry(settings));

        // Then neither holds the key id or the secret, and the jobs mount the state folder's credentials file
        foreach (var text in new[] { fresh, merged })
        {
            Assert.DoesNotContain("AKIAEXAMPLEKEY000001", text, StringComparison.Ordinal);
            Assert.DoesNotContain("wJalrXUtnFEMI", text, StringComparison.Ordinal);
            Assert.Contains("/runner/jobs/credentials:/root/.aws/credentials:ro", text, StringComparison.Ordinal);
        }
    }
}
