using Build.Secrets;
using Cake.Core;
using Spectre.Console;

namespace Build.Host;

/// <summary>
/// Cake's console over two writers. Colour is used only on a terminal and never with NO_COLOR or
/// TERM=dumb, so CI logs and redirected output are plain text. Every line passes the redactor. While the run's
/// context is built, what the host prints is held back (<see cref="Hold"/>), until the target has said whether
/// standard output is its document's alone (<see cref="IDocumentTarget{TContext}"/>); then it goes where it belongs.
/// </summary>
public sealed class HostConsole(TextWriter output, TextWriter error, bool colour, Redactor redactor) : IConsole
{
    private StringWriter? _held;
    private bool _diverted;

    /// <summary>Where the host's lines go: standard output, standard error when a document has it, a buffer while held.</summary>
    public TextWriter Output => _held ?? (_diverted ? Error : output);

    public TextWriter Error { get; } = error;

    /// <summary>Standard output for a target's document, every line redacted; never the host's lines.</summary>
    public TextWriter Document { get; } = new RedactingWriter(output, redactor);

    /// <summary>Keeps what the host prints from now on until <see cref="Release"/>.</summary>
    public void Hold() => _held ??= new StringWriter();

    /// <summary>Prints what was held, on standard error when <paramref name="divert"/> (standard output is then the document's), else on standard output.</summary>
    public void Release(bool divert)
    {
        var held = _held;
        _held = null;
        _diverted |= divert;
        Output.Write(held?.ToString());
    }

    public bool SupportAnsiEscapeCodes { get; } = colour;

    public ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public static bool ColourWanted(Func<string, string?> environment, bool redirected) =>
        !redirected
        && string.IsNullOrEmpty(environment("NO_COLOR"))
        && !string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal)
        && string.IsNullOrEmpty(environment("CI"));

    /// <summary>A Spectre console on the same writer, for Cake's report and the description/help tables.</summary>
    public IAnsiConsole CreateAnsiConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = SupportAnsiEscapeCodes ? AnsiSupport.Yes : AnsiSupport.No,
        ColorSystem = SupportAnsiEscapeCodes ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(new RedactingWriter(Output, redactor)),
        Interactive = InteractionSupport.No,
    });

    public void Write(string format, params object[] arg) => Output.Write(Render(format, arg));

    public void WriteLine(string format, params object[] arg) => Output.WriteLine(Render(format, arg));

    public void WriteError(string format, params object[] arg) => Error.Write(Render(format, arg));

    public void WriteErrorLine(string format, params object[] arg) => Error.WriteLine(Render(format, arg));

    public void Write(string value) => Output.Write(redactor.Redact(value));

    public void WriteLine(string value) => Output.WriteLine(redactor.Redact(value));

    public void WriteError(string value) => Error.Write(redactor.Redact(value));

    public void WriteErrorLine(string value) => Error.WriteLine(redactor.Redact(value));

    public void ResetColor()
    {
    }

    private string Render(string format, object[] args) => redactor.Redact(args.Length == 0 ? format : string.Format(format, args));

    private sealed class RedactingWriter(TextWriter inner, Redactor redactor) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void Write(string? value) => inner.Write(redactor.Redact(value));

        public override void WriteLine(string? value) => inner.WriteLine(redactor.Redact(value));

        public override void Flush() => inner.Flush();
    }
}
