namespace Build.Runner;

/// <summary>Up could not start the runner: what happened and what to do.</summary>
public sealed class RunnerUpException(string problem, string fix)
    : Exception($"Up: {problem}\n  fix: {fix}");
