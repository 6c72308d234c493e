namespace Build.Aws;

/// <summary>StageCredentials or Preflight refused: every problem found, each with what to do. Nothing was changed.</summary>
public sealed class PreflightException(IReadOnlyList<string> problems, string? title = null)
    : BuildFailure(
        (title ?? "The AWS credentials are not usable:") + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)),
        "each problem above says what to do; then run the target again")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
