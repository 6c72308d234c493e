namespace Build.Diagnose;

public enum Verdict
{
    Ok,
    Warn,
    Fail,
    Skip,
}

/// <summary>
/// One check of one runner entry: a stable id (for JSON and the troubleshooting table), what was checked, the result,
/// what was found (the cause when it is not ok) and, when something is to be done, the fix.
/// </summary>
public sealed record Finding(string Id, string Check, Verdict Result, string Cause, string? Fix = null)
{
    public static Finding Ok(string id, string check, string found) => new(id, check, Verdict.Ok, found);

    public static Finding Warn(string id, string check, string cause, string fix) => new(id, check, Verdict.Warn, cause, fix);

    public static Finding Fail(string id, string check, string cause, string fix) => new(id, check, Verdict.Fail, cause, fix);

    public static Finding Skip(string id, string check, string why) => new(id, check, Verdict.Skip, why);

    /// <summary>The result as the table and the JSON document spell it.</summary>
    public string ResultText => Result switch { Verdict.Ok => "ok", Verdict.Warn => "warn", Verdict.Fail => "FAIL", _ => "skip" };
}
