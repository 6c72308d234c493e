using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;

namespace Lab.Diagnose;

/// <summary>
/// Diagnose against runners in real containers: the one this build sets up (Up and Register, helper mode) diagnoses
/// clean and its helper's get gets tokens from the lab's ECR; the same with a wrong secret names the helper's logged
/// cause. Nothing on disk changes, GitLab is never called, no secret is printed, nothing is left behind.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DiagnoseLabTests(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task A_runner_this_build_set_up_diagnoses_clean_and_a_wrong_secret_is_named_from_the_helper_s_log()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var stack = await SmokeStack.StartAsync(lab, "diagnose", cancel);
        var (gitlab, run, runner) = stack;
        run.Environment["DIND_AUTH"] = "helper";
        await run.UpAndRegisterAsync(cancel);

        // Given the runner Up started and the config.toml Register wrote (its GitLab records every call)
        run.Environment["DIAGNOSE_CONFIG"] = Path.Combine(run.State, "runner", "config", "config.toml");
        run.Environment["DIAGNOSE_CONTAINER"] = await run.RunnerContainerAsync(cancel);
        var calls = gitlab.Calls.Snapshot().Count;
        var state = Snapshot(run.State);
        var repository = await RepositorySnapshotAsync(cancel);

        // When Diagnose runs
        var clean = await run.RunAsync(cancel, "--target=Diagnose");
        var text = clean.Output + clean.Error;
        output.WriteLine(text);

        // Then nothing fails: the real static helper in the runner container got a token for each registry, and the DinD
        // level's helper, config and the lab's DinD and docker CLI images were read; the stand-in runner has no gitlab-runner
        Assert.True(clean.Succeeded, text);
        foreach (var registry in lab.Registries)
        {
            Assert.Matches($@"helper get\s+ok\s+{registry.Host}: token obtained in the container ", text);
        }

        Assert.Matches(@"docker-credential-ecr-login\s+ok\s+/usr/local/bin/docker-credential-ecr-login, version 0\.8\.0, static", text);
        Assert.Matches(@"helper for jobs\s+ok\s+\S+ at /usr/local/bin/docker-credential-ecr-login: static .* version 0\.8\.0", text);
        Assert.Matches(@"runner version\s+skip\s+unknown: no gitlab-runner to ask on the PATH of the runner process in the container", text);
        Assert.Matches(@"Docker API versions\s+ok\s+this host's Engine .* the DinD image \S+ \(DIND_IMAGE\) has Engine 20\.10\.24, minimum API 1\.12; the job image \S+ has a docker CLI of API 1\.41", text);
        Assert.Matches(@"what a job could read\s+warn\s+every job can read the long-lived key in", text);
        Assert.Contains("0 FAIL", text);

        // And as JSON: one document on standard output
        run.Environment["DIAGNOSE_FORMAT"] = "json";
        var json = await run.RunAsync(cancel, "--target=Diagnose");
        run.Environment.Remove("DIAGNOSE_FORMAT");
        Assert.True(json.Succeeded, json.Output + json.Error);
        using (var document = JsonDocument.Parse(json.Output))
        {
            Assert.False(document.RootElement.GetProperty("failed").GetBoolean());
            Assert.Equal(0, document.RootElement.GetProperty("summary").GetProperty("fail").GetInt32());
        }

        // When the credentials file holds a wrong secret
        lab.WriteCredentials(run.CredentialsFile, "wrong-" + lab.Key.SecretAccessKey);
        var wrong = await run.RunAsync(cancel, "--target=Diagnose");
        var wrongText = wrong.Output + wrong.Error;
        output.WriteLine(wrongText);
        lab.WriteCredentials(run.CredentialsFile, lab.Key.SecretAccessKey);

        // Then the helper's get fails with the cause its log names, and the fix
        Assert.Equal(1, wrong.ExitCode);
        Assert.Matches(@"helper get\s+FAIL\s+wrong secret access key \(InvalidSignatureException\) for ", wrongText);
        Assert.Contains("fix: copy the secret access key again", wrongText);

        // And nothing was written, GitLab was never called, no secret shown, no container of Diagnose left
        Assert.Equal(state, Snapshot(run.State));
        Assert.Equal(repository, await RepositorySnapshotAsync(cancel));
        Assert.Equal(calls, gitlab.Calls.Snapshot().Count);
        foreach (var printed in new[] { text, json.Output, json.Error, wrongText })
        {
            Assert.DoesNotContain(runner.Token, printed);
            Assert.DoesNotContain(lab.Key.SecretAccessKey, printed);
            Assert.All(lab.Registries, r => Assert.DoesNotContain(r.Ecr.Password, printed));
        }

        Assert.Empty((await Cli.DockerAsync("list Diagnose's containers", cancel, "ps", "-aq", "--filter", $"label=gitlab-runner-ecr.project={run.Project}", "--filter", "label=gitlab-runner-ecr.role=diagnose")).Output.Trim());
    }

    /// <summary>Every file and folder under <paramref name="root"/>: its bytes (hashed), mode and last write time.</summary>
    internal static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(root, path),
            path => $"{File.GetUnixFileMode(path)} {File.GetLastWriteTimeUtc(path):O} {(File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "folder")}");

    /// <summary>The repository's files (tracked, and untracked ones git does not ignore), as <see cref="Snapshot"/> records them.</summary>
    internal static async Task<Dictionary<string, string>> RepositorySnapshotAsync(CancellationToken cancel)
    {
        var root = LabImages.RepositoryRoot();
        var files = await Cli.CheckedAsync("list the repository's files", "git", ["-C", root, "ls-files", "-co", "--exclude-standard"], cancel);
        return files.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(f => Path.Combine(root, f)).Distinct().Where(File.Exists).ToDictionary(
            path => path,
            path => $"{File.GetUnixFileMode(path)} {File.GetLastWriteTimeUtc(path):O} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}");
    }
}
