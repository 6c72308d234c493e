namespace Build;

/// <summary>
/// A failure the user can act on: what happened (<see cref="Problem"/>) and what to do (<see cref="Fix"/>). The host
/// prints it under the name of the task that failed, so a service never names a task itself.
/// </summary>
public class BuildFailure(string problem, string fix, Exception? inner = null)
    : Exception(problem + "\n  fix: " + fix, inner)
{
    public string Problem { get; } = problem;

    public string Fix { get; } = fix;
}
