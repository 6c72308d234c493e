namespace Build.Host;

/// <summary>
/// A target that, in some runs, prints a machine-readable document (Diagnose with DIAGNOSE_FORMAT=json). The host asks
/// it once the context is built, before the first task: when it says yes, every line of the host's own (warnings of
/// the settings, task headers, log lines, the report, errors) goes to standard error, and standard output holds what
/// the target writes to <see cref="FrostingContext.StandardOutput"/> alone, so a pipe to a JSON parser needs nothing else.
/// </summary>
public interface IDocumentTarget<in TContext>
{
    bool WritesDocument(TContext context);
}
