namespace Build.Doctor;

public enum CheckStatus
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One line of Doctor's report: what was checked, what was found, and how to fix it when not ok.</summary>
public sealed record DoctorCheck(string Name, CheckStatus Status, string Found, string? Fix = null)
{
    public string Render(int nameWidth)
    {
        var status = Status switch { CheckStatus.Ok => "ok  ", CheckStatus.Warn => "warn", _ => "FAIL" };
        var line = $"{status}  {Name.PadRight(nameWidth)}  {Found}";
        return Fix is null || Status == CheckStatus.Ok ? line : $"{line}{Environment.NewLine}      {new string(' ', nameWidth)}  fix: {Fix}";
    }

    /// <summary>Free space: fail under 1 GiB, warn under 5 GiB (runner, DinD and Go images take a few GiB).</summary>
    public static DoctorCheck ForFreeSpace(string path, long freeBytes)
    {
        const long GiB = 1L << 30;
        var found = $"{freeBytes / (double)GiB:0.0} GiB free at {path}";
        return freeBytes switch
        {
            < GiB => new DoctorCheck("free disk", CheckStatus.Fail, found, "free at least 5 GiB (docker system prune, or set STATE_DIR to a larger disk)"),
            < 5 * GiB => new DoctorCheck("free disk", CheckStatus.Warn, found, "5 GiB or more is recommended for the runner, DinD and Go images"),
            _ => new DoctorCheck("free disk", CheckStatus.Ok, found),
        };
    }
}
