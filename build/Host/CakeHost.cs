using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Build.Settings;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Scripting;
using Cake.Core.Tooling;

namespace Build.Host;

/// <summary>Exit codes of the host.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}

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

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public DirectoryPath? Root { get; init; }

    /// <summary>Runs with Ctrl-C and SIGTERM wired to cancellation; returns the process exit code.</summary>
    public async Task<int> RunAsync(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        void Cancel(PosixSignalContext signal)
        {
            // The first signal cancels cleanly; a second one ends the process the default way.
            if (!cancellation.IsCancellationRequested)
            {
                signal.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await RunAsync(args, cancellation.Token);
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellation)
    {
        var options = HostOptions.Parse(args);
        var redactor = new Redactor();
        var console = new HostConsole(Output, Error, HostConsole.ColourWanted(Environment, Console.IsOutputRedirected), redactor);
        var log = new CakeBuildLog(console, options.Verbosity);

        if (options.Problems.Count > 0)
        {
            log.Error("{0}", string.Join(System.Environment.NewLine, options.Problems));
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

        var target = options.Target ?? defaultTarget;
        if (options.Mode == HostMode.Help)
        {
            HelpPrinter.Write(console, tasks, defaultTarget);
            return ExitCodes.Success;
        }

        if (options.Mode == HostMode.Version)
        {
            console.WriteLine("{0} (Cake engine {1})", VersionOf(typeof(TContext).Assembly), VersionOf(typeof(CakeEngine).Assembly));
            return ExitCodes.Success;
        }

        var task = tasks.FirstOrDefault(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase));
        if (task is null)
        {
            log.Error("The target \"{0}\" does not exist. Valid targets: {1}.", target, string.Join(", ", tasks.Select(t => t.Name).Order(StringComparer.Ordinal)));
            return ExitCodes.Usage;
        }

        target = task.Name;
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var invocationDirectory = environment.WorkingDirectory;
        var root = Root ?? FindRoot(Environment, invocationDirectory);
        environment.WorkingDirectory = root;
        var cake = CreateCakeContext(environment, log, options);
        var host = new HostContext(cake, options, root, invocationDirectory, redactor, Environment, cancellation);

        try
        {
            var engine = new CakeEngine(cake.Data as ICakeDataService ?? throw new InvalidOperationException("Cake's data service is missing."), log);
            Register(engine, tasks, target, log);
            var scriptHost = CreateScriptHost(options.Mode, engine, cake, console, log, tasks, cancellation, host);
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
            log.Error("Fix these in the arguments, the environment or .env, then run again. Nothing was changed.");
            return ExitCodes.Usage;
        }
        catch (Exception ex)
        {
            var error = ex is CakeException { InnerException: { } inner } ? inner : ex;
            log.Error("Error: {0}", options.Verbosity >= Verbosity.Diagnostic ? error.ToString() : error.Message);
            return ExitCodes.Failed;
        }
    }

    internal static ICakeContext CreateCakeContext(CakeEnvironment environment, ICakeLog log, HostOptions options)
    {
        var fileSystem = new FileSystem();
        var globber = new Globber(fileSystem, environment);
        var configuration = new CakeConfigurationProvider(fileSystem, environment)
            .CreateConfiguration(environment.WorkingDirectory, options.Arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase));
        var repository = new ToolRepository(environment);
        var tools = new ToolLocator(environment, repository, new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        var processes = new ProcessRunner(fileSystem, environment, log, tools, configuration);
        var arguments = new CakeArguments(options.Arguments.ToLookup(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase));
        var installer = new ToolInstaller(environment, tools, configuration, log, []);
        return new CakeContext(fileSystem, environment, globber, log, arguments, processes, new WindowsRegistry(), tools, new CakeDataService(), configuration, installer, new EmptyServices());
    }

    private static void Register(CakeEngine engine, IEnumerable<TaskEntry> tasks, string target, ICakeLog log)
    {
        foreach (var entry in tasks)
        {
            var builder = engine.RegisterTask(entry.Name).Description(entry.Description);
            foreach (var dependency in entry.Dependencies)
            {
                builder.IsDependentOn(dependency);
            }

            var task = entry.Instance;
            if (entry.Name == target)
            {
                // Cake fails a run whose target's criteria are false ("could not reach target"); a target
                // with nothing to do must succeed instead, so the target decides inside its action.
                builder.Does(async context =>
                {
                    if (task.ShouldRun(context))
                    {
                        await task.RunAsync(context);
                    }
                    else
                    {
                        log.Information("Skipping task {0}: {1}", entry.Name, task.SkipReason ?? "nothing to do");
                    }
                });
            }
            else
            {
                builder.WithCriteria(task.ShouldRun, "ShouldRun returned false").Does(task.RunAsync);
            }

            builder
                .OnError((ex, context) =>
                {
                    // The task's hook runs, and the failure still fails the build.
                    task.OnError(ex, context);
                    ExceptionDispatchInfo.Capture(ex).Throw();
                })
                .Finally(task.Finally);
        }
    }

    private IScriptHost CreateScriptHost(
        HostMode mode, CakeEngine engine, ICakeContext cake, HostConsole console, ICakeLog log,
        IEnumerable<TaskEntry> tasks, CancellationToken cancellation, HostContext host)
    {
        switch (mode)
        {
            case HostMode.Tree:
                return new TreeScriptHost(engine, cake, console);
            case HostMode.Description:
                return new DescriptionScriptHost(engine, cake, console.CreateAnsiConsole());
        }

        // Settings are read and checked before any task runs; a bad value stops the run here.
        var context = createContext(host);
        if (mode == HostMode.DryRun)
        {
            return new DryRunScriptHost<TContext>(engine, context, log);
        }

        var byName = tasks.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        var printer = new SkipReasonReportPrinter(new CakeSpectreReportPrinter(console.CreateAnsiConsole()), byName);
        var strategy = new HostExecutionStrategy(new DefaultExecutionStrategy(log, printer), log, byName, cancellation);
        return new BuildScriptHost<TContext>(engine, strategy, context, printer, cake.Configuration, log);
    }

    private static DirectoryPath FindRoot(Func<string, string?> environment, DirectoryPath start)
    {
        if (environment("BUILD_ROOT") is { Length: > 0 } configured)
        {
            return new DirectoryPath(configured);
        }

        for (var directory = new DirectoryInfo(start.FullPath); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "build", "Build.csproj")))
            {
                return new DirectoryPath(directory.FullName);
            }
        }

        return start;
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
