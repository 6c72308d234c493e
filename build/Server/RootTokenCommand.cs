using System.Security.Cryptography;
using Build.Docker;
using Build.Secrets;

namespace Build.Server;

/// <summary>
/// The headless root personal access token of the local GitLab: <c>docker exec</c> of
/// <c>gitlab-rails runner</c> with a Ruby snippet that reads the token from the container's environment. The token
/// reaches docker through its own environment and <c>--env NAME</c> (no value), so it is never in any argv: not
/// docker's, not gitlab-rails'. A second run finds the token by its value and creates nothing.
/// Run by <see cref="ServerBootstrap"/> (see docs/local-gitlab.md).
/// </summary>
public static class RootTokenCommand
{
    public const string Variable = "GITLAB_RUNNER_ECR_ROOT_TOKEN";

    public const string TokenName = "gitlab-runner-ecr";

    /// <summary>The Ruby run by gitlab-rails: idempotent by token value; scopes api and create_runner; a year's expiry (required by recent versions).</summary>
    public const string Script =
        "value = ENV.fetch('" + Variable + "'); " +
        "found = PersonalAccessToken.find_by_token(value); " +
        "if found && found.active? then puts 'exists' else " +
        "token = User.find_by_username('root').personal_access_tokens.new(scopes: ['api', 'create_runner'], name: '" + TokenName + "', expires_at: 365.days.from_now); " +
        "token.set_token(value); token.save!; puts 'created' end";

    /// <summary>A new token: 20 characters (the length GitLab's docs give for <c>set_token</c>) from an unambiguous alphabet.</summary>
    public static Secret NewToken()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return new Secret(RandomNumberGenerator.GetString(alphabet, 20));
    }

    /// <summary>The exec in the GitLab container: the token in docker's environment only, passed on by name.</summary>
    public static ExecSpec Exec(string container, Secret token) => new(container, ["gitlab-rails", "runner", Script])
    {
        SecretEnvironment = new Dictionary<string, Secret> { [Variable] = token },
        Timeout = TimeSpan.FromMinutes(5),
    };
}
