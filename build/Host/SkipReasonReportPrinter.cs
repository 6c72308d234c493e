using System.Globalization;
using Cake.Core;
using Cake.Core.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Build.Host;

/// <summary>
/// The task report at the end of a run, with each skipped task's own reason in place of the criteria's fixed text.
/// Cake's report is 100 columns wide whatever the terminal, so in 80 columns its reason column is a few
/// characters wide and every reason wraps over several lines. Here the table takes its natural width; the reasons
/// are a column of it when the whole table fits the console, and otherwise one line each under it. The reasons are
/// plain text, never markup (a "[runners.docker]" in one must print as it is). The run's target decides inside
/// its action whether it has anything to do (see <see cref="TaskRegistration"/>), so Cake records it as executed;
/// one that skipped itself is reported as skipped, with its reason. Steps print as Cake prints them.
/// </summary>
public sealed class SkipReasonReportPrinter(ICakeReportPrinter inner, IAnsiConsole console, IReadOnlyDictionary<string, TaskEntry> tasks) : ICakeReportPrinter
{
    private const int Unlimited = 10_000;

    public void Write(CakeReport report)
    {
        var entries = report.Select(Row).ToList();
        var reasons = entries.Where(e => !string.IsNullOrEmpty(e.Reason)).ToList();
        var withReasons = Table(entries, reasonColumn: reasons.Count > 0);
        if (reasons.Count == 0 || Width(withReasons) <= console.Profile.Width)
        {
            console.Write(withReasons);
            return;
        }

        console.Write(Table(entries, reasonColumn: false));
        foreach (var (entry, reason) in reasons)
        {
            // Past Spectre, which would wrap a line longer than the console; the terminal shows it whole.
            console.Profile.Out.Writer.WriteLine($"  {entry.TaskName} skipped: {reason}");
        }
    }

    public void WriteStep(string name, Verbosity verbosity) => inner.WriteStep(name, verbosity);

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => inner.WriteLifeCycleStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity) => inner.WriteSkippedStep(name, verbosity);

    private (CakeReportEntry Entry, string? Reason) Row(CakeReportEntry entry)
    {
        var own = tasks.TryGetValue(entry.TaskName, out var task) ? task.Instance.SkipReason : null;
        return entry.ExecutionStatus switch
        {
            CakeTaskExecutionStatus.Skipped => (entry, own ?? entry.SkippedMessage),
            CakeTaskExecutionStatus.Executed when own is not null => (new CakeReportEntry(entry.TaskName, own, entry.Category, entry.Duration, CakeTaskExecutionStatus.Skipped), own),
            _ => (entry, entry.SkippedMessage),
        };
    }

    private static Table Table(IReadOnlyList<(CakeReportEntry Entry, string? Reason)> entries, bool reasonColumn)
    {
        var green = new Style(Color.Green);
        var table = new Table().Border(TableBorder.SimpleHeavy).BorderStyle(green);
        table.AddColumn(new TableColumn(new Text("Task", green)).Footer(new Text("Total:", green)));
        table.AddColumn(new TableColumn(new Text("Duration", green)).Footer(new Text(Time(entries.Aggregate(TimeSpan.Zero, (t, e) => t + e.Entry.Duration)), green)));
        table.AddColumn(new TableColumn(new Text("Status", green)));
        if (reasonColumn)
        {
            table.AddColumn(new TableColumn(new Text("Skip Reason", green)).NoWrap());
        }

        foreach (var (entry, reason) in entries)
        {
            var style = StyleOf(entry);
            var duration = entry.ExecutionStatus == CakeTaskExecutionStatus.Skipped ? "-" : Time(entry.Duration);
            table.AddRow([new Text(entry.TaskName, style), new Text(duration, style), new Text(entry.ExecutionStatus.ToReportStatus(), style), .. reasonColumn ? [new Text(reason ?? string.Empty, style)] : Array.Empty<IRenderable>()]);
        }

        return table;
    }

    private int Width(Table table) => ((IRenderable)table).Measure(new RenderOptions(console.Profile.Capabilities, new Size(Unlimited, console.Profile.Height)), Unlimited).Max;

    private static Style StyleOf(CakeReportEntry entry) => entry switch
    {
        { Category: CakeReportEntryCategory.Setup or CakeReportEntryCategory.Teardown } => new Style(Color.Aqua),
        { ExecutionStatus: CakeTaskExecutionStatus.Failed } => new Style(Color.Red),
        { ExecutionStatus: CakeTaskExecutionStatus.Executed } => new Style(Color.Green),
        _ => new Style(Color.Grey),
    };

    private static string Time(TimeSpan time) => time.ToString(@"hh\:mm\:ss\.ff", CultureInfo.InvariantCulture);
}
