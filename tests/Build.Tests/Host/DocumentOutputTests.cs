using Build.Host;
using Build.Secrets;
using Cake.Common.Diagnostics;
using Cake.Core.IO;

namespace Build.Tests.Host;

/// <summary>A target whose document takes standard output (Diagnose's JSON): everything else the host prints goes to standard error.</summary>
public sealed class DocumentOutputTests
{
    [Fact]
    public async Task A_document_run_has_the_document_alone_on_standard_output_and_the_host_s_lines_on_standard_error()
    {
        // Given a target that writes a document when asked to (--document=true), and a warning printed while the context is built
        var run = await RunAsync("--target=Document", "--document=true");

        // Then standard output is exactly the document (a secret in it masked), and the warning, the task's log, its header and the report are on standard error
        Assert.Equal(0, run.Code);
        Assert.Equal("{\"document\": \"***\"}\n", run.Output);
        Assert.Contains("a warning while the settings are read", run.Error);
        Assert.Contains("a log line of the task", run.Error);
        Assert.Contains("Total:", run.Error);
    }

    [Fact]
    public async Task A_run_without_the_document_prints_as_every_run_does()
    {
        var run = await RunAsync("--target=Document");

        Assert.Equal(0, run.Code);
        Assert.Contains("a warning while the settings are read", run.Output);
        Assert.Contains("a log line of the task", run.Output);
        Assert.Contains("Total:", run.Output);
        Assert.DoesNotContain("document", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task A_failing_document_run_keeps_standard_output_to_the_document_and_the_error_on_standard_error()
    {
        var run = await RunAsync("--target=Document", "--document=true", "--fail=true");

        Assert.Equal(ExitCodes.Failed, run.Code);
        Assert.Equal("{\"document\": \"***\"}\n", run.Output);
        Assert.Contains("Document: the document says so", run.Error);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CakeHost<RecordingContext>([typeof(DocumentTask)], h =>
        {
            var context = new RecordingContext(h);
            context.Warning("a warning while the settings are read");
            return context;
        }, defaultTarget: "Document")
        {
            Output = output,
            Error = error,
            EnvironmentVariables = name => name == "NO_COLOR" ? "1" : null,
            Root = new DirectoryPath(System.IO.Path.GetTempPath()),
        };
        var code = await host.RunAsync(args, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [TaskName("Document")]
    [TaskDescription("Writes a document when --document=true.")]
    private sealed class DocumentTask : FrostingTask<RecordingContext>, IDocumentTarget<RecordingContext>
    {
        public bool WritesDocument(RecordingContext context) => context.Arguments.HasArgument("document");

        public override void Run(RecordingContext context)
        {
            context.Information("a log line of the task");
            if (WritesDocument(context))
            {
                context.Redactor.Add(new Secret("document-secret-value"));
                context.StandardOutput.Write("{\"document\": \"document-secret-value\"}\n");
            }

            if (context.Arguments.HasArgument("fail"))
            {
                throw new BuildFailure("the document says so", "nothing");
            }
        }
    }
}
