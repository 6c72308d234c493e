using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Lab.Fixtures.GitLab;

/// <summary>
/// Scripted pipelines: every project has a repository (branch <c>main</c>, empty), a commit writes files to a branch,
/// and a pipeline started on a branch gets one job per top-level job of its <c>.gitlab-ci.yml</c> (with the
/// <c>default: tags</c>). A test scripts each job by name: how it ends and its log. Jobs move one step per look at the
/// pipeline's jobs (created, pending, running, then the outcome), and leave pending only when a runner fits them, as
/// GitLab's queue decides: not paused, online, of the project (or an instance runner), tags and run_untagged.
/// </summary>
public sealed partial class GitLabEmulator
{
    private static readonly HashSet<string> Reserved = ["variables", "default", "stages", "workflow", "include", "image", "services", "before_script", "after_script", "cache"];
    private readonly ConcurrentDictionary<string, JobScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, EmulatedPipeline> _pipelines = new();
    private readonly ConcurrentDictionary<long, EmulatedRepository> _repositories = new();
    private readonly ConcurrentDictionary<long, RunnerState> _runnerStates = new();

    /// <summary>How the job named <paramref name="name"/> ends in every later pipeline, and what its log says.</summary>
    public void ScriptJob(string name, JobOutcome outcome, string log = "") => _scripts[name] = new JobScript(outcome, log);

    /// <summary>The runner's state as GitLab shows it (paused; online, offline, never_contacted, stale).</summary>
    public void SetRunnerState(long runnerId, bool paused = false, string status = "online") => _runnerStates[runnerId] = new RunnerState(paused, status);

    /// <summary>A project runner made in GitLab with tags (as POST /user/runners makes it).</summary>
    public EmulatedRunner AddProjectRunner(long projectId, IReadOnlyList<string> tags, bool runUntagged = true) =>
        Add(new EmulatedRunner(NextId(), "glrt-" + Random(20), "project runner", projectId, tags, runUntagged, Legacy: false));

    public IReadOnlyCollection<EmulatedPipeline> Pipelines => [.. _pipelines.Values.OrderBy(p => p.Id)];

    /// <summary>The repository of a project (made on first use, with an empty <c>main</c>).</summary>
    public EmulatedRepository Repository(long projectId) => _repositories.GetOrAdd(projectId, _ => new EmulatedRepository());

    internal RunnerState StateOf(long runnerId) => _runnerStates.GetValueOrDefault(runnerId, new RunnerState(false, "online"));

    internal EmulatedRunner? RunnerById(long id) => Runners.FirstOrDefault(r => r.Id == id);

    internal EmulatedPipeline? Pipeline(long projectId, long id) => _pipelines.TryGetValue(id, out var pipeline) && pipeline.ProjectId == projectId ? pipeline : null;

    internal EmulatedPipeline StartPipeline(long projectId, string reference, string yaml)
    {
        var tags = DefaultTags().Match(yaml) is { Success: true } match
            ? match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.Trim('"')).ToList()
            : [];
        var pipeline = new EmulatedPipeline(NextId(), projectId, reference);
        foreach (Match job in TopLevelKey().Matches(yaml))
        {
            var name = job.Groups[1].Value;
            if (!Reserved.Contains(name))
            {
                pipeline.Jobs.Add(new EmulatedJob(NextId(), name, tags, _scripts.GetValueOrDefault(name, new JobScript(JobOutcome.Success, $"$ echo {name}\n{name}\n"))));
            }
        }

        _pipelines[pipeline.Id] = pipeline;
        return pipeline;
    }

    /// <summary>One step of every unfinished job; pending ones move on only when a runner fits them.</summary>
    internal void Advance(EmulatedPipeline pipeline)
    {
        lock (pipeline)
        {
            foreach (var job in pipeline.Jobs)
            {
                job.Status = job.Status switch
                {
                    "created" => "pending",
                    "pending" when job.Script.Outcome != JobOutcome.StaysPending && Runners.Any(r => Fits(r, pipeline.ProjectId, job)) => "running",
                    "running" when job.Script.Outcome == JobOutcome.Success => "success",
                    "running" when job.Script.Outcome == JobOutcome.Failed => "failed",
                    var other => other,
                };
            }
        }
    }

    internal void Cancel(EmulatedPipeline pipeline)
    {
        lock (pipeline)
        {
            foreach (var job in pipeline.Jobs.Where(j => j.Status is "created" or "pending" or "running"))
            {
                job.Status = "canceled";
            }
        }
    }

    private bool Fits(EmulatedRunner runner, long projectId, EmulatedJob job)
    {
        var state = StateOf(runner.Id);
        return !state.Paused && state.Status == "online"
            && (runner.ProjectId is null || runner.ProjectId == projectId)
            && job.Tags.All(runner.Tags.Contains)
            && (job.Tags.Count > 0 || runner.RunUntagged);
    }

    [GeneratedRegex(@"^([A-Za-z0-9_.-]+):\s*$", RegexOptions.Multiline)]
    private static partial Regex TopLevelKey();

    [GeneratedRegex(@"^default:\s*\n\s+tags:\s*\[([^\]]*)\]", RegexOptions.Multiline)]
    private static partial Regex DefaultTags();
}

/// <summary>How a scripted job ends: passes, fails, stays pending (no runner ever takes it), or keeps running.</summary>
public enum JobOutcome
{
    Success,
    Failed,
    StaysPending,
    KeepsRunning,
}

public sealed record JobScript(JobOutcome Outcome, string Log);

public sealed record RunnerState(bool Paused, string Status);

/// <summary>Branches and their files; every commit is recorded (branch, actions) for tests to check.</summary>
public sealed class EmulatedRepository
{
    public ConcurrentDictionary<string, ConcurrentDictionary<string, string>> Branches { get; } =
        new(StringComparer.Ordinal) { ["main"] = new ConcurrentDictionary<string, string>(StringComparer.Ordinal) };

    public ConcurrentQueue<(string Branch, string Message, string Actions)> Commits { get; } = new();
}

public sealed class EmulatedPipeline(long id, long projectId, string reference)
{
    public long Id { get; } = id;

    public long ProjectId { get; } = projectId;

    public string Ref { get; } = reference;

    public List<EmulatedJob> Jobs { get; } = [];

    public bool CancelRequested { get; set; }

    /// <summary>GitLab's pipeline status from its jobs.</summary>
    public string Status
    {
        get
        {
            lock (this)
            {
                var statuses = Jobs.Select(j => j.Status).ToList();
                return statuses.Count == 0 ? "created"
                    : statuses.Any(s => s == "running") ? "running"
                    : statuses.Any(s => s == "pending") ? "pending"
                    : statuses.Any(s => s == "created") ? "created"
                    : statuses.Any(s => s == "failed") ? "failed"
                    : statuses.Any(s => s == "canceled") ? "canceled"
                    : "success";
            }
        }
    }
}

public sealed class EmulatedJob(long id, string name, IReadOnlyList<string> tags, JobScript script)
{
    public long Id { get; } = id;

    public string Name { get; } = name;

    public IReadOnlyList<string> Tags { get; } = tags;

    public JobScript Script { get; } = script;

    public string Status { get; set; } = "created";
}
