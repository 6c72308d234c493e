
namespace Lab.Clean;

/// <summary>
/// Clean's unregister step against the GitLab emulator, from a config.toml written here (no Up needed): success,
/// a token GitLab no longer knows (403), and GitLab not answering. Only success is a DELETE that removed the runner;
/// the other two warn, say how to remove the runner by hand, and Clean still succeeds.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class UnregisterTests(LabFixture lab)
{
    [Fact]
    public async Task Clean_deletes_the_runner_of_config_toml_in_GitLab()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: timeout.Token);
        var runner = gitlab.AddRunner();
        await using var run = Given(gitlab.Url.ToString(), runner.Token, runner.Id);

        var clean = await run.RunAsync(timeout.Token, "--target=Clean", "--exclusive");

        Assert.True(clean.Succeeded, clean.Output + clean.Error);
        Assert.Contains($"Unregistered runner \"lab-clean\" (#{runner.Id})", clean.Output);
        Assert.Empty(gitlab.Runners);
        Assert.Equal(1, gitlab.Calls.Count("DELETE", "/api/v4/runners"));
        Assert.DoesNotContain(runner.Token, clean.Output + clean.Error);
        Assert.False(Directory.Exists(run.State));
    }

    [Fact]
    public async Task A_token_GitLab_refuses_is_a_warning_and_Clean_goes_on()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: timeout.Token);
        var other = gitlab.AddRunner();
        await using var run = Given(gitlab.Url.ToString(), "glrt-unknownunknownunknown", 7);

        var clean = await run.RunAsync(timeout.Token, "--target=Clean", "--exclusive");

        Assert.True(clean.Succeeded, clean.Output + clean.Error);
        Assert.Contains("refused to delete runner \"lab-clean\" (403", clean.Output + clean.Error);
        Assert.Contains("Settings > CI/CD > Runners, runner #7", clean.Output + clean.Error);
        Assert.Equal([other.Id], gitlab.Runners.Select(r => r.Id));
        Assert.False(Directory.Exists(run.State));
    }

    [Fact]
    public async Task GitLab_not_answering_is_a_warning_with_the_way_by_hand_and_Clean_goes_on()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var run = Given("http://127.0.0.1:9/", "glrt-abcdefghijklmnopqrstu", 12);

        var clean = await run.RunAsync(timeout.Token, "--target=Clean", "--exclusive");

        Assert.True(clean.Succeeded, clean.Output + clean.Error);
        Assert.Contains("could not be reached to unregister runner \"lab-clean\"", clean.Output + clean.Error);
        Assert.Contains("curl --request DELETE http://127.0.0.1:9/api/v4/runners", clean.Output + clean.Error);
        Assert.DoesNotContain("glrt-abcdefghijklmnopqrstu", clean.Output + clean.Error);
        Assert.DoesNotContain("Register:", clean.Output + clean.Error);
        Assert.False(Directory.Exists(run.State));
    }

    private UpRun Given(string url, string token, long id)
    {
        var run = new UpRun(lab, "unregister");
        run.Environment["GITLAB_URL"] = url;
        run.Environment["RUNNER_NAME"] = "lab-clean";
        run.Environment.Remove("HELPER_SOURCE");
        var config = Directory.CreateDirectory(Path.Combine(run.State, "runner", "config")).FullName;
        File.WriteAllText(Path.Combine(config, "config.toml"), $"concurrent = 1\n\n[[runners]]\n  name = \"lab-clean\"\n  url = \"{url}\"\n  id = {id}\n  token = \"{token}\"\n  executor = \"docker\"\n");
        return run;
    }
}
