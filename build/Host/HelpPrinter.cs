using Build.Settings;
using Cake.Core;

namespace Build.Host;

/// <summary>Writes <c>--help</c>: usage, the targets with their descriptions, the host switches and the settings.</summary>
public static class HelpPrinter
{
    public static void Write(IConsole console, IReadOnlyList<TaskEntry> tasks, string defaultTarget)
    {
        console.WriteLine("Usage: ./build.sh [--target=<name>] [options] [--<setting>=<value> ...]");
        console.WriteLine(string.Empty);
        console.WriteLine("Targets (default: {0}):", defaultTarget);
        var width = tasks.Max(t => t.Name.Length);
        foreach (var task in tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var after = task.Dependencies.Count == 0 ? string.Empty : $" [after {string.Join(", ", task.Dependencies)}]";
            console.WriteLine("  {0}  {1}{2}", task.Name.PadRight(width), task.Description, after);
        }

        console.WriteLine(string.Empty);
        console.WriteLine("Options:");
        console.WriteLine("  --target=<name>, -t       Target to run.");
        console.WriteLine("  --exclusive, -e           Run only the target, not its dependencies.");
        console.WriteLine("  --dryrun                  Show which tasks would run, run none (Clean lists what it would remove).");
        console.WriteLine("  --tree                    Show the dependency tree of the target.");
        console.WriteLine("  --description             Show every task with its description.");
        console.WriteLine("  --verbosity=<level>, -v   quiet, minimal, normal, verbose or diagnostic.");
        console.WriteLine("  --version                 Show the build's and Cake's versions.");
        console.WriteLine("  --help, -h                Show this help.");
        console.WriteLine(string.Empty);
        console.WriteLine("Settings (argument over environment variable over .env.local over .env over default; secrets never as arguments, never in a git-tracked .env):");
        foreach (var setting in SettingCatalog.All)
        {
            var form = setting.IsSecret ? setting.Key + " (env/.env.local only)" : $"{setting.Argument} / {setting.Key}";
            console.WriteLine("  {0}  default: {1}", form, setting.Default ?? "(none)");
            console.WriteLine("      {0}", setting.Description);
        }
    }
}
