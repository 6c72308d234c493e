using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Scripting;

namespace Build.Host;

/// <summary>Chooses Cake.Cli's script host for the mode: tree, description, dry run or a real run with the host's report and strategy.</summary>
public static class ScriptHostFactory
{
    public static IScriptHost Create<TContext>(
        HostMode mode, CakeEngine engine, ICakeContext cake, HostConsole console, ICakeLog log,
        IEnumerable<TaskEntry> tasks, CancellationToken cancellation, Func<TContext> createContext, string target, bool exclusive)
        where TContext : class, ICakeContext
    {
        switch (mode)
        {
            case HostMode.Tree:
                return new TreeScriptHost(engine, cake, console);
            case HostMode.Description:
                return new DescriptionScriptHost(engine, cake, console.CreateAnsiConsole());
        }

        // Settings are read and checked before any task runs; a bad value stops the run here. What building the context
        // prints (warnings of the settings) waits until the target has said whether standard output is its document's.
        var byName = tasks.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        var document = false;
        TContext context;
        console.Hold();
        try
        {
            context = createContext();
            document = mode == HostMode.Run && byName[target].Instance is IDocumentTarget<TContext> writer && writer.WritesDocument(context);
        }
        finally
        {
            console.Release(document);
        }

        if (mode == HostMode.DryRun)
        {
            foreach (var missing in RunPlan.Missing(RunPlan.For(byName, target, exclusive), context))
            {
                log.Warning("A real run would stop before its first task: {0}", missing);
            }

            return new HostDryRunScriptHost<TContext>(engine, context, log, byName);
        }

        // Fail fast: what any task of the run needs and lacks stops the run before the first task starts.
        RunPlan.Check(RunPlan.For(byName, target, exclusive), context);

        var ansi = console.CreateAnsiConsole();
        var printer = new SkipReasonReportPrinter(new CakeSpectreReportPrinter(ansi), ansi, byName);
        var strategy = new HostExecutionStrategy(new DefaultExecutionStrategy(log, printer), log, byName, cancellation);
        return new BuildScriptHost<TContext>(engine, strategy, context, printer, cake.Configuration, log);
    }
}
