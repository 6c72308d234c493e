using System.Text;
using System.Text.Json;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>The findings of one entry.</summary>
public sealed record EntryDiagnosis(DiagnosedEntry Entry, IReadOnlyList<Finding> Findings);

/// <summary>Diagnose's result: a table per entry (check, result, cause, fix) and a summary, or the same as one JSON document; every text redacted.</summary>
public sealed record DiagnosisReport(string Config, string RunnerWhere, IReadOnlyList<EntryDiagnosis> Entries)
{
    public IEnumerable<Finding> All => Entries.SelectMany(e => e.Findings);

    public bool Failed => All.Any(f => f.Result == Verdict.Fail);

    public int Count(Verdict verdict) => All.Count(f => f.Result == verdict);

    /// <summary>Null when no check failed; otherwise the failure to throw: the failed checks by id and entry, and where their fixes are.</summary>
    public BuildFailure? Failure(bool json) => !Failed ? null : new BuildFailure(
        $"{Count(Verdict.Fail)} {(Count(Verdict.Fail) == 1 ? "check" : "checks")} failed: {string.Join(", ", Entries.SelectMany(e => e.Findings.Where(f => f.Result == Verdict.Fail).Select(f => $"{f.Id} (entry #{e.Entry.Number})")))}",
        json ? "follow the fix of each check whose result is \"fail\" in the JSON document" : "follow the fix under each FAIL row above");

    public string Summary =>
        $"{Count(Verdict.Ok)} ok, {Count(Verdict.Warn)} warn, {Count(Verdict.Fail)} FAIL, {Count(Verdict.Skip)} skip in {Entries.Count} {(Entries.Count == 1 ? "entry" : "entries")} of {Config}";

    public string Table(Redactor redactor)
    {
        var text = new StringBuilder($"config: {Config}\nrunner process: {RunnerWhere}\n");
        foreach (var (entry, findings) in Entries)
        {
            text.Append($"\n{entry} (executor {entry.Executor ?? "none"})\n");
            var width = findings.Select(f => f.Check.Length).Append("check".Length).Max();
            void Row(string check, string result, string cause) => text.Append(check.PadRight(width)).Append("  ").Append(result.PadRight(8)).Append(cause).Append('\n');
            Row("check", "result", "cause / fix");
            Row(new string('-', width), "------", "-----------");
            foreach (var finding in findings)
            {
                Row(finding.Check, finding.ResultText, finding.Cause);
                if (finding.Fix is { } fix && finding.Result is Verdict.Fail or Verdict.Warn)
                {
                    Row(string.Empty, string.Empty, "fix: " + fix);
                }
            }
        }

        text.Append('\n').Append(Summary).Append('\n');
        return redactor.Redact(text.ToString());
    }

    /// <summary>One JSON document: the config, the runner process, each entry with its checks (id, check, result, cause, fix), the counts.</summary>
    public string Json(Redactor redactor)
    {
        var document = new
        {
            config = Config,
            runnerProcess = RunnerWhere,
            entries = Entries.Select(e => new
            {
                number = e.Entry.Number,
                name = redactor.Redact(e.Entry.Name),
                executor = e.Entry.Executor,
                checks = e.Findings.Select(f => new { id = f.Id, check = f.Check, result = f.ResultText.ToLowerInvariant(), cause = redactor.Redact(f.Cause), fix = f.Fix is null ? null : redactor.Redact(f.Fix) }),
            }),
            summary = new { ok = Count(Verdict.Ok), warn = Count(Verdict.Warn), fail = Count(Verdict.Fail), skip = Count(Verdict.Skip) },
            failed = Failed,
        };
        return redactor.Redact(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true })) + "\n";
    }
}
