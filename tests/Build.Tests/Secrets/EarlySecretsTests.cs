using System.Collections;
using Build.Processes;
using Build.Secrets;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Secrets;

/// <summary>Secrets are known before anything runs, and no child inherits a secret setting even when none was read.</summary>
public sealed class EarlySecretsTests
{
    [Fact]
    public void Every_secret_of_every_layer_is_reported_before_the_tracked_check_runs()
    {
        // Given secrets in the environment, .env.local and a tracked .env (whose check is the first thing that runs git)
        var seen = new List<(string Name, string Value)>();
        var checkedTracked = false;
        var environment = new Dictionary<string, string> { ["GITLAB_TOKEN"] = "glpat-from-environment-0001" };

        // When the settings are loaded
        Assert.Throws<SettingsException>(() => BuildSettings.Load(
            new DirectoryPath("/repo"),
            new DirectoryPath("/repo"),
            new Dictionary<string, string>(),
            environment.GetValueOrDefault,
            "AWS_SECRET_ACCESS_KEY=secret-from-dot-env-0002\n",
            "GITLAB_RUNNER_TOKEN=glrt-from-dot-env-local-0003\n",
            () =>
            {
                checkedTracked = true;
                Assert.Equal(3, seen.Count);
                return true;
            },
            (name, secret) => seen.Add((name, secret.Reveal()))));

        // Then all three were reported, each with its setting, and the tracked check came after them
        Assert.True(checkedTracked);
        Assert.Contains(("GITLAB_TOKEN", "glpat-from-environment-0001"), seen);
        Assert.Contains(("AWS_SECRET_ACCESS_KEY", "secret-from-dot-env-0002"), seen);
        Assert.Contains(("GITLAB_RUNNER_TOKEN", "glrt-from-dot-env-local-0003"), seen);
    }

    [Fact]
    public void A_child_never_inherits_a_secret_setting_even_one_the_redactor_does_not_know()
    {
        // Given an inherited environment with every secret setting and an empty redactor
        var inherited = new Hashtable();
        foreach (var definition in SettingCatalog.All.Where(d => d.IsSecret))
        {
            inherited[definition.Key] = "value-of-" + definition.Key;
        }

        // When a child's environment is made
        var child = ChildEnvironment.For(CommandOptions.Default, new Redactor(), inherited);

        // Then each secret setting is removed from it
        Assert.All(SettingCatalog.All.Where(d => d.IsSecret), d => Assert.True(child.TryGetValue(d.Key, out var value) && value is null, d.Key));
        Assert.Contains("GITLAB_TOKEN", child.Keys);
    }
}
