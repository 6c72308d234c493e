using Build.Docker;
using Build.Server;

namespace Build.Tests.Runner;

/// <summary>The server bootstrap's root-token command: the token is in the environment only, never in the rendered arguments.</summary>
public sealed class RootTokenCommandTests
{
    [Fact]
    public void The_token_goes_to_gitlab_rails_through_the_environment_only()
    {
        var token = RootTokenCommand.NewToken();

        var exec = RootTokenCommand.Exec("proj-gitlab-1", token);
        var arguments = DockerCli.ExecArguments(exec).Render();
        var options = DockerCli.ExecOptions(exec);

        Assert.StartsWith("exec --env GITLAB_RUNNER_ECR_ROOT_TOKEN proj-gitlab-1 gitlab-rails runner ", arguments);
        Assert.DoesNotContain(token.Reveal(), arguments);
        Assert.DoesNotContain("GITLAB_RUNNER_ECR_ROOT_TOKEN=", arguments);
        Assert.Equal(token, options.SecretEnvironment[RootTokenCommand.Variable]);
        Assert.Empty(options.Environment);
        Assert.Contains("ENV.fetch('GITLAB_RUNNER_ECR_ROOT_TOKEN')", RootTokenCommand.Script);
        Assert.Contains("find_by_token(value)", RootTokenCommand.Script);
        Assert.Contains("expires_at:", RootTokenCommand.Script);
    }

    [Fact]
    public void New_tokens_are_twenty_characters_and_differ()
    {
        var first = RootTokenCommand.NewToken().Reveal();
        var second = RootTokenCommand.NewToken().Reveal();

        Assert.Equal(20, first.Length);
        Assert.NotEqual(first, second);
    }
}
