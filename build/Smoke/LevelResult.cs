namespace Build.Smoke;

/// <summary>The outcome of one SmokeTest level: passed, or failed with the cause (from the helper's log) and its fix.</summary>
public sealed record LevelResult(string Level, bool Passed, TimeSpan Time, string? Cause = null, string? Fix = null, string? Detail = null)
{
    public static LevelResult Pass(string level, TimeSpan time, string? detail = null) => new(level, true, time, Detail: detail);

    public static LevelResult Fail(string level, TimeSpan time, string cause, string fix, string? detail = null) => new(level, false, time, cause, fix, detail);
}
