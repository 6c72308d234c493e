using Build.Secrets;
using Cake.Core.Diagnostics;

namespace Build.Host;

public enum HostMode
{
    Run,
    DryRun,
    Tree,
    Description,
    Help,
    Version,
}

/// <summary>The host's own switches (Cake's names and aliases) and every other <c>--name=value</c> for the settings.</summary>
public sealed record HostOptions(
    string? Target,
    HostMode Mode,
    bool Exclusive,
    Verbosity Verbosity,
    IReadOnlyDictionary<string, string> Arguments,
    IReadOnlyList<string> Problems)
{
    private static readonly string[] Flags =
        ["dryrun", "noop", "whatif", "tree", "description", "descriptions", "showdescription", "exclusive", "e", "help", "h", "version", "ver"];

    public static HostOptions Parse(IReadOnlyList<string> args)
    {
        string? target = null;
        var mode = HostMode.Run;
        var exclusive = false;
        var verbosity = Verbosity.Normal;
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();

        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith('-') || token == "-" || token == "--")
            {
                // Cake's CLI takes a bare word as the script name; here there is no script, so it is the target.
                if (target is null && !token.StartsWith('-'))
                {
                    target = token;
                }
                else
                {
                    problems.Add($"unexpected argument {Echo.Word(token)}");
                }

                continue;
            }

            var body = token.TrimStart('-');
            var eq = body.IndexOf('=');
            var name = (eq >= 0 ? body[..eq] : body).ToLowerInvariant();
            string? value = eq >= 0 ? body[(eq + 1)..] : null;
            if (value is null && !Flags.Contains(name) && i + 1 < args.Count && !args[i + 1].StartsWith('-'))
            {
                value = args[++i];
            }

            switch (name)
            {
                case "target" or "t":
                    target = value;
                    break;
                case "verbosity" or "v":
                    if (!VerbosityParser.TryParse(value ?? string.Empty, out verbosity))
                    {
                        problems.Add($"--verbosity=\"{value}\" is not valid; accepted: quiet, minimal, normal, verbose, diagnostic (or q, m, n, v, d)");
                    }

                    break;
                case "dryrun" or "noop" or "whatif":
                    mode = IsTrue(value) ? HostMode.DryRun : mode;
                    break;
                case "tree":
                    mode = IsTrue(value) ? HostMode.Tree : mode;
                    break;
                case "description" or "descriptions" or "showdescription":
                    mode = IsTrue(value) ? HostMode.Description : mode;
                    break;
                case "exclusive" or "e":
                    exclusive = IsTrue(value);
                    break;
                case "help" or "h":
                    mode = HostMode.Help;
                    break;
                case "version" or "ver":
                    mode = HostMode.Version;
                    break;
                default:
                    arguments[name] = value ?? "true";
                    break;
            }
        }

        if (mode is HostMode.Help or HostMode.Version)
        {
            problems.Clear();
        }

        return new HostOptions(target, mode, exclusive, verbosity, arguments, problems);
    }

    private static bool IsTrue(string? value) => value is null || !value.Equals("false", StringComparison.OrdinalIgnoreCase);
}
