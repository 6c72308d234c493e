using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Build.Host;
using Build.Processes;
using Build.Secrets;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Path = System.IO.Path;

namespace Build.Tests.Processes;

public sealed class CommandRunnerTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("command-runner-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static CommandRunner Runner(Redactor? redactor = null, CancellationToken cancellation = default)
    {
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var context = CakeContextFactory.Create(environment, new NullLog(), HostOptions.Parse([]));
        return new CommandRunner(context, redactor ?? new Redactor(), cancellation);
    }

    private static ProcessArgumentBuilder Shell(string script) => new ProcessArgumentBuilder().Append("-c").AppendQuoted(script);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Secret NewSecret(string prefix = "glpat-") => new(prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));

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
        redactor.Add(new Secret("glrt-very-secret-token"), "GITLAB_RUNNER_TOKEN");
        var file = Path.Combine(_work, "token.txt");
        File.WriteAllText(file, "glrt-very-secret-token");

        var result = Runner(redactor).Run("sh", Shell($"echo token=$(cat {file}) >&2; exit 3"));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("token=***", result.StandardError);
    }

    [Fact]
    public void A_command_over_its_time_is_stopped_and_named()
    {
        var pidFile = Path.Combine(_work, "pid");
        var started = DateTime.UtcNow;

        var error = Assert.Throws<CommandException>(() =>
            Runner().Run("sh", Shell($"echo $$ > {pidFile}; exec sleep 60"), new CommandOptions { Timeout = TimeSpan.FromSeconds(2) }));

        Assert.Contains("'sh -c", error.Message);
        Assert.Contains("did not finish within 2 s and was stopped", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the timeout did not stop the command");
        // Killed processes take a moment to be reaped; a live one would sleep for a minute.
        var pid = File.ReadAllText(pidFile).Trim();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Directory.Exists("/proc/" + pid) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.False(Directory.Exists("/proc/" + pid), $"the command (pid {pid}) is still running after its timeout");
    }

    [Fact]
    public void A_missing_tool_says_what_to_install()
    {
        var error = Assert.Throws<CommandException>(() => Runner().Run("no-such-tool-ecrlab", new ProcessArgumentBuilder()));

        Assert.Contains("'no-such-tool-ecrlab' was not found on PATH", error.Message);
    }

    [Fact]
    public void A_secret_reaches_the_child_through_standard_input()
    {
        var secret = NewSecret();

        var result = Runner().Run("sh", Shell("tr -d '\\n' | sha256sum | cut -d' ' -f1"), new CommandOptions { StandardInput = secret });

        Assert.True(result.Succeeded, result.StandardError);
        Assert.Equal(Sha256(secret.Reveal()), result.StandardOutput.Trim());
    }

    [Fact]
    public void A_secret_reaches_the_child_through_its_secret_environment()
    {
        var secret = NewSecret("aws/");
        var redactor = new Redactor();
        redactor.Add(secret, "AWS_SECRET_ACCESS_KEY");

        var result = Runner(redactor).Run("sh", Shell("printf %s \"$AWS_SECRET_ACCESS_KEY\" | sha256sum | cut -d' ' -f1"),
            new CommandOptions { SecretEnvironment = new Dictionary<string, Secret> { ["AWS_SECRET_ACCESS_KEY"] = secret } });

        Assert.Equal(Sha256(secret.Reveal()), result.StandardOutput.Trim());
    }

    [Fact]
    public void A_child_inherits_no_registered_secret_and_no_variable_holding_one()
    {
        // Unique names: the test process's environment is shared with tests running in parallel.
        var secret = NewSecret();
        var named = "ECRLAB_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var holder = "ECRLAB_TEST_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var redactor = new Redactor();
        redactor.Add(secret, named);
        Environment.SetEnvironmentVariable(named, secret.Reveal());
        Environment.SetEnvironmentVariable(holder, $"https://oauth2:{secret.Reveal()}@gitlab.example");
        try
        {
            var result = Runner(redactor).Run("sh", Shell($"echo \"named=${{{named}-unset}} holder=${{{holder}-unset}} home=${{HOME:+set}}\""));

            Assert.Equal("named=unset holder=unset home=set", result.StandardOutput.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable(named, null);
            Environment.SetEnvironmentVariable(holder, null);
        }
    }

    [Fact]
    public void Aws_key_material_and_secret_settings_are_removed_from_what_a_child_inherits()
    {
        var redactor = new Redactor();
        redactor.Add(new Secret("glpat-abcdefghijklmnop"), "GITLAB_TOKEN");
        IDictionary inherited = new Hashtable { ["AWS_SECRET_ACCESS_KEY"] = "x", ["GITLAB_TOKEN"] = "glpat-abcdefghijklmnop", ["PATH"] = "/usr/bin" };

        var variables = ChildEnvironment.For(new CommandOptions { Environment = new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///run/d.sock" } }, redactor, inherited);

        Assert.Null(variables["AWS_ACCESS_KEY_ID"]);
        Assert.Null(variables["AWS_SECRET_ACCESS_KEY"]);
        Assert.Null(variables["AWS_SESSION_TOKEN"]);
        Assert.Null(variables["GITLAB_TOKEN"]);
        Assert.Equal("unix:///run/d.sock", variables["DOCKER_HOST"]);
        Assert.False(variables.ContainsKey("PATH"), "a harmless variable is inherited as it is, not set again");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("base64")]
    [InlineData("url")]
    public void A_command_whose_arguments_hold_a_secret_is_refused_before_it_starts(string form)
    {
        var secret = new Secret("glpat-Secret+Value/0123456789");
        var redactor = new Redactor();
        redactor.Add(secret, "GITLAB_TOKEN");
        var marker = Path.Combine(_work, "started");
        var shown = form switch
        {
            "base64" => Convert.ToBase64String(Encoding.UTF8.GetBytes("oauth2:" + secret.Reveal())),
            "url" => Uri.EscapeDataString(secret.Reveal()),
            _ => secret.Reveal(),
        };

        var error = Assert.Throws<SecretInArgumentsException>(() => Runner(redactor).Run("sh", Shell($"touch {marker}; echo {shown}")));

        Assert.Contains("Refused to start 'sh'", error.Message);
        Assert.Contains("GITLAB_TOKEN", error.Message);
        Assert.DoesNotContain(secret.Reveal(), error.Message);
        Assert.False(File.Exists(marker), "the process was started");
    }

    [Fact]
    public void Secret_output_is_returned_only_as_a_secret_and_a_result_never_prints_its_streams()
    {
        var token = NewSecret("ecr-token-");

        var result = Runner().Run("sh", Shell($"echo {token.Reveal()}; echo to-stderr >&2"), new CommandOptions { SecretOutput = true });

        Assert.Equal(string.Empty, result.StandardOutput);
        Assert.Equal(token.Reveal(), result.SecretOutput!.Reveal());
        Assert.Equal("exit code 0", result.ToString());
        Assert.DoesNotContain(token.Reveal(), $"{result} {result.SecretOutput}");
    }

    [Fact]
    public void Secret_output_is_not_logged_even_at_diagnostic_verbosity()
    {
        // Cake logs every output line of a child at diagnostic verbosity, before this program could know the token.
        var token = NewSecret("ecr-token-");
        var log = new RecordingLog();
        var context = CakeContextFactory.Create(new CakeEnvironment(new CakePlatform(), new CakeRuntime()), log, HostOptions.Parse([]));

        var result = new CommandRunner(context, new Redactor(), default).Run("sh", Shell($"echo {token.Reveal()}; echo plain-line"), new CommandOptions { SecretOutput = true });

        Assert.Equal(token.Reveal() + "\nplain-line", result.SecretOutput!.Reveal());
        Assert.DoesNotContain(token.Reveal(), log.Text);
    }

    private sealed class RecordingLog : ICakeLog
    {
        private readonly StringBuilder _text = new();

        public Verbosity Verbosity { get; set; } = Verbosity.Diagnostic;

        public string Text => _text.ToString();

        public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args) => _text.AppendLine(string.Format(format, args));
    }
}
