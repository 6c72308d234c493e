using Build.Docker;
using Build.Host;
using Build.Settings;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;

namespace Build.Tests.Docker;

public sealed class CommandRunnerTests
{
    private static CommandRunner Runner(Redactor? redactor = null, CancellationToken cancellation = default)
    {
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var context = CakeHost<BuildContext>.CreateCakeContext(environment, new NullLog(), HostOptions.Parse([]));
        return new CommandRunner(context, redactor ?? new Redactor(), cancellation);
    }

    private static ProcessArgumentBuilder Shell(string script) => new ProcessArgumentBuilder().Append("-c").AppendQuoted(script);

    [Fact]
    public void Every_line_a_short_lived_command_prints_is_returned_on_every_run()
    {
        // A process that exits at once races the reader of its redirected output; a run that returns
        // before the output is drained loses lines (Doctor once read "no output" from a healthy daemon).
        var runner = Runner();
        for (var run = 0; run < 200; run++)
        {
            var result = runner.Run("sh", Shell("echo out-first; echo err-only >&2; echo out-last"));

            Assert.True(result.Succeeded);
            Assert.Equal("out-first\nout-last", result.StandardOutput);
            Assert.Equal("err-only", result.StandardError);
        }
    }

    [Fact]
    public void A_long_output_arrives_whole()
    {
        var result = Runner().Run("sh", Shell("seq 1 20000"));

        var lines = result.StandardOutput.Split('\n');
        Assert.Equal(20000, lines.Length);
        Assert.Equal("20000", lines[^1]);
    }

    [Fact]
    public void The_exit_code_is_returned_and_outputs_are_redacted()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret("glrt-very-secret-token"));

        var result = Runner(redactor).Run("sh", Shell("echo token=glrt-very-secret-token >&2; exit 3"));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("token=***", result.StandardError);
    }

    [Fact]
    public void A_command_over_its_time_is_stopped_and_named()
    {
        var started = DateTime.UtcNow;

        var error = Assert.Throws<CommandException>(() => Runner().Run("sh", Shell("sleep 30"), TimeSpan.FromMilliseconds(300)));

        Assert.Contains("did not finish within", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the timeout did not stop the command");
    }

    [Fact]
    public void A_missing_tool_says_what_to_install()
    {
        var error = Assert.Throws<CommandException>(() => Runner().Run("no-such-tool-ecrlab", new ProcessArgumentBuilder()));

        Assert.Contains("'no-such-tool-ecrlab' was not found on PATH", error.Message);
    }
}
