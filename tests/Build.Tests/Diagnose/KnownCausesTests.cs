using Build.Diagnose;

namespace Build.Tests.Diagnose;

/// <summary>
/// Each of the fifteen known reasons a runner cannot pull from ECR has a fixture config.toml (Fixtures/, with the
/// runner's environment where it matters); Diagnose names the cause and the fix of each, and prints no secret.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KnownCausesTests
{
    [Theory]
    [InlineData("01-helper-where-the-job-runs", 1, "executor.helper", Verdict.Fail, "is not on the PATH of the runner process", "it is mounted into the jobs", "not into the job image")]
    [InlineData("02-one-helper-voids-all", 1, "executor.auth-resolves", Verdict.Fail, "docker-credential-gcloud (not on the runner's PATH)", "voids all of DOCKER_AUTH_CONFIG in the entry's environment", "put each helper the configuration names on the PATH of the runner process")]
    [InlineData("02-one-helper-voids-all", 1, "executor.auth-resolves", Verdict.Fail, "Failed to resolve credentials from $DOCKER_AUTH_CONFIG", "(2 other entries)", "not in the job image")]
    [InlineData("03-credsstore-without-region", 1, "executor.creds-store", Verdict.Fail, "list needs a region", "no ECR image gets credentials", "use credHelpers instead")]
    [InlineData("04-credsstore-breaks-docker-login", 1, "dind.docker-config", Verdict.Warn, "credsStore=ecr-login", "fails with \"not implemented\"", "use credHelpers with one entry per ECR host")]
    [InlineData("05-instance-role-hop-limit", 1, "dind.credentials", Verdict.Warn, "the EC2 instance role", "hop limit of 2 or more", "--http-put-response-hop-limit 2")]
    [InlineData("06-dind-jobs-get-no-auth", 1, "dind.docker-config", Verdict.Warn, "jobs do not inherit the executor's authentication", "without credentials", "mount a config.json with credHelpers into the jobs")]
    [InlineData("07-glibc-helper-in-alpine-jobs", 1, "dind.helper", Verdict.Fail, "it is dynamically linked", "exit 127 \"not found\"", "mount a static helper")]
    [InlineData("08-badly-escaped-json", 1, "executor.auth-json", Verdict.Fail, "not valid JSON: character 2, at a backslash", "escaped twice", "in a TOML literal string without backslashes")]
    [InlineData("09-stale-docker-login-token", 1, "executor.auths", Verdict.Fail, "expired at 2020-01-01 00:00Z", "instead of the helper", "name the host in credHelpers")]
    [InlineData("10-old-docker-cli-new-engine", 1, "engine.api", Verdict.Fail, "speaks API 1.40 at most", "Engine 29.1.3 refuses clients below 1.44", "Docker 25 or later")]
    [InlineData("11-registration-token", 1, "runner.token", Verdict.Fail, "a registration token (GR1348941…)", "registration never completed", "gitlab-runner register --token glrt-")]
    [InlineData("11-registration-token", 2, "runner.token", Verdict.Warn, "registered with a registration token (glrtr-…)", "410 Gone", "gitlab-runner register --token glrt-")]
    [InlineData("12-duplicate-entries", 2, "entry.unique", Verdict.Fail, "2 [[runners]] entries are named \"ecr-runner\" (#1, #2)", "not idempotent", "delete the others")]
    [InlineData("13-list-calls-ecr-public", 1, "executor.list-endpoint", Verdict.Warn, "api.ecr-public.us-east-1.amazonaws.com", "locked-down network", "use credHelpers instead")]
    [InlineData("13-list-calls-ecr-public", 1, "executor.creds-store", Verdict.Warn, "knows only the default registry of eu-west-1", "other accounts or regions", "use credHelpers instead")]
    [InlineData("14-cache-dir-not-writable", 1, "executor.cache-dir", Verdict.Warn, "home-is-a-file/.ecr (~/.ecr) cannot be created or written", "no token cache", "set AWS_ECR_CACHE_DIR")]
    [InlineData("15-wrong-home-and-wildcard", 1, "executor.cred-helpers", Verdict.Fail, "\"*.dkr.ecr.eu-west-1.amazonaws.com\" is a wildcard", "exact host names", "name each registry host exactly")]
    [InlineData("15-wrong-home-and-wildcard", 1, "executor.home", Verdict.Warn, "a runner that runs as the user of", "users/bob", "run Diagnose as the runner's user with its HOME")]
    public void Each_known_cause_is_diagnosed_with_its_cause_and_fix(string fixture, int entry, string id, Verdict result, string cause, string alsoCause, string fix)
    {
        // Given the fixture's config.toml and runner
        using var run = DiagnoseFixture.Copy(fixture);

        // When Diagnose runs
        var report = run.Diagnose();

        // Then the check names the cause and its fix
        var finding = report.Entries[entry - 1].Findings.Single(f => f.Id == id);
        var shown = report.Table(run.Redactor);
        Assert.True(finding.Result == result, $"{id} is {finding.Result}, not {result}:\n{shown}");
        Assert.Contains(cause, finding.Cause, StringComparison.Ordinal);
        Assert.Contains(alsoCause, finding.Cause, StringComparison.Ordinal);
        Assert.Contains(fix, finding.Fix ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains(cause, shown, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DiagnoseFixture.Names), MemberType = typeof(DiagnoseFixture))]
    public void No_fixture_s_diagnosis_shows_a_secret(string fixture)
    {
        using var run = DiagnoseFixture.Copy(fixture);

        var report = run.Diagnose();

        foreach (var printed in new[] { report.Table(run.Redactor), report.Json(run.Redactor) })
        {
            Assert.DoesNotContain(DiagnoseFixture.Marker, printed, StringComparison.Ordinal);
            Assert.All(DiagnoseFixture.EncodedSecrets, secret => Assert.DoesNotContain(secret, printed, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_fixture_is_one_of_the_theory_s_causes()
    {
        var tested = typeof(KnownCausesTests).GetMethod(nameof(Each_known_cause_is_diagnosed_with_its_cause_and_fix))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>().Select(d => (string)d.GetData(null!).First()[0]).ToHashSet();

        Assert.Equal(15, DiagnoseFixture.All.Count);
        Assert.All(DiagnoseFixture.All, name => Assert.Contains(name, tested));
    }

    [Fact]
    public void A_secret_of_the_runner_s_environment_that_the_helper_logs_is_masked_and_the_cause_still_named()
    {
        // Given a runner whose environment holds keys and a token of its own, and a helper that logs them when its get fails
        using var run = DiagnoseFixture.Copy("12-duplicate-entries");
        run.Environment["AWS_ACCESS_KEY_ID"] = "AKIAS3CR3TRUNNER01";
        run.Environment["AWS_SECRET_ACCESS_KEY"] = "S3CR3T/runner/secret/0123456789";
        run.Environment["CI_SERVER_TOKEN"] = "S3CR3T-runner-process-token";
        File.WriteAllText(Path.Combine(run.Dir, "bin", "docker-credential-ecr-login"), """
            #!/bin/sh
            case "$1" in
              -v) echo "Version:    0.12.0" ;;
              get) read host; mkdir -p "$AWS_ECR_CACHE_DIR/log"
                   echo "level=error msg=\"InvalidSignatureException with $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $CI_SERVER_TOKEN\"" > "$AWS_ECR_CACHE_DIR/log/ecr-login.log"
                   echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """);

        // When Diagnose runs
        var report = run.Diagnose();

        // Then the get fails with the cause from the log, and none of the runner's secrets is shown
        var get = report.Entries[0].Findings.Single(f => f.Id == "executor.get:" + DiagnoseFixture.Registry);
        Assert.Equal(Verdict.Fail, get.Result);
        Assert.StartsWith("wrong secret access key (InvalidSignatureException)", get.Cause);
        foreach (var printed in new[] { report.Table(run.Redactor), report.Json(run.Redactor) })
        {
            Assert.DoesNotContain(DiagnoseFixture.Marker, printed, StringComparison.Ordinal);
        }
    }
}
