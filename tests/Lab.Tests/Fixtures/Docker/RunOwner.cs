using System.Text.RegularExpressions;

namespace Lab.Fixtures.Docker;

/// <summary>
/// Who owns a lab entry on the host (an /etc/hosts line, a certs.d folder): the run id and the pid of its test
/// process, written as <c>ecrlab-… pid=N</c>. An entry is a leftover when its pid is no live process
/// (the rule tests/lab/teardown.sh applies to the <c>ecrlab.pid</c> label of containers, networks and volumes).
/// </summary>
public sealed partial record RunOwner(string RunId, int Pid)
{
    public static RunOwner Current(string runId) => new(runId, Environment.ProcessId);

    /// <summary>Whether the owning process still runs. An entry without a readable owner counts as a dead run's.</summary>
    public static bool IsAlive(RunOwner? owner) => owner is not null && Directory.Exists($"/proc/{owner.Pid}");

    /// <summary>The owner written somewhere in <paramref name="text"/>, or null when there is none.</summary>
    public static RunOwner? Find(string text) =>
        Pattern().Match(text) is { Success: true } m ? new RunOwner(m.Groups["run"].Value, int.Parse(m.Groups["pid"].Value)) : null;

    public override string ToString() => $"{RunId} pid={Pid}";

    [GeneratedRegex(@"(?<run>ecrlab-[0-9a-z-]+) pid=(?<pid>[0-9]{1,9})\b")]
    private static partial Regex Pattern();
}
