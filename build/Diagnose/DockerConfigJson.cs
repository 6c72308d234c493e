using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>An <c>auths</c> entry: its host, and when the ECR token in it expires (ECR passwords carry their expiry).</summary>
public sealed record AuthsEntry(string Host, DateTimeOffset? Expires);

/// <summary>
/// A docker client configuration as the runner (DOCKER_AUTH_CONFIG, ~/.docker/config.json) or a job's docker CLI reads
/// it: <c>credsStore</c>, <c>credHelpers</c> and <c>auths</c>. Every secret in it (an <c>auth</c>, a password, an identity
/// token) is registered with the redactor before anything is shown, even when the text is not valid JSON.
/// </summary>
public sealed partial record DockerConfigJson(string? CredsStore, IReadOnlyDictionary<string, string> CredHelpers, IReadOnlyList<AuthsEntry> Auths)
{
    /// <summary>The helper suffixes the configuration makes the client run (credsStore and every credHelpers value).</summary>
    public IEnumerable<string> Helpers => CredHelpers.Values.Append(CredsStore).OfType<string>().Where(h => h.Length > 0).Distinct(StringComparer.Ordinal);

    /// <summary>The configuration, or null and why the text is not one (where the JSON breaks, and the likely reason).</summary>
    public static (DockerConfigJson? Config, string? Problem) Parse(string text, Redactor redactor, string secretName)
    {
        RegisterSecrets(text, redactor, secretName);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, Position(text, ex) + Hint(text));
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object with credHelpers, credsStore or auths");
            }

            var store = root.TryGetProperty("credsStore", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var helpers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("credHelpers", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in h.EnumerateObject())
                {
                    helpers[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() ?? string.Empty : string.Empty;
                }
            }

            var auths = new List<AuthsEntry>();
            if (root.TryGetProperty("auths", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                auths.AddRange(a.EnumerateObject().Select(e => new AuthsEntry(RegistryHosts.Normalise(e.Name), Expiry(e.Value))));
            }

            return (new DockerConfigJson(store, helpers, auths), null);
        }
    }

    /// <summary>Registers every credential the text holds, found by key even in text that is not valid JSON.</summary>
    public static void RegisterSecrets(string text, Redactor redactor, string name)
    {
        foreach (Match match in CredentialValue().Matches(text))
        {
            var value = match.Groups["value"].Value;
            redactor.Add(new Secret(value), name);
            if (match.Groups["key"].Value.Equals("auth", StringComparison.OrdinalIgnoreCase) && Decode(value) is { } pair && pair.IndexOf(':') is var colon and > 0)
            {
                redactor.Add(new Secret(pair[(colon + 1)..]), name);
            }
        }
    }

    /// <summary>When the ECR token of an <c>auths</c> entry expires: ECR's password is base64 JSON with an <c>expiration</c> (Unix seconds).</summary>
    private static DateTimeOffset? Expiry(JsonElement entry)
    {
        var password = entry.TryGetProperty("password", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()
            : entry.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && Decode(auth.GetString()!) is { } pair && pair.IndexOf(':') is var colon and > 0 ? pair[(colon + 1)..]
            : null;
        if (password is null || Decode(password) is not { } payload)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.TryGetProperty("expiration", out var at) && at.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Where the JSON breaks, by line and column (never the text around it: it may hold a credential).</summary>
    private static string Position(string text, JsonException ex)
    {
        var line = (int)(ex.LineNumber ?? 0);
        var column = (int)(ex.BytePositionInLine ?? 0);
        var lines = text.Split('\n');
        var at = line < lines.Length && column < Encoding.UTF8.GetByteCount(lines[line]) ? Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(lines[line]), column, 1) : null;
        var what = at switch
        {
            null => "at the end of the text (it stops early: a closing brace or quote is missing)",
            "\\" => "at a backslash",
            "'" => "at a single quote",
            "\"" => "at a double quote",
            _ when at.Length == 1 && char.IsLetterOrDigit(at[0]) => "at a letter or digit",
            _ => $"at '{at}'",
        };
        return lines.Length > 1 ? $"it is not valid JSON: line {line + 1}, column {column + 1}, {what}" : $"it is not valid JSON: character {column + 1}, {what}";
    }

    private static string Hint(string text) =>
        text.Contains("\\\"", StringComparison.Ordinal) ? "; it holds backslash-escaped quotes (\\\"): the JSON was escaped twice (a TOML literal string '…' keeps the backslashes; a template or shell escaped it again)"
        : text.TrimStart().StartsWith('{') && text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? "; JSON needs double quotes around names and values, not single ones"
        : string.Empty;

    // "auth", "password", "identitytoken", "registrytoken" values, quoted plainly or backslash-escaped (JSON inside a string).
    [GeneratedRegex(@"\\?""(?<key>auth|password|identitytoken|registrytoken|secret)\\?""\s*:\s*\\?""(?<value>[^""\\]{6,})", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialValue();
}
