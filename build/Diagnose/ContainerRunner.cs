using System.Security.Cryptography;
using System.Text.Json;
using Build.Aws;
using Build.Docker;
using Build.Helper;
using Build.Processes;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>
/// The runner process in a container: its environment as docker inspect shows it (what the process started with),
/// everything else through <c>docker exec</c>, which runs with that environment, PATH, HOME and user, as the runner
/// runs the helper. A <c>get</c> or <c>-v</c> gets a throwaway AWS_ECR_CACHE_DIR under /tmp, removed afterwards, so the
/// runner's own cache is never touched and the helper's log can be read.
/// </summary>
public sealed class ContainerRunner : IRunnerProcess
{
    private readonly DockerCli _docker;
    private readonly DockerCli _cleanup;
    private readonly Redactor _redactor;
    private readonly string _container;

    private ContainerRunner(DockerCli docker, Redactor redactor, string container, HelperPlatform? platform)
    {
        _docker = docker;
        _cleanup = docker.WithoutCancellation();
        _redactor = redactor;
        _container = container;
        Platform = platform;
        Environment = RunnerEnvironment.Read(docker.ContainerEnvironment(container), redactor, "the runner container's");
        var who = Exec("sh", "-c", "printf '%s\\n' \"$HOME\"; id -u");
        var lines = who.Succeeded ? who.StandardOutput.Split('\n', StringSplitOptions.TrimEntries) : [];
        Home = lines.Length > 0 && lines[0].Length > 0 ? lines[0] : Environment.GetValueOrDefault("HOME");
        UserId = lines.Length > 1 && int.TryParse(lines[1], out var uid) ? uid : null;
    }

    /// <summary>The container as docker ps shows it: a name, or a full id cut to its first 12 digits.</summary>
    public string Where => $"in the container {(_container.Length == 64 && _container.All(char.IsAsciiHexDigitLower) ? _container[..12] : _container)}";

    public bool InContainer => true;

    public IReadOnlyDictionary<string, string> Environment { get; }

    public string? Home { get; }

    public int? UserId { get; }

    public HelperPlatform? Platform { get; }

    /// <summary>The runner's running container; a <see cref="BuildFailure"/> when docker does not know it or it does not run.</summary>
    public static ContainerRunner Open(DockerCli docker, Redactor redactor, string container, HelperPlatform? platform)
    {
        var status = docker.ContainerStatus(container);
        if (status.Length == 0)
        {
            throw new BuildFailure($"DIAGNOSE_CONTAINER = {container}: docker knows no such container", "set it to the name or id of the runner's running container (docker ps --format '{{.Names}}'), or unset it when the runner runs on this host");
        }

        return status == "running"
            ? new ContainerRunner(docker, redactor, container, platform)
            : throw new BuildFailure($"DIAGNOSE_CONTAINER = {container} is {status}, not running: its helper, PATH and HOME can only be looked at while it runs", $"start it (docker start {container}), then run Diagnose again");
    }

    public string? Which(string program)
    {
        var found = Exec("sh", "-c", "command -v \"$1\"", "sh", program);
        var path = found.Succeeded ? found.StandardOutput.Trim() : string.Empty;
        return path.StartsWith('/') ? path : null;
    }

    public FoundHelper Inspect(string path)
    {
        var cache = Throwaway();
        CommandResult run;
        try
        {
            run = _docker.Exec(new ExecSpec(_container, [path, "-v"]) { Environment = ["AWS_ECR_CACHE_DIR=" + cache], Timeout = TimeSpan.FromSeconds(15) });
        }
        finally
        {
            _cleanup.Exec(new ExecSpec(_container, ["rm", "-rf", cache]));
        }

        var version = run.Succeeded ? HelperVersionReader.Parse("-v", run.StandardOutput) : null;
        var real = Exec("readlink", "-f", path) is { Succeeded: true } link && link.StandardOutput.Trim() is { Length: > 0 } target ? target : path;
        var copy = Directory.CreateTempSubdirectory("diagnose-helper-").FullName;
        try
        {
            var file = Path.Combine(copy, "helper");
            var copied = _docker.Copy($"{_container}:{real}", file).Succeeded && File.Exists(file);
            var linking = !copied ? "(it could not be copied out to be read)" : Platform is null ? null : StaticElf.Problem(file, Platform);
            version ??= copied ? GoVersionStamp.Read(file) : null;
            var said = run.Succeeded ? null : $"exit {run.ExitCode}: {FirstLine(run.StandardError + "\n" + run.StandardOutput)}";
            return new FoundHelper(path, run.Succeeded, said, version, linking);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    public string? ReadFile(string path) => Exec("cat", path) is { Succeeded: true } read ? read.StandardOutput : null;

    public bool Readable(string path) => Exec("sh", "-c", "test -f \"$1\" && test -r \"$1\"", "sh", path).Succeeded;

    public bool? CanWrite(string folder)
    {
        // The nearest folder that exists decides: the helper creates the rest (mode 0700).
        var test = Exec("sh", "-c", "d=$1; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; if [ -d \"$d\" ] && [ -w \"$d\" ]; then echo yes; else echo no; fi", "sh", folder);
        return test.Succeeded ? test.StandardOutput.Trim() == "yes" : null;
    }

    public string? RunnerVersionText() => Exec("gitlab-runner", "--version") is { Succeeded: true } run ? run.StandardOutput : null;

    public HelperAnswer? Get(string helper, string host)
    {
        var get = new ContainerHelperGet(_docker, _redactor).Get(_container, helper, host, Throwaway());
        if (get.Succeeded)
        {
            return new HelperAnswer(true, string.Empty, null);
        }

        var said = get.NotRun || get.ExitCode is 126 or 127 ? $"it could not be run (exit {get.ExitCode}: {FirstLine(get.NotRunMessage ?? get.StandardError)})" : $"exited {get.ExitCode}";
        return new HelperAnswer(false, get.LogErrors.Length > 0 ? $"{said}; its log: {get.LogErrors}" : $"{said} and logged no error", AwsFailure.Recognise(get.LogErrors + get.StandardError));
    }

    private CommandResult Exec(params string[] command) => _docker.Exec(new ExecSpec(_container, command) { Timeout = TimeSpan.FromSeconds(30) });

    private static string Throwaway() => "/tmp/gitlab-runner-ecr-diagnose-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));


    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
