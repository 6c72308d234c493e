using System.Text.Json;

namespace Build.DindToken;

/// <summary>One registry's line of the refresher's status.json: its last refresh, and the token jobs read now.</summary>
/// <param name="ExpiresAt">When the token in config.json expires; null when there has never been one.</param>
/// <param name="ExpiryFromToken">True when the token said when (a real ECR token); false when it is ECR's 12 hours after it was obtained.</param>
public sealed record RegistryToken(string Host, bool Succeeded, DateTimeOffset? ObtainedAt, DateTimeOffset? ExpiresAt, bool ExpiryFromToken, string Error);

/// <summary>
/// What the token refresher (assets/dind-token/refresh-dind-tokens.sh) wrote after its last refresh: when, whether
/// every registry got a token, its interval, and each registry's token expiry. It never holds a token.
/// </summary>
public sealed record TokenStatus(DateTimeOffset RefreshedAt, bool Succeeded, TimeSpan Interval, DateTimeOffset? LastSuccessAt, IReadOnlyList<RegistryToken> Registries)
{
    /// <summary>The status in <paramref name="path"/>, or null when there is none; an <see cref="InvalidDataException"/> when it cannot be read.</summary>
    public static TokenStatus? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            return new TokenStatus(
                Time(root.GetProperty("refreshed_at"))!.Value,
                root.GetProperty("result").GetString() == "ok",
                TimeSpan.FromSeconds(root.GetProperty("interval_seconds").GetInt64()),
                Time(root.GetProperty("last_success_at")),
                [.. root.GetProperty("registries").EnumerateArray().Select(r => new RegistryToken(
                    r.GetProperty("host").GetString()!,
                    r.GetProperty("result").GetString() == "ok",
                    Time(r.GetProperty("obtained_at")),
                    Time(r.GetProperty("expires_at")),
                    r.GetProperty("expiry_from").GetString() == "token",
                    r.GetProperty("error").GetString() ?? string.Empty))]);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new InvalidDataException($"{path} is not a status the token refresher writes ({ex.Message})", ex);
        }
    }

    public RegistryToken? Of(string host) => Registries.FirstOrDefault(r => r.Host == host);

    /// <summary>True when every one of <paramref name="hosts"/> got a token in this refresh.</summary>
    public bool Covers(IEnumerable<string> hosts) => hosts.All(h => Of(h) is { Succeeded: true });

    /// <summary>The failed registries' errors, one per line.</summary>
    public string Errors => string.Join("\n", Registries.Where(r => !r.Succeeded).Select(r => $"{r.Host}: {r.Error}"));

    /// <summary>Seconds since the epoch, 0 meaning none.</summary>
    private static DateTimeOffset? Time(JsonElement seconds) =>
        seconds.GetInt64() is > 0 and var value ? DateTimeOffset.FromUnixTimeSeconds(value) : null;
}
