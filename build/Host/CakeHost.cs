using System.Reflection;
using Build.Secrets;
using Build.Settings;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;

namespace Build.Host;

/// <summary>
/// A small Cake.Frosting-shaped host on Cake.Core's engine: discovers the task classes of an assembly,
/// registers them into <see cref="CakeEngine"/> and runs them through Cake.Cli's script hosts
/// (run, --dryrun, --tree, --description).
/// </summary>
public sealed class CakeHost<TContext>(IReadOnlyList<Type> taskTypes, Func<HostContext, TContext> createContext, string defaultTarget)
    where TContext : class, ICakeContext
{
    public TextWriter Output { get; init; } = Console.Out;

    public TextWriter Error { get; init; } = Console.Error;

    public Func<string, string?> EnvironmentVariables { get; init; } = Environment.GetEnvironmentVariable;

    public DirectoryPath? Root { get; init; }

    /// <summary>Runs with Ctrl-C and SIGTERM wired to cancellation; returns the process exit code.</summary>
    public Task<int> RunAsync(string[] args) => SignalCancellation.RunAsync(cancellation => RunAsync(args, cancellation));

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellation)
    {
        var options = HostOptions.Parse(args);
        var redactor = new Redactor();
        var console = new HostConsole(Output, Error, HostConsole.ColourWanted(EnvironmentVariables, Console.IsOutputRedirected), redactor);
        var log = new CakeBuildLog(console, options.Verbosity);

        if (options.Problems.Count > 0)
        {
            log.Error("{0}", string.Join(Environment.NewLine, options.Problems));
            log.Error("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        TaskEntry[] tasks;
        try
        {
            tasks = [.. TaskCatalog.Create(taskTypes)];
        }
        catch (InvalidOperationException ex)
        {
            log.Error("The build's task graph is invalid: {0}", ex.Message);
            return ExitCodes.Failed;
        }

        switch (options.Mode)
        {
            case HostMode.Help:
                HelpPrinter.Write(console, tasks, defaultTarget);
                return ExitCodes.Success;
            case HostMode.Version:
                console.WriteLine("{0} (Cake engine {1})", VersionOf(typeof(TContext).Assembly), VersionOf(typeof(CakeEngine).Assembly));
                return ExitCodes.Success;
        }

        var target = options.Target ?? defaultTarget;
        var task = tasks.FirstOrDefault(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase));
        if (task is null)
        {
            log.Error("The target {0} does not exist. Valid targets: {1}.", Echo.Word(target), string.Join(", ", tasks.Select(t => t.Name).Order(StringComparer.Ordinal)));
            return ExitCodes.Usage;
        }

        target = task.Name;
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var invocationDirectory = environment.WorkingDirectory;
        var root = Root ?? RepositoryRoot.Find(EnvironmentVariables, invocationDirectory);
        environment.WorkingDirectory = root;
        var cake = CakeContextFactory.Create(environment, log, options);
        var host = new HostContext(cake, options, root, invocationDirectory, redactor, EnvironmentVariables, cancellation, console.Document);
        var failed = new FailedTask();

        try
        {
            var engine = new CakeEngine(cake.Data as ICakeDataService ?? throw new InvalidOperationException("Cake's data service is missing."), log);
            TaskRegistration.Register(engine, tasks, target, log, failed);
            var scriptHost = ScriptHostFactory.Create(options.Mode, engine, cake, console, log, tasks, cancellation, () => createContext(host), target, options.Exclusive);
            if (options.Exclusive)
            {
                scriptHost.Settings.UseExclusiveTarget();
            }

            await scriptHost.RunTargetAsync(target);
            return cancellation.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
        }
        catch (Exception ex) when (cancellation.IsCancellationRequested)
        {
            log.Error("Cancelled ({0}); stopped before finishing {1}.", ex.GetType().Name, target);
            return ExitCodes.Cancelled;
        }
        catch (SettingsException ex)
        {
            log.Error("{0}", ex.Message);
            log.Error("Fix these in the arguments, the environment, .env.local or .env, then run again. Nothing was changed.");
            return ExitCodes.Usage;
        }
        catch (Exception ex)
        {
            // Cake wraps a task's exception (CakeReportException); the failure the task threw is inside.
            var error = Unwrap(ex);
            var shown = options.Verbosity >= Verbosity.Diagnostic ? error.ToString() : error.Message;
            if (error is BuildFailure)
            {
                log.Error("{0}: {1}", failed.Name ?? target, shown);
            }
            else
            {
                log.Error("Error: {0}", shown);
            }

            return ExitCodes.Failed;
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is BuildFailure)
            {
                return e;
            }
        }

        return ex is CakeException { InnerException: { } inner } ? inner : ex;
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
