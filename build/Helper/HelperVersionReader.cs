using System.Text.RegularExpressions;
using Build.Aws;
using Build.Processes;

namespace Build.Helper;

/// <summary>The version a helper binary reports (null: none could be read, so it is unverified) and how it was read or why not.</summary>
public sealed record ReportedVersion(string? Version, string How);

/// <summary>
/// Reads the version a docker-credential-ecr-login binary reports: a binary for this machine is run with <c>-v</c>
/// (then <c>version</c>) the way the build runs helpers (environment without secrets, a throwaway HOME, no AWS
/// configuration, instance metadata off); a binary it cannot run, or one that printed no version, is read for the
/// version stamped into it (<see cref="GoVersionStamp"/>).
/// </summary>
public sealed partial class HelperVersionReader(CommandRunner commands)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // -v prints "Version:    0.8.0" in every release.
    [GeneratedRegex(@"^Version:[ \t]*(\S{1,64})[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DashV();

    // "version" names the helper only in this form; older releases print a bare version there, which is that of
    // the docker-credential-helpers library (0.6.4 from Debian's 0.6.0 helper), not the helper's.
    [GeneratedRegex(@"^docker-credential-ecr-login \([^)]*\) (\S{1,64})[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex VersionVerb();

    public ReportedVersion Read(string binary, HelperPlatform platform)
    {
        string why;
        if (OperatingSystem.IsLinux() && platform == HelperLocation.Host)
        {
            var (version, said) = Run(binary);
            if (version is not null)
            {
                return new ReportedVersion(version, said);
            }

            why = said;
        }
        else
        {
            why = $"a {platform} binary cannot run on this {HelperLocation.Host} machine";
        }

        return GoVersionStamp.Read(binary) is { } stamp
            ? new ReportedVersion(stamp, "read from the version stamped into it")
            : new ReportedVersion(null, why + ", and it holds no version stamp this build can read");
    }

    /// <summary>The version printed for <c>-v</c> (or <c>version</c>) by a helper's standard output, or null.</summary>
    public static string? Parse(string verb, string output) =>
        (verb == "-v" ? DashV() : VersionVerb()).Match(output.Replace("\r", string.Empty, StringComparison.Ordinal)) is { Success: true } m ? m.Groups[1].Value : null;

    private (string? Version, string Said) Run(string binary)
    {
        var home = Directory.CreateTempSubdirectory("helper-version-").FullName;
        try
        {
            var options = new CommandOptions
            {
                Timeout = Timeout,
                Environment = new Dictionary<string, string>
                {
                    ["HOME"] = home,
                    ["AWS_ECR_CACHE_DIR"] = Path.Combine(home, ".ecr"),
                    ["AWS_EC2_METADATA_DISABLED"] = "true",
                    ["AWS_CONFIG_FILE"] = Path.Combine(home, "no-config"),
                    ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "no-credentials"),
                },
                RemoveEnvironment = [.. RunnerCredentials.ForeignAwsVariables, "AWS_PROFILE", "AWS_REGION", "AWS_CA_BUNDLE"],
            };
            var said = new List<string>();
            foreach (var verb in new[] { "-v", "version" })
            {
                var result = commands.Run(binary, Arguments.Of(verb), options);
                if (result.Succeeded && Parse(verb, result.StandardOutput) is { } version)
                {
                    return (version, $"its {verb} says so");
                }

                said.Add($"'{verb}' exited {result.ExitCode}{(result.Succeeded ? " without a version" : string.Empty)}");
            }

            return (null, "it printed no version (" + string.Join(", ", said) + ")");
        }
        catch (CommandException ex)
        {
            return (null, "it could not be run: " + ex.Message);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
