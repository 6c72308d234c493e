using YamlDotNet.RepresentationModel;

namespace Lab.Fixtures.Fleet;

/// <summary>
/// Runs a generated cloud-config in a lab worker container the way cloud-init would, as root: every
/// <c>write_files</c> item (content, <c>encoding: b64</c>, permissions), then every <c>runcmd</c> list in order, failing
/// on the first command that fails. What is not cloud-init: the containers have no systemd, so <c>systemctl
/// daemon-reload</c> does nothing, <c>systemctl start &lt;unit&gt;.service</c> runs the unit's ExecStart once with its
/// Environment= lines (plus <paramref name="testEnvironment"/>: the lab's IMDS and CA, which an instance has by
/// itself), and <c>systemctl enable --now &lt;unit&gt;.timer</c> only checks that the timer was written.
/// </summary>
public sealed class CloudInitRunner(string container, IReadOnlyDictionary<string, string> testEnvironment)
{
    /// <summary>What ran, one line per step, with the output of each command.</summary>
    public List<string> Log { get; } = [];

    public async Task RunAsync(string userData, CancellationToken cancel)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        foreach (var file in ((YamlSequenceNode)root.Children[new YamlScalarNode("write_files")]).Cast<YamlMappingNode>())
        {
            var path = Scalar(file, "path")!;
            var content = Scalar(file, "content") ?? string.Empty;
            if (Scalar(file, "encoding") == "b64")
            {
                content = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(content));
            }

            await Checked($"write {path}", ["sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\" && chmod \"$2\" \"$1\"", "sh", path, Scalar(file, "permissions") ?? "0644"], content, cancel);
        }

        foreach (var command in ((YamlSequenceNode)root.Children[new YamlScalarNode("runcmd")]).Cast<YamlSequenceNode>())
        {
            var argv = command.Cast<YamlScalarNode>().Select(s => s.Value!).ToList();
            if (argv[0] != "systemctl")
            {
                await Checked(string.Join(' ', argv), argv, null, cancel);
            }
            else if (argv is [_, "start", var service])
            {
                await RunUnitOnce(service, cancel);
            }
            else if (argv is [_, "enable", "--now", var timer])
            {
                await Checked($"the timer {timer} is written", ["test", "-f", "/etc/systemd/system/" + timer], null, cancel);
            }
            else if (argv is not [_, "daemon-reload"])
            {
                throw new LabException($"the cloud-init stand-in does not know: {string.Join(' ', argv)}");
            }
        }
    }

    private async Task RunUnitOnce(string service, CancellationToken cancel)
    {
        var unit = (await Checked($"read {service}", ["cat", "/etc/systemd/system/" + service], null, cancel)).Output.Split('\n');
        var environment = unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal)).Select(l => l["Environment=".Length..]).Concat(testEnvironment.Select(e => $"{e.Key}={e.Value}"));
        var start = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await Checked($"{service} (ExecStart once)", [.. environment.SelectMany(e => new[] { "-e", e }), .. start], null, cancel, exec: true);
    }

    private async Task<ProcessResult> Checked(string step, IReadOnlyList<string> command, string? input, CancellationToken cancel, bool exec = false)
    {
        // exec: the command already starts with docker exec's own options (-e NAME=value …) before the program.
        var options = exec ? command.TakeWhile((_, i) => i < command.Count && IsOption(command, i)).ToList() : [];
        var program = command.Skip(options.Count).ToList();
        var result = await Cli.RunAsync("docker", ["exec", .. input is null ? [] : new[] { "-i" }, .. options, container, .. program], cancel, standardInput: input);
        Log.Add($"{step}: exit {result.ExitCode} {result.Output.Trim()} {result.Error.Trim()}".Trim());
        return result.Succeeded ? result : throw new LabException($"cloud-init stand-in: '{step}' failed in {container} (exit {result.ExitCode}): {result.Error.Trim()} {result.Output.Trim()}");
    }

    private static bool IsOption(IReadOnlyList<string> command, int index) =>
        command[index] == "-e" || (index > 0 && command[index - 1] == "-e");

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
