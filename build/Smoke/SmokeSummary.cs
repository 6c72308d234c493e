using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Build.Smoke;

/// <summary>SmokeTest's result: a plain-text table (level, result, time, cause) under the helper tested, and the same as JUnit XML.</summary>
public sealed record SmokeSummary(IReadOnlyList<LevelResult> Levels, TimeSpan Total)
{
    public const string SuiteName = "SmokeTest";

    /// <summary>The helper the levels ran, as BuildHelper's manifest reports it ("0.8.0 linux/amd64 (HELPER_SOURCE=path)"); null when unknown.</summary>
    public string? Helper { get; init; }

    /// <summary>True only when at least one level ran and every level passed (the exit code 0 condition).</summary>
    public bool Passed => Levels.Count > 0 && Levels.All(l => l.Passed);

    public string Table()
    {
        var rows = Levels.Select(l => (l.Level, Result: l.Passed ? "pass" : "FAIL", Time: Seconds(l.Time), Cause: l.Passed ? (l.Detail ?? string.Empty) : l.Cause ?? string.Empty)).ToList();
        var header = (Level: "level", Result: "result", Time: "time", Cause: "cause");
        var w1 = rows.Select(r => r.Level.Length).Append(header.Level.Length).Max();
        var w2 = rows.Select(r => r.Result.Length).Append(header.Result.Length).Max();
        var w3 = rows.Select(r => r.Time.Length).Append(header.Time.Length).Max();
        var text = new StringBuilder(Helper is null ? string.Empty : $"helper: {Helper}\n");
        void Line(string a, string b, string c, string d) => text.Append(a.PadRight(w1)).Append("  ").Append(b.PadRight(w2)).Append("  ").Append(c.PadLeft(w3)).Append("  ").Append(d).Append('\n');
        Line(header.Level, header.Result, header.Time, header.Cause);
        Line(new string('-', w1), new string('-', w2), new string('-', w3), "-----");
        foreach (var row in rows)
        {
            Line(row.Level, row.Result, row.Time, row.Cause);
        }

        text.Append($"{(Passed ? "SmokeTest passed" : "SmokeTest FAILED")} in {Seconds(Total)}\n");
        foreach (var failed in Levels.Where(l => !l.Passed && l.Fix is not null))
        {
            text.Append($"Fix ({failed.Level}): {failed.Fix}\n");
            // The fixes point at it ("read the job's output below"): the last lines of what the level ran, redacted.
            foreach (var line in (failed.Detail ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                text.Append("    ").Append(line.TrimEnd()).Append('\n');
            }
        }

        return text.ToString().Replace(" \n", "\n", StringComparison.Ordinal);
    }

    /// <summary>One test suite, one test case per level; a failed level carries its cause, fix and detail.</summary>
    public string JUnitXml(DateTimeOffset started)
    {
        var suite = new XElement(
            "testsuite",
            new XAttribute("name", SuiteName),
            new XAttribute("tests", Levels.Count),
            new XAttribute("failures", Levels.Count(l => !l.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", Number(Total)),
            new XAttribute("timestamp", started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)));
        if (Helper is not null)
        {
            suite.Add(new XElement("properties", new XElement("property", new XAttribute("name", "helper"), new XAttribute("value", XmlText(Helper)))));
        }

        foreach (var level in Levels)
        {
            var testCase = new XElement("testcase", new XAttribute("classname", SuiteName), new XAttribute("name", XmlText(level.Level)), new XAttribute("time", Number(level.Time)));
            if (!level.Passed)
            {
                testCase.Add(new XElement("failure", new XAttribute("message", XmlText(level.Cause ?? "failed")), XmlText($"{level.Cause}\nFix: {level.Fix}\n{level.Detail}".TrimEnd())));
            }
            else if (level.Detail is not null)
            {
                testCase.Add(new XElement("system-out", XmlText(level.Detail)));
            }

            suite.Add(testCase);
        }

        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", new XAttribute("name", SuiteName), suite));
        using var writer = new Utf8StringWriter();
        document.Save(writer);
        return writer + "\n";
    }

    /// <summary>What junit.xml holds while a run is under way: one error, so a run that stops midway never leaves an earlier pass behind.</summary>
    public static string Unfinished(DateTimeOffset started) =>
        new SmokeSummary([LevelResult.Fail("run", TimeSpan.Zero, $"SmokeTest started at {started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC and did not finish (interrupted or failed before its summary)", "run ./build.sh --target=SmokeTest again")], TimeSpan.Zero)
            .JUnitXml(started);

    /// <summary>
    /// Text XML 1.0 can carry: a character it forbids (a job log's escape codes, a NUL, a lone surrogate) is written as
    /// <c>\uXXXX</c>, so the summary is never lost to one byte of a log.
    /// </summary>
    public static string XmlText(string text)
    {
        if (text.All(XmlConvert.IsXmlChar) && !text.Any(char.IsSurrogate))
        {
            return text;
        }

        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe.Append(text[i]).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(text[i]))
            {
                safe.Append(text[i]);
            }
            else
            {
                safe.Append("\\u").Append(((int)text[i]).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return safe.ToString();
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Number(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter()
            : base(CultureInfo.InvariantCulture)
        {
        }

        public override Encoding Encoding => Encoding.UTF8;
    }
}
