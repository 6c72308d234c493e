using Build.Host;
using Build.Secrets;
using Cake.Core;

namespace Build.Tests.Host;

/// <summary>
/// The task report at the end of a run, rendered on the host's console at a terminal's width: it fits, and every
/// skip reason reads on one line (in the table when the table then fits, under it otherwise).
/// </summary>
public sealed class ReportLayoutTests
{
    private static readonly string[] Reasons =
    [
        "helper 0.8.0 linux/amd64 up to date",
        "server mode is off (SERVER=false): Register uses GITLAB_URL",
        "runner container 0123456789ab running with the same inputs",
    ];

    /// <summary>A second ./build.sh --target=Up: three tasks skipped with their reasons, two run.</summary>
    private static CakeReport UpAgain(params string[] reasons)
    {
        var report = new CakeReport();
        report.AddSkipped("BuildHelper", reasons[0]);
        report.AddSkipped("Bootstrap", reasons[1]);
        report.Add("Preflight", TimeSpan.FromSeconds(1.234));
        report.Add("StageCredentials", TimeSpan.FromMilliseconds(56));
        report.AddSkipped("Up", reasons[2]);
        return report;
    }

    private static string[] Render(CakeReport report, int width)
    {
        var output = new StringWriter();
        var console = new HostConsole(output, output, colour: false, new Redactor()).CreateAnsiConsole();
        console.Profile.Width = width;
        new SkipReasonReportPrinter(new NoSteps(), console, new Dictionary<string, TaskEntry>()).Write(report);
        return output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void The_report_fits_the_terminal_and_every_skip_reason_is_on_one_line(int width)
    {
        // Given a run with three skipped tasks, when the report is printed at this width
        var lines = Render(UpAgain(Reasons), width);

        // Then no line is wider than the terminal, and each reason is whole on the line of its task
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= width, $"{l.TrimEnd().Length} columns: {l}"));
        foreach (var (task, reason) in new[] { ("BuildHelper", Reasons[0]), ("Bootstrap", Reasons[1]), ("Up", Reasons[2]) })
        {
            Assert.Single(lines, l => l.Contains(reason, StringComparison.Ordinal) && l.Contains(task, StringComparison.Ordinal));
        }

        Assert.Single(lines, l => l.Contains("Preflight", StringComparison.Ordinal) && l.Contains("00:00:01.23", StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public void At_120_columns_the_reasons_are_a_column_of_the_table_and_at_80_they_follow_it()
    {
        var wide = Render(UpAgain(Reasons), 120);
        var narrow = Render(UpAgain(Reasons), 80);

        Assert.Contains(wide, l => l.Contains("Skip Reason", StringComparison.Ordinal));
        Assert.Matches(@"^\s+BuildHelper\s+-\s+Skipped\s+helper 0\.8\.0 linux/amd64 up to date\s*$", wide.Single(l => l.Contains("BuildHelper", StringComparison.Ordinal)));
        Assert.DoesNotContain(narrow, l => l.Contains("Skip Reason", StringComparison.Ordinal));
        Assert.Contains("  Up skipped: runner container 0123456789ab running with the same inputs", narrow);
        Assert.True(Array.FindLastIndex(narrow, l => l.Contains("Total:", StringComparison.Ordinal)) < Array.FindIndex(narrow, l => l.Contains("BuildHelper skipped:", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_reason_with_square_brackets_is_printed_as_it_is_not_read_as_markup()
    {
        var lines = Render(UpAgain("config.toml has no [[runners]] entry", "[runners.docker] unchanged", "[/]"), 200);

        Assert.Contains(lines, l => l.Contains("config.toml has no [[runners]] entry", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[runners.docker] unchanged", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimEnd().EndsWith("[/]", StringComparison.Ordinal));
    }

    private sealed class NoSteps : ICakeReportPrinter
    {
        public void Write(CakeReport report) => throw new InvalidOperationException("the report is written by the printer under test");

        public void WriteStep(string name, Cake.Core.Diagnostics.Verbosity verbosity)
        {
        }

        public void WriteLifeCycleStep(string name, Cake.Core.Diagnostics.Verbosity verbosity)
        {
        }

        public void WriteSkippedStep(string name, Cake.Core.Diagnostics.Verbosity verbosity)
        {
        }
    }
}
