namespace Build.Aws;

/// <summary>StageCredentials or Preflight refused: every problem found, each with what to do. Nothing was changed.</summary>
public sealed class PreflightException(IReadOnlyList<string> problems, string? title = null)
    : Exception((title ?? "The AWS credentials are not usable:") + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
