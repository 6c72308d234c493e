using System.Text.Json;
using System.Text.Json.Nodes;

namespace Build.RunnerConfig;

/// <summary>
/// The Docker client configuration both authentication levels read: <c>credHelpers</c> with one
/// <c>ecr-login</c> entry per registry host, so the helper is asked only for those; <c>credsStore</c> only when asked
/// for, because with it the runner calls <c>list</c>, which knows only the default registry.
/// </summary>
public static class DockerAuthConfig
{
    public const string HelperSuffix = "ecr-login";

    /// <summary>Compact JSON for <c>DOCKER_AUTH_CONFIG</c> (one line inside a TOML string).</summary>
    public static string Json(IEnumerable<string> hosts, bool useCredsStore) =>
        Build(hosts, useCredsStore).ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>Indented JSON for the DinD job's <c>/root/.docker/config.json</c>.</summary>
    public static string File(IEnumerable<string> hosts, bool useCredsStore) =>
        Build(hosts, useCredsStore).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static JsonObject Build(IEnumerable<string> hosts, bool useCredsStore)
    {
        var helpers = new JsonObject();
        foreach (var host in hosts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            helpers[host] = HelperSuffix;
        }

        var config = new JsonObject { ["credHelpers"] = helpers };
        if (useCredsStore)
        {
            config["credsStore"] = HelperSuffix;
        }

        return config;
    }
}
