using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

public sealed class BuildSettingsTests
{
    private static readonly DirectoryPath Root = new("/repo");
    private static readonly DirectoryPath Invocation = new("/home/me/work");

    private static BuildSettings Load(
        Dictionary<string, string>? arguments = null,
        Dictionary<string, string>? environment = null,
        string? dotEnv = null) =>
        BuildSettings.Load(Root, Invocation, arguments ?? [], name => environment?.GetValueOrDefault(name), dotEnv);

    private static BuildSettings LoadFiles(string? dotEnv, string? dotEnvLocal, bool dotEnvTracked = false, Dictionary<string, string>? environment = null) =>
        BuildSettings.Load(Root, Invocation, new Dictionary<string, string>(), name => environment?.GetValueOrDefault(name), dotEnv, dotEnvLocal, () => dotEnvTracked);

    private static SettingsException Invalid(
        Dictionary<string, string>? arguments = null,
        Dictionary<string, string>? environment = null,
        string? dotEnv = null) =>
        Assert.Throws<SettingsException>(() => Load(arguments, environment, dotEnv));

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        var settings = Load();

        Assert.Equal("ecr-runner", settings.Runner.Name);
        Assert.Equal("/repo/.state", settings.StateDirectory.FullPath);
        Assert.Equal("gitlab/gitlab-runner:v19.3.0", settings.Runner.Image.ToString());
        Assert.Equal(CredentialsSource.File, settings.Aws.CredentialsSource);
        Assert.Equal(new Uri("https://gitlab.com"), settings.GitLab.Url);
        Assert.Equal(["linux/amd64", "linux/arm64"], settings.Helper.Platforms);
        Assert.False(settings.Server.Enabled);
        Assert.Empty(settings.Aws.Registries);
        Assert.Null(settings.GitLab.RunnerToken);
    }

    [Fact]
    public void Argument_wins_over_environment_which_wins_over_dotenv_which_wins_over_default()
    {
        var all = Load(new() { ["runner-name"] = "from-arg" }, new() { ["RUNNER_NAME"] = "from-env" }, "RUNNER_NAME=from-file");
        var noArgument = Load(environment: new() { ["RUNNER_NAME"] = "from-env" }, dotEnv: "RUNNER_NAME=from-file");
        var fileOnly = Load(dotEnv: "RUNNER_NAME=from-file");

        Assert.Equal("from-arg", all.Runner.Name);
        Assert.Equal("from-env", noArgument.Runner.Name);
        Assert.Equal("from-file", fileOnly.Runner.Name);
    }

    [Fact]
    public void Dotenv_local_wins_over_dotenv_and_loses_to_the_environment()
    {
        var local = LoadFiles("RUNNER_NAME=from-env-file\nCOMPOSE_PROJECT_NAME=committed", "RUNNER_NAME=from-local");
        var environment = LoadFiles("RUNNER_NAME=from-env-file", "RUNNER_NAME=from-local", environment: new() { ["RUNNER_NAME"] = "from-environment" });

        Assert.Equal("from-local", local.Runner.Name);
        Assert.Equal("committed", local.ComposeProjectName);
        Assert.Equal("from-environment", environment.Runner.Name);
    }

    [Fact]
    public void A_bad_value_in_dotenv_local_is_reported_with_its_file_and_line()
    {
        var error = Assert.Throws<SettingsException>(() => LoadFiles("SERVER=false", "# mine\nSERVER=maybe\n"));

        Assert.Equal("SERVER = \"maybe\" from .env.local line 2 is not valid; accepted: true or false", Assert.Single(error.Problems));
    }

    [Fact]
    public void A_secret_in_a_git_tracked_dotenv_is_refused_without_showing_it()
    {
        const string token = "glpat-committed0123456789";

        var error = Assert.Throws<SettingsException>(() => LoadFiles($"RUNNER_NAME=x\nGITLAB_TOKEN={token}\n", null, dotEnvTracked: true));

        Assert.Equal("GITLAB_TOKEN is set in .env line 2, which git tracks (it would be committed with the project's defaults): move it to .env.local (git-ignored, chmod 600)", Assert.Single(error.Problems));
        Assert.DoesNotContain(token, error.Message);
    }

    [Fact]
    public void A_secret_in_a_git_tracked_dotenv_is_refused_even_when_another_layer_overrides_it()
    {
        var error = Assert.Throws<SettingsException>(() => LoadFiles("GITLAB_TOKEN=glpat-committed0123456789\n", "GITLAB_TOKEN=glpat-local0123456789", dotEnvTracked: true, environment: new() { ["GITLAB_TOKEN"] = "glpat-env0123456789" }));

        Assert.Contains("move it to .env.local", Assert.Single(error.Problems));
    }

    [Fact]
    public void A_secret_is_accepted_from_dotenv_local_or_from_a_dotenv_git_does_not_track()
    {
        var tracked = false;
        var local = BuildSettings.Load(Root, Invocation, new Dictionary<string, string>(), _ => null, "RUNNER_NAME=x", "GITLAB_TOKEN=glpat-local0123456789", () => tracked = true);
        var untracked = LoadFiles("GITLAB_TOKEN=glpat-untracked0123456789", null, dotEnvTracked: false);

        Assert.Equal("glpat-local0123456789", local.GitLab.PersonalToken!.Reveal());
        Assert.True(local.SecretsFromDotEnvLocal);
        Assert.False(tracked, "git is asked only when .env holds a secret");
        Assert.True(untracked.SecretsFromDotEnv);
    }

    [Fact]
    public void The_committed_dotenv_holds_only_known_non_secret_settings()
    {
        var text = File.ReadAllText(System.IO.Path.Combine(global::Tests.Shared.TestRepository.Root(), ".env"));
        var entries = DotEnvFile.Parse(text, _ => null);

        Assert.Empty(entries.Errors);
        Assert.All(entries.Entries, e => Assert.False(SettingCatalog.Find(e.Key)?.IsSecret ?? true, $"{e.Key} is unknown or secret"));
        // One source of truth: .env documents the catalog's defaults, it does not change them.
        Assert.All(entries.Entries, e => Assert.Equal(SettingCatalog.Find(e.Key)!.Default, e.Value));
        var settings = LoadFiles(text, null, dotEnvTracked: true);
        Assert.Equal(CredentialsSource.File, settings.Aws.CredentialsSource);
    }

    [Fact]
    public void Empty_values_count_as_unset()
    {
        var settings = Load(environment: new() { ["RUNNER_NAME"] = string.Empty }, dotEnv: "RUNNER_NAME=from-file");

        Assert.Equal("from-file", settings.Runner.Name);
    }

    [Fact]
    public void Every_invalid_value_is_reported_at_once_with_key_source_and_what_is_accepted()
    {
        var error = Invalid(
            new() { ["server"] = "maybe" },
            new() { ["GITLAB_SERVER_WEB_PORT"] = "70000" },
            "RUNNER_NAME=\"two words\"\nHELPER_SOURCE=curl\n");

        Assert.Equal(4, error.Problems.Count);
        Assert.Contains("SERVER = \"maybe\" from argument --server is not valid; accepted: true or false", error.Problems);
        Assert.Contains("GITLAB_SERVER_WEB_PORT = \"70000\" from environment variable GITLAB_SERVER_WEB_PORT is not valid; accepted: a port 1-65535", error.Problems);
        Assert.Contains("RUNNER_NAME = \"two words\" from .env line 1 is not valid; accepted: letters, digits, '.', '-' and '_'", error.Problems);
        Assert.Contains("HELPER_SOURCE = \"curl\" from .env line 2 is not valid; accepted: build, archive, download or path", error.Problems);
    }

    [Fact]
    public void Dotenv_syntax_errors_are_reported_with_the_other_problems()
    {
        var error = Invalid(new() { ["server"] = "maybe" }, dotEnv: "NOT A LINE\n");

        Assert.Equal(2, error.Problems.Count);
        Assert.StartsWith(".env line 1: expected KEY=VALUE", error.Problems[0]);
    }

    [Fact]
    public void Unknown_argument_is_refused_with_a_suggestion()
    {
        var error = Invalid(new() { ["runer-name"] = "x" });

        Assert.Equal("unknown argument \"--runer-name\": did you mean --runner-name?", Assert.Single(error.Problems));
    }

    [Fact]
    public void Secret_on_the_command_line_is_refused_without_printing_it()
    {
        const string token = "glpat-0123456789abcdefghij";

        var error = Invalid(new() { ["gitlab-token"] = token });

        Assert.Contains("secrets are not accepted on the command line", Assert.Single(error.Problems));
        Assert.DoesNotContain(token, error.Message);
    }

    [Fact]
    public void Secrets_from_environment_or_dotenv_never_print()
    {
        const string runnerToken = "glrt-runnertoken0123456789";
        const string pat = "glpat-patvalue0123456789ab";

        var settings = Load(environment: new() { ["GITLAB_RUNNER_TOKEN"] = runnerToken }, dotEnv: $"GITLAB_TOKEN={pat}");

        Assert.Equal(runnerToken, settings.GitLab.RunnerToken!.Reveal());
        Assert.Equal(pat, settings.GitLab.PersonalToken!.Reveal());
        Assert.Equal("***", settings.GitLab.RunnerToken.ToString());
        Assert.Equal("***", $"{settings.GitLab.PersonalToken}");
        Assert.DoesNotContain(runnerToken, settings.ToString());
        Assert.DoesNotContain(pat, settings.ToString());
        Assert.DoesNotContain(runnerToken, settings.GitLab.ToString());
        Assert.DoesNotContain(pat, settings.GitLab.ToString());
        Assert.Equal(["GITLAB_RUNNER_TOKEN", "GITLAB_TOKEN"], settings.Secrets.Select(s => s.Name));
    }

    [Fact]
    public void Aws_key_material_from_any_layer_is_a_named_secret()
    {
        var settings = Load(
            environment: new() { ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["AWS_SESSION_TOKEN"] = "IQoJb3JpZ2luX2VjEXAMPLE" },
            dotEnv: "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");

        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], settings.Secrets.Select(s => s.Name).Order());
        Assert.Equal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", settings.Aws.SecretAccessKey!.Reveal());
        Assert.DoesNotContain("wJalrXUtnFEMI", settings.Aws.ToString());
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", settings.Aws.ToString());
        Assert.True(settings.SecretsFromDotEnv);
        Assert.False(Load(environment: new() { ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG" }).SecretsFromDotEnv);
    }

    [Fact]
    public void Gitlab_url_with_user_info_is_refused_without_showing_it()
    {
        const string token = "glpat-inurl0123456789abcd";

        var error = Invalid(environment: new() { ["GITLAB_URL"] = $"https://oauth2:{token}@gitlab.example.com" });

        Assert.Contains("GITLAB_URL = \"https://***@gitlab.example.com\" from environment variable GITLAB_URL is not valid", error.Message);
        Assert.Contains("without user info", error.Message);
        Assert.DoesNotContain(token, error.Message);
        Assert.DoesNotContain("oauth2", error.Message);
    }

    [Fact]
    public void Relative_paths_from_dotenv_start_at_the_root_and_from_arguments_at_the_invocation_directory()
    {
        var fromFile = Load(dotEnv: "RUNNER_CREDENTIALS_FILE=../secrets/aws\nSTATE_DIR=out/state");
        var fromArgument = Load(new() { ["runner-credentials-file"] = "creds" });

        Assert.Equal("/secrets/aws", fromFile.Aws.CredentialsFile!.FullPath);
        Assert.Equal("/repo/out/state", fromFile.StateDirectory.FullPath);
        Assert.Equal("/home/me/work/creds", fromArgument.Aws.CredentialsFile!.FullPath);
    }

    [Fact]
    public void Registries_come_from_the_list_and_from_the_private_image_without_duplicates()
    {
        var settings = Load(dotEnv:
            "ECR_REGISTRIES=123456789012.dkr.ecr.us-east-1.amazonaws.com, https://210987654321.dkr.ecr.eu-west-1.amazonaws.com/\n" +
            "PRIVATE_ECR_IMAGE=123456789012.dkr.ecr.us-east-1.amazonaws.com/private/hello:1.0");

        Assert.Equal(["123456789012.dkr.ecr.us-east-1.amazonaws.com", "210987654321.dkr.ecr.eu-west-1.amazonaws.com"], settings.Aws.Registries.Select(r => r.Host));
        Assert.Equal("eu-west-1", settings.Aws.Registries[1].Region);
        Assert.Equal("210987654321", settings.Aws.Registries[1].AccountId);
        Assert.Equal("private/hello", settings.Aws.PrivateImage!.Repository);
    }

    [Fact]
    public void Non_ecr_registry_and_image_are_refused()
    {
        var error = Invalid(dotEnv: "ECR_REGISTRIES=registry.example.com\nPRIVATE_ECR_IMAGE=docker.io/library/alpine:3");

        Assert.Contains(error.Problems, p => p.StartsWith("ECR_REGISTRIES") && p.Contains("\"registry.example.com\" is not an ECR registry host"));
        Assert.Contains(error.Problems, p => p.StartsWith("PRIVATE_ECR_IMAGE") && p.Contains("its registry is not an ECR host"));
    }

    [Fact]
    public void Helper_path_is_required_when_the_source_is_path()
    {
        var error = Invalid(dotEnv: "HELPER_SOURCE=path");

        Assert.Contains("HELPER_SOURCE=path needs the path of the helper binary", Assert.Single(error.Problems));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    public void Booleans_accept_the_usual_spellings(string text, bool expected)
    {
        var settings = Load(new() { ["server"] = text });

        Assert.Equal(expected, settings.Server.Enabled);
    }
}
