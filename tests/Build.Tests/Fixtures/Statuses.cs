namespace Build.Tests.Fixtures;

/// <summary>status.json as the refresher writes it, for tests that need one without running the script.</summary>
public static class Statuses
{
    public static string Json(DateTimeOffset at, params (string Result, string Host, DateTimeOffset? Expires, string Error)[] registries) =>
        Json(at, TimeSpan.FromHours(1), registries);

    public static string Json(DateTimeOffset at, TimeSpan interval, params (string Result, string Host, DateTimeOffset? Expires, string Error)[] registries)
    {
        var ok = registries.All(r => r.Result == "ok");
        var lines = registries.Select(r =>
            $"    {{\"host\": \"{r.Host}\", \"result\": \"{r.Result}\", \"obtained_at\": {(r.Expires is null ? 0 : at.ToUnixTimeSeconds())}, \"expires_at\": {r.Expires?.ToUnixTimeSeconds() ?? 0}, \"expiry_from\": \"{(r.Expires is null ? "none" : "assumed")}\", \"error\": \"{r.Error}\"}}");
        return $"{{\n  \"version\": 1,\n  \"refreshed_at\": {at.ToUnixTimeSeconds()},\n  \"result\": \"{(ok ? "ok" : "failed")}\",\n  \"interval_seconds\": {(long)interval.TotalSeconds},\n"
            + $"  \"last_success_at\": {(ok ? at.ToUnixTimeSeconds() : 0)},\n  \"registries\": [\n{string.Join(",\n", lines)}\n  ]\n}}\n";
    }
}
