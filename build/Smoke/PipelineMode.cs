using System.Diagnostics;
using Build.GitLab;
using Build.Secrets;

namespace Build.Smoke;

/// <summary>What pipeline mode needs besides the API: where to commit, how long to wait, and the runner it expects.</summary>
public sealed record PipelineOptions(string Project, string Branch, TimeSpan Timeout, TimeSpan PendingTimeout, TimeSpan PollInterval, long? RunnerId)
{
    public const string FilePath = ".gitlab-ci.yml";

    /// <summary>The text a job's log carries when the runner could not use DOCKER_AUTH_CONFIG (runner 18.11+).</summary>
    public const string CredentialsWarning = "Failed to resolve credentials from $DOCKER_AUTH_CONFIG";
}

/// <summary>
/// SmokeTest's pipeline mode: commits the example pipeline to a branch of the project (made from the default branch;
/// nothing is committed when the file is already there), starts a pipeline on it (a commit or start whose answer is
/// lost is looked for in GitLab, not made a second time), follows its jobs (one line per change), reads each finished
/// job's log, and gives one row per job: a failed job, a job the runner warned about DOCKER_AUTH_CONFIG, a job no
/// runner picked (with the reason GitLab shows) and a job still running at the timeout all fail. Job logs pass the
/// redactor before anything prints them.
/// </summary>
public sealed class PipelineMode(GitLabApi api, Secret token, PipelineOptions options, Redactor redactor, Action<string> log)
{
    public const string Row = "pipeline";

    public const int TailLines = 30;

    private static readonly HashSet<string> Terminal = ["success", "failed", "canceled", "skipped"];

    public async Task<IReadOnlyList<LevelResult>> RunAsync(string pipelineYaml, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        GitLabProject project;
        PipelineAnswer pipeline;
        try
        {
            project = await api.ProjectAsync(token, options.Project, cancel);
            await CommitAsync(project, pipelineYaml, cancel);
            pipeline = await StartAsync(project, cancel);
            log($"pipeline #{pipeline.Id} started on {options.Branch}{(pipeline.WebUrl is null ? string.Empty : ": " + pipeline.WebUrl)}");
        }
        catch (GitLabException ex)
        {
            return [LevelResult.Fail(Row, clock.Elapsed, Redact(ex.Problem), Fix(ex))];
        }

        try
        {
            return await FollowAsync(project, pipeline, clock, cancel);
        }
        catch (OperationCanceledException)
        {
            await CancelAsync(project, pipeline, "SmokeTest was interrupted");
            throw;
        }
        catch (GitLabException ex)
        {
            await CancelAsync(project, pipeline, "GitLab stopped answering");
            return [LevelResult.Fail(Row, clock.Elapsed, $"pipeline #{pipeline.Id}: {Redact(ex.Problem)}", Fix(ex))];
        }
    }

    private async Task CommitAsync(GitLabProject project, string content, CancellationToken cancel)
    {
        var exists = await api.BranchExistsAsync(token, project.Id, options.Branch, cancel);
        var current = exists ? await api.FileAsync(token, project.Id, options.Branch, PipelineOptions.FilePath, cancel) : null;
        if (current == content)
        {
            log($"{PipelineOptions.FilePath} on {options.Branch} is up to date: nothing committed");
            return;
        }

        // [skip ci]: the push itself starts no pipeline; the API-started one below ignores it (GitLab's ignore_skip_ci).
        // After an unclear answer the file on the branch tells whether the commit was made.
        var commit = await api.CreateOnceAsync(
            $"the commit of {PipelineOptions.FilePath} to {options.Branch}",
            ct => api.CommitFileAsync(token, project.Id, new CommitRequest(
                options.Branch, exists ? null : project.DefaultBranch, PipelineOptions.FilePath, content, Update: current is not null,
                "SmokeTest: example pipeline of gitlab-runner-ecr [skip ci]"), ct),
            async ct => await api.FileAsync(token, project.Id, options.Branch, PipelineOptions.FilePath, ct) == content ? "(id not known: its answer was lost)" : null,
            cancel);
        log($"committed {PipelineOptions.FilePath} to {options.Branch}{(exists ? string.Empty : $" (new branch from {project.DefaultBranch})")}: {(commit.StartsWith('(') ? commit : commit[..Math.Min(8, commit.Length)])}");
    }

