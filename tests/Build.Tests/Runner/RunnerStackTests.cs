using System.Text.Json.Nodes;
using Build.Aws;
using Build.Runner;
using Build.Settings;
using Cake.Core.IO;
using Path = System.IO.Path;

namespace Build.Tests.Runner;

/// <summary>The runner's compose override and values, per credentials source and site setting, read back as data.</summary>
public sealed class RunnerStackTests
{
    private static BuildSettings Settings(Dictionary<string, string> values) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(), name => values.GetValueOrDefault(name), null);

    private static JsonNode Runner(Dictionary<string, string> values)
    {
        var settings = Settings(values);
        return JsonNode.Parse(RunnerStack.RenderOverride(settings, RunnerCredentials.For(settings, name => values.GetValueOrDefault(name))))!["services"]!["runner"]!;
    }

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    [Fact]
    public void File_source_mounts_the_credentials_file_read_only_with_its_profile_and_no_metadata_lookup()
    {
        var file = Path.GetTempFileName();
        try
        {
            var runner = Runner(new() { ["RUNNER_CREDENTIALS_FILE"] = file, ["AWS_PROFILE"] = "ci", ["AWS_CA_BUNDLE"] = string.Empty });

            Assert.Equal([file + ":/root/.aws/credentials:ro"], Strings(runner["volumes"]));
            Assert.Contains("AWS_PROFILE=ci", Strings(runner["environment"]));
            Assert.Contains("AWS_EC2_METADATA_DISABLED=true", Strings(runner["environment"]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void File_source_without_a_configured_file_mounts_the_default_location()
    {
        var runner = Runner(new() { ["HOME"] = "/home/me", ["AWS_CA_BUNDLE"] = string.Empty });

        Assert.Equal(["/home/me/.config/gitlab-runner-ecr/credentials:/root/.aws/credentials:ro"], Strings(runner["volumes"]));
    }

    [Fact]
    public void Instance_role_source_mounts_nothing_and_leaves_the_metadata_service_on()
    {
        var runner = Runner(new() { ["CREDENTIALS_SOURCE"] = "instance-role" });

        Assert.Null(runner["volumes"]);
        Assert.DoesNotContain(Strings(runner["environment"]), e => e.StartsWith("AWS_EC2_METADATA_DISABLED", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_source_names_the_keys_without_their_values()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var settings = Settings(new() { ["CREDENTIALS_SOURCE"] = "environment", ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = secret });

        var json = RunnerStack.RenderOverride(settings, RunnerCredentials.For(settings, _ => null));

        var environment = Strings(JsonNode.Parse(json)!["services"]!["runner"]!["environment"]);
        Assert.Contains("AWS_ACCESS_KEY_ID", environment);
        Assert.Contains("AWS_SECRET_ACCESS_KEY", environment);
        Assert.DoesNotContain(secret, json);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", json);
    }

    [Fact]
    public void Extra_hosts_network_and_ca_bundle_are_the_sites_settings()
    {
        var runner = Runner(new()
        {
            ["CREDENTIALS_SOURCE"] = "instance-role",
            ["RUNNER_EXTRA_HOSTS"] = "api.ecr.eu-west-1.amazonaws.com:10.0.0.5, mirror.internal:fd00::7",
            ["RUNNER_NETWORK"] = "proxy-net",
            ["AWS_CA_BUNDLE"] = "/etc/ssl/proxy-ca.pem",
        });

        Assert.Equal(["api.ecr.eu-west-1.amazonaws.com:10.0.0.5", "mirror.internal:fd00::7"], Strings(runner["extra_hosts"]));
        Assert.Equal(["default", "site"], Strings(runner["networks"]));
        Assert.Equal(["/etc/ssl/proxy-ca.pem:/etc/gitlab-runner-ecr/aws-ca-bundle.pem:ro"], Strings(runner["volumes"]));
        Assert.Contains("AWS_CA_BUNDLE=/etc/gitlab-runner-ecr/aws-ca-bundle.pem", Strings(runner["environment"]));
    }

    [Fact]
    public void An_external_network_is_declared_by_its_name()
    {
        var settings = Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role", ["RUNNER_NETWORK"] = "proxy-net" });

        var document = JsonNode.Parse(RunnerStack.RenderOverride(settings, RunnerCredentials.For(settings, _ => null)))!;

        Assert.True(document["networks"]!["site"]!["external"]!.GetValue<bool>());
        Assert.Equal("proxy-net", document["networks"]!["site"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void In_server_mode_the_local_gitlab_joins_the_external_network_too_and_only_then()
    {
        var server = Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role", ["RUNNER_NETWORK"] = "proxy-net", ["SERVER"] = "true" });
        var plain = Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role", ["RUNNER_NETWORK"] = "proxy-net" });

        var withServer = JsonNode.Parse(RunnerStack.RenderOverride(server, RunnerCredentials.For(server, _ => null)))!;
        var without = JsonNode.Parse(RunnerStack.RenderOverride(plain, RunnerCredentials.For(plain, _ => null)))!;
        var noNetwork = JsonNode.Parse(RunnerStack.RenderOverride(Settings(new() { ["CREDENTIALS_SOURCE"] = "instance-role", ["SERVER"] = "true" }), RunnerCredentials.For(plain, _ => null)))!;

        Assert.Equal(["default", "site"], withServer["services"]!["gitlab"]!["networks"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(without["services"]!["gitlab"]);
        Assert.Null(noNetwork["services"]!["gitlab"]);
    }

    [Theory]
    [InlineData("api.example:10.0.0.1,bad", "RUNNER_EXTRA_HOSTS")]
    [InlineData("host_name:10.0.0.1", "RUNNER_EXTRA_HOSTS")]
    [InlineData("api.example:999.1.1.1", "RUNNER_EXTRA_HOSTS")]
    [InlineData("bad network", "RUNNER_NETWORK")]
    public void Malformed_site_settings_are_refused(string value, string key)
    {
        var error = Assert.Throws<SettingsException>(() => Settings(new() { [key] = value }));

        Assert.Contains(key + " = ", error.Message);
    }

    [Fact]
    public void Restart_policy_accepts_compose_policies_only()
    {
        Assert.Equal("always", Settings(new() { ["RUNNER_RESTART_POLICY"] = "always" }).Runner.RestartPolicy);
        Assert.Throws<SettingsException>(() => Settings(new() { ["RUNNER_RESTART_POLICY"] = "sometimes" }));
    }

    [Fact]
    public void The_same_inputs_give_the_same_hash_and_a_changed_setting_another()
    {
        var root = Directory.CreateTempSubdirectory("stack-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "assets", "compose"));
            File.WriteAllText(Path.Combine(root, "assets", "compose", "compose.yaml"), "services: {}\n");
            Directory.CreateDirectory(Path.Combine(root, "assets", "dind-token"));
            var script = Path.Combine(root, RunnerStack.TokenScript);
            File.WriteAllText(script, "#!/bin/sh\n");
            RunnerStack Stack(Dictionary<string, string> values)
            {
                var settings = Settings(new(values) { ["CREDENTIALS_SOURCE"] = "instance-role" });
                return RunnerStack.Create(settings, root, "/state/helper", "abc", RunnerCredentials.For(settings, _ => null));
            }

            Assert.Equal(Stack([]).InputsHash, Stack([]).InputsHash);
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["RUNNER_RESTART_POLICY"] = "always" }).InputsHash);
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["RUNNER_EXTRA_HOSTS"] = "a.example:10.0.0.1" }).InputsHash);
            // Server mode starts another service though no file changes: Up must not skip.
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["SERVER"] = "true" }).InputsHash);

            // So does token mode, and in token mode the refresher's script, interval and registries are inputs
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["DIND_AUTH"] = "helper" }).InputsHash);
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["DIND_TOKEN_REFRESH"] = "30m" }).InputsHash);
            Assert.NotEqual(Stack([]).InputsHash, Stack(new() { ["ECR_REGISTRIES"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }).InputsHash);
            var before = Stack([]).InputsHash;
            File.AppendAllText(script, "# changed\n");
            Assert.NotEqual(before, Stack([]).InputsHash);

            // A token mode without its script is an incomplete checkout, said with the fix
            File.Delete(script);
            var missing = Assert.Throws<BuildFailure>(() => Stack([]));
            Assert.Contains("refresh-dind-tokens.sh is missing, and DIND_AUTH=token runs it in the ecr-token service", missing.Problem);
            Assert.Equal(Stack(new() { ["DIND_AUTH"] = "helper" }).InputsHash, Stack(new() { ["DIND_AUTH"] = "helper" }).InputsHash);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Token_mode_gives_the_refresher_the_runners_credentials_hosts_and_networks_and_helper_mode_has_none()
    {
        // Given token mode (the default) with a credentials file, extra hosts, a network and a CA bundle
        var file = Path.GetTempFileName();
        try
        {
            var values = new Dictionary<string, string>
            {
                ["RUNNER_CREDENTIALS_FILE"] = file, ["RUNNER_EXTRA_HOSTS"] = "api.ecr.eu-west-1.amazonaws.com:10.0.0.5", ["RUNNER_NETWORK"] = "proxy-net", ["AWS_CA_BUNDLE"] = "/etc/ssl/proxy-ca.pem",
            };
            var settings = Settings(values);
            var document = JsonNode.Parse(RunnerStack.RenderOverride(settings, RunnerCredentials.For(settings, _ => null)))!;

            // Then the ecr-token service gets exactly the runner's site parts
            var runner = document["services"]!["runner"]!;
            var refresher = document["services"]!["ecr-token"]!;
            Assert.Equal(runner.ToJsonString(), refresher.ToJsonString());
            Assert.Contains(file + ":/root/.aws/credentials:ro", Strings(refresher["volumes"]));
            Assert.Equal(["default", "site"], Strings(refresher["networks"]));

            // And in helper mode there is no refresher in the override
            var helper = Settings(new(values) { ["DIND_AUTH"] = "helper" });
            Assert.Null(JsonNode.Parse(RunnerStack.RenderOverride(helper, RunnerCredentials.For(helper, _ => null)))!["services"]!["ecr-token"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Up_starts_the_ecr_token_profile_only_in_token_mode_and_validates_every_profile()
    {
        var root = Directory.CreateTempSubdirectory("stack-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "assets", "dind-token"));
            File.WriteAllText(Path.Combine(root, RunnerStack.TokenScript), "#!/bin/sh\n");
            RunnerStack Stack(Dictionary<string, string> values)
            {
                var settings = Settings(new(values) { ["CREDENTIALS_SOURCE"] = "instance-role", ["ECR_REGISTRIES"] = "111111111111.dkr.ecr.eu-west-1.amazonaws.com,222222222222.dkr.ecr.us-east-2.amazonaws.com", ["DIND_TOKEN_REFRESH"] = "15m" });
                return RunnerStack.Create(settings, root, "/state/helper", "abc", RunnerCredentials.For(settings, _ => null));
            }

            Assert.Equal(["ecr-token"], Stack([]).Project.Profiles);
            Assert.Equal(["ecr-token", "server"], Stack(new() { ["SERVER"] = "true" }).Project.Profiles);
            Assert.Empty(Stack(new() { ["DIND_AUTH"] = "helper" }).Project.Profiles);
            Assert.Equal(["ecr-token", "server"], Stack(new() { ["DIND_AUTH"] = "helper" }).ProjectWithAllProfiles.Profiles);

            // The values the refresher's service interpolates
            var values = Stack([]).Values;
            Assert.Equal("111111111111.dkr.ecr.eu-west-1.amazonaws.com,222222222222.dkr.ecr.us-east-2.amazonaws.com", values["DIND_TOKEN_REGISTRIES"]);
            Assert.Equal("900", values["DIND_TOKEN_REFRESH_SECONDS"]);
            Assert.Equal("/repo/.state/runner/dind-token", values["DIND_TOKEN_DIR"]);
            Assert.Equal(Path.Combine(root, "assets", "dind-token", "refresh-dind-tokens.sh"), values["DIND_TOKEN_SCRIPT"]);

            // And the by-hand script passes the active profiles, so `compose logs ecr-token` reaches the refresher
            var stack = Stack(new() { ["STATE_DIR"] = Path.Combine(root, "state") });
            stack.Write(new Build.Docker.ComposeVersion(2, "2.32.4", "docker"));
            var script = File.ReadAllText(stack.Script);
            Assert.Contains("runner.override.json' --profile ecr-token \"$@\"", script);
            Assert.Contains($"#   {stack.Script} logs -f ecr-token", script);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
