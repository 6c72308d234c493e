namespace Build.Runner;

/// <summary>Down, Clean or Status could not do their part: what happened and what to do.</summary>
public sealed class CleanException(string target, string problem, string fix)
    : Exception($"{target}: {problem}\n  fix: {fix}");