    /// <summary>
    /// Starts the pipeline. GitLab numbers pipelines in order, so one started through the API on the branch with a higher
    /// id than the newest before the call is this call's, should its answer be lost.
    /// </summary>
    private async Task<PipelineAnswer> StartAsync(GitLabProject project, CancellationToken cancel)
    {
        var before = (await api.PipelinesAsync(token, project.Id, options.Branch, 1, cancel)).Select(p => p.Id).DefaultIfEmpty(0).Max();
        return await api.CreateOnceAsync(
            $"a pipeline on {options.Branch}",
            ct => api.CreatePipelineAsync(token, project.Id, options.Branch, ct),
            async ct => (await api.PipelinesAsync(token, project.Id, options.Branch, 20, ct)).Where(p => p.Id > before && p.Source == "api").MinBy(p => p.Id),
            cancel);
    }

    private async Task<IReadOnlyList<LevelResult>> FollowAsync(GitLabProject project, PipelineAnswer pipeline, Stopwatch clock, CancellationToken cancel)
    {
        var seen = new Dictionary<long, string>();
        var pendingSince = new Dictionary<long, TimeSpan>();
        var startedAt = new Dictionary<long, TimeSpan>();
        var results = new Dictionary<long, LevelResult>();
        var lastLine = TimeSpan.Zero;
        IReadOnlyList<JobAnswer> jobs = [];
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            jobs = await api.JobsAsync(token, project.Id, pipeline.Id, cancel);
            foreach (var job in jobs)
            {
                if (!seen.TryGetValue(job.Id, out var before) || before != job.Status)
                {
                    seen[job.Id] = job.Status;
                    lastLine = clock.Elapsed;
                    log($"pipeline #{pipeline.Id}: {job.Name} {job.Status} ({clock.Elapsed.TotalSeconds:0} s)");
                }

                if (job.Status is "created" or "pending" or "waiting_for_resource" or "preparing")
                {
                    pendingSince.TryAdd(job.Id, clock.Elapsed);
                }
                else if (!Terminal.Contains(job.Status))
                {
                    pendingSince.Remove(job.Id);
                    startedAt.TryAdd(job.Id, clock.Elapsed);
                }

                if (Terminal.Contains(job.Status) && !results.ContainsKey(job.Id))
                {
                    startedAt.TryAdd(job.Id, pendingSince.GetValueOrDefault(job.Id, clock.Elapsed));
                    results[job.Id] = await FinishedAsync(project, job, clock.Elapsed - startedAt[job.Id], cancel);
                }
            }

            if (jobs.Count > 0 && jobs.All(j => Terminal.Contains(j.Status)))
            {
                log($"pipeline #{pipeline.Id}: {(results.Values.All(r => r.Passed) ? "passed" : "FAILED")} ({clock.Elapsed.TotalSeconds:0} s)");
                return Ordered(jobs, results);
            }

            if (jobs.Count == 0 && await api.PipelineAsync(token, project.Id, pipeline.Id, cancel) is { } empty && Terminal.Contains(empty.Status))
            {
                return [LevelResult.Fail(Row, clock.Elapsed, $"pipeline #{pipeline.Id} ended {empty.Status} without jobs", "open the pipeline in GitLab (CI/CD > Pipelines); the example's jobs may be excluded by rules or workflow settings of the project")];
            }

            if (jobs.FirstOrDefault(j => j.Status == "pending" && clock.Elapsed - pendingSince[j.Id] >= options.PendingTimeout) is { } stuck)
            {
                var reason = await WhyPendingAsync(project, stuck, cancel);
                await CancelAsync(project, pipeline, $"{stuck.Name} stayed pending");
                foreach (var job in jobs.Where(j => !results.ContainsKey(j.Id)))
                {
                    results[job.Id] = job.Id == stuck.Id
                        ? LevelResult.Fail(Name(job), clock.Elapsed - pendingSince[job.Id], $"pending for {(clock.Elapsed - pendingSince[job.Id]).TotalSeconds:0} s, no runner picked it: {reason.Cause}", reason.Fix)
                        : LevelResult.Fail(Name(job), TimeSpan.Zero, $"{job.Status} when the pipeline was canceled ({stuck.Name} stayed pending)", reason.Fix);
                }

                return Ordered(jobs, results);
            }

            if (clock.Elapsed >= options.Timeout)
            {
                await CancelAsync(project, pipeline, "PIPELINE_TIMEOUT passed");
                var fix = "raise PIPELINE_TIMEOUT if the jobs only need longer, or look at the pipeline in GitLab";
                if (jobs.Count == 0)
                {
                    return [LevelResult.Fail(Row, clock.Elapsed, $"pipeline #{pipeline.Id} had no jobs after {options.Timeout.TotalSeconds:0} s (PIPELINE_TIMEOUT)", fix)];
                }

                foreach (var job in jobs.Where(j => !results.ContainsKey(j.Id)))
                {
                    results[job.Id] = LevelResult.Fail(Name(job), clock.Elapsed - startedAt.GetValueOrDefault(job.Id, pendingSince.GetValueOrDefault(job.Id)), $"still {job.Status} after {options.Timeout.TotalSeconds:0} s (PIPELINE_TIMEOUT); the pipeline was canceled", fix);
                }

                return Ordered(jobs, results);
            }

            // Nothing changed for a while: one reminder line every 30 s, not one per poll.
            if (clock.Elapsed - lastLine >= TimeSpan.FromSeconds(30))
            {
                lastLine = clock.Elapsed;
                log($"pipeline #{pipeline.Id}: waiting: {string.Join(", ", jobs.Where(j => !Terminal.Contains(j.Status)).Select(j => $"{j.Name} {j.Status}"))} ({clock.Elapsed.TotalSeconds:0} s)");
            }

            await Task.Delay(options.PollInterval, cancel);
        }
    }

    private async Task<LevelResult> FinishedAsync(GitLabProject project, JobAnswer job, TimeSpan time, CancellationToken cancel)
    {
        var trace = JobLog.Clean(Redact(await api.TraceAsync(token, project.Id, job.Id, cancel)));
        var tail = JobLog.Tail(trace, TailLines);
        var warning = trace.Split('\n').FirstOrDefault(l => l.Contains(PipelineOptions.CredentialsWarning, StringComparison.Ordinal))?.Trim();
        LevelResult result;
        if (job.Status == "success" && warning is null)
        {
            return LevelResult.Pass(Name(job), time, $"job #{job.Id} passed{(job.WebUrl is null ? string.Empty : ": " + job.WebUrl)}");
        }
        else if (warning is not null)
        {
            result = LevelResult.Fail(Name(job), time, $"job #{job.Id} {job.Status}, but the runner warned: {warning}",
                "the runner could not use DOCKER_AUTH_CONFIG's helper: check that docker-credential-ecr-login is on the runner's PATH (Up mounts it) and that DOCKER_AUTH_CONFIG is valid JSON (Register writes it); a job or project variable DOCKER_AUTH_CONFIG overrides config.toml's", tail);
        }
        else
        {
            result = LevelResult.Fail(Name(job), time, $"job #{job.Id} {job.Status}{(tail.Length == 0 ? " (no log)" : string.Empty)}",
                "read the job's log tail below (no basic auth credentials: see the probe's rows and the helper's log)", tail);
        }

        log($"pipeline: {job.Name} {(warning is null ? job.Status : "warned about DOCKER_AUTH_CONFIG")}; the last {TailLines} lines of its log:");
        foreach (var line in tail.Split('\n'))
        {
            log("  | " + line);
        }

        return result;
    }

    /// <summary>What GitLab tells about the runner Register recorded, as the reason a job stays pending.</summary>
    private async Task<(string Cause, string Fix)> WhyPendingAsync(GitLabProject project, JobAnswer job, CancellationToken cancel)
    {
        if (options.RunnerId is not { } id)
        {
            return ("the runner's GitLab id is unknown (not in config.toml, and GitLab did not verify its token), so its state cannot be read", "run ./build.sh --target=Register and check the runner in GitLab (Settings > CI/CD > Runners)");
        }

        var runner = await api.RunnerAsync(token, id, cancel);
        if (runner is null)
        {
            return ($"runner #{id} (Register's) is not visible to GITLAB_TOKEN (deleted, or of another project)", "run ./build.sh --target=Register, or check Settings > CI/CD > Runners of GITLAB_PROJECT");
        }

        var missing = job.Tags.Where(t => !runner.Tags.Contains(t, StringComparer.Ordinal)).ToList();
        var reasons = new List<(string, string)>();
        if (runner.Paused)
        {
            reasons.Add(($"runner #{id} is paused", "resume it in GitLab (Settings > CI/CD > Runners) or with PUT /runners/:id paused=false"));
        }

        if (runner.RunnerType == "project_type" && runner.Projects.Count > 0 && !runner.Projects.Contains(project.Id))
        {
            reasons.Add(($"runner #{id} belongs to other projects ({string.Join(", ", runner.Projects)}), not to GITLAB_PROJECT ({project.Id})", "register a runner for GITLAB_PROJECT (GITLAB_TOKEN + GITLAB_PROJECT), or set GITLAB_PROJECT to the runner's project"));
        }

        if (missing.Count > 0)
        {
            reasons.Add(($"the job's tags [{string.Join(", ", job.Tags)}] are not all in runner #{id}'s tags [{string.Join(", ", runner.Tags)}] (missing: {string.Join(", ", missing)})", "set RUNNER_TAGS to the runner's tags (the example pipeline carries them) or add the tags to the runner"));
        }
        else if (job.Tags.Count == 0 && !runner.RunUntagged)
        {
            reasons.Add(($"the job has no tags and runner #{id} does not run untagged jobs (run_untagged=false)", "set RUNNER_TAGS to the runner's tags, or allow untagged jobs on the runner (RUNNER_RUN_UNTAGGED=true)"));
        }

        if (runner.Status is "offline" or "stale" or "never_contacted")
        {
            reasons.Add(($"runner #{id} is {runner.Status.Replace('_', ' ')} (it has not asked GitLab for jobs lately)", "start it with ./build.sh --target=Up and read its log (compose logs runner): can it reach GITLAB_URL?"));
        }

        return reasons.Count > 0
            ? (string.Join("; ", reasons.Select(r => r.Item1)), string.Join("; ", reasons.Select(r => r.Item2)))
            : ($"runner #{id} is {runner.Status}, not paused, and its tags fit; it may be busy (concurrent) or picking jobs of other projects", "raise RUNNER_CONCURRENT or PIPELINE_PENDING_TIMEOUT, and read the runner's log");
    }

    private async Task CancelAsync(GitLabProject project, PipelineAnswer pipeline, string why)
    {
        try
        {
            var done = await api.CancelPipelineAsync(token, project.Id, pipeline.Id, CancellationToken.None);
            log(done ? $"pipeline #{pipeline.Id} canceled ({why})" : $"pipeline #{pipeline.Id} could not be canceled ({why}); cancel it in GitLab");
        }
        catch (GitLabException)
        {
            log($"pipeline #{pipeline.Id} could not be canceled ({why}): GitLab did not answer; cancel it in GitLab");
        }
    }

    private static IReadOnlyList<LevelResult> Ordered(IReadOnlyList<JobAnswer> jobs, Dictionary<long, LevelResult> results) =>
        [.. jobs.OrderBy(j => j.Id).Select(j => results[j.Id])];

    private static string Name(JobAnswer job) => $"{Row}: {job.Name}";

    private string Redact(string text) => redactor.Redact(text);

    private string Fix(GitLabException ex) => Redact(ex.Fix);
}
