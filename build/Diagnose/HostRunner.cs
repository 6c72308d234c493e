using System.Runtime.InteropServices;
using Build.Aws;
using Build.Helper;
using Build.Processes;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>
/// The runner process on this host, seen with this process's environment and user (a runner service may have another
/// HOME and environment: the checks say so). The helper runs with that environment, a throwaway cache and log folder
/// (removed afterwards), and the AWS variables of the environment given, no others.
/// </summary>
public sealed partial class HostRunner(CommandRunner commands, Redactor redactor, IReadOnlyDictionary<string, string> environment, int userId) : IRunnerProcess
{
    public string Where => "on this host";

    public bool InContainer => false;

    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    public string? Home => Environment.GetValueOrDefault("HOME") is { Length: > 0 } home ? home : null;

    public int? UserId { get; } = userId >= 0 ? userId : null;

    public HelperPlatform? Platform => HelperLocation.Host;

    public string? Which(string program) =>
        (Environment.GetValueOrDefault("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(path => File.Exists(path) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    public FoundHelper Inspect(string path)
    {
        var home = Directory.CreateTempSubdirectory("diagnose-helper-").FullName;
        try
        {
            var run = commands.Run(path, Arguments.Of("-v"), new CommandOptions
            {
                Timeout = TimeSpan.FromSeconds(15),
                Environment = new Dictionary<string, string> { ["HOME"] = home, ["AWS_ECR_CACHE_DIR"] = Path.Combine(home, ".ecr") },
            });
            var version = run.Succeeded ? HelperVersionReader.Parse("-v", run.StandardOutput) : null;
            var said = run.Succeeded ? null : $"exit {run.ExitCode}: {run.StandardError.Split('\n').FirstOrDefault()?.Trim()}";
            return new FoundHelper(path, run.Succeeded, said, version ?? GoVersionStamp.Read(path), StaticElf.Problem(path, HelperLocation.Host));
        }
        catch (Exception ex) when (ex is CommandException or System.ComponentModel.Win32Exception)
        {
            return new FoundHelper(path, false, ex.Message, GoVersionStamp.Read(path), StaticElf.Problem(path, HelperLocation.Host));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    public string? ReadFile(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool Readable(string path) => File.Exists(path) && Access(path, 4) == 0;

    public bool? CanWrite(string folder)
    {
        var path = Path.GetFullPath(folder);
        while (!Path.Exists(path) && Path.GetDirectoryName(path) is { } parent)
        {
            path = parent;
        }

        // W_OK asks the kernel, which knows the user, the mode, ACLs and read-only mounts.
        return Directory.Exists(path) && Access(path, 2) == 0;
    }

    public string? RunnerVersionText()
    {
        if (Which("gitlab-runner") is not { } runner)
        {
            return null;
        }

        try
        {
            return commands.Run(runner, Arguments.Of("--version"), new CommandOptions { Timeout = TimeSpan.FromSeconds(15) }) is { Succeeded: true } run ? run.StandardOutput : null;
        }
        catch (CommandException)
        {
            return null;
        }
    }

    /// <summary>Through Preflight's probe, which takes the hosts the build's registry names know (null for others).</summary>
    public HelperAnswer? Get(string helper, string host)
    {
        if (!EcrRegistry.TryParse(host, out var registry) || registry is null)
        {
            return null;
        }

        var logs = Directory.CreateTempSubdirectory("diagnose-log-").FullName;
        try
        {
            var outcome = new HelperProbe(commands, redactor, helper, Credentials(), () => logs).Get(registry);
            return new HelperAnswer(outcome.Succeeded, outcome.Error ?? string.Empty, outcome.Cause, outcome.ExpiresAt);
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    /// <summary>
    /// The environment's AWS view for the helper: its AWS variables (the keys as secrets), no other AWS variable of
    /// this process, and the shared files under the real HOME named, since the probe gives the helper a throwaway one.
    /// </summary>
    private RunnerCredentials Credentials()
    {
        var plain = Environment.Where(e => e.Key.StartsWith("AWS_", StringComparison.Ordinal) && !ChildEnvironment.AwsKeyVariables.Contains(e.Key))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (Home is { } home)
        {
            plain.TryAdd("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(home, ".aws", "credentials"));
            plain.TryAdd("AWS_CONFIG_FILE", Path.Combine(home, ".aws", "config"));
        }

        var secrets = Environment.Where(e => ChildEnvironment.AwsKeyVariables.Contains(e.Key) && e.Value.Length > 0)
            .ToDictionary(e => e.Key, e => new Secret(e.Value), StringComparer.Ordinal);
        var container = new ContainerCredentials([], plain, secrets);
        return new RunnerCredentials(Settings.CredentialsSource.File, container, container);
    }

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
