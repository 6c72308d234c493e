namespace Build.Helper;

/// <summary>The helper could not be obtained or verified: what happened, and the fix (which setting, which command).</summary>
public sealed class HelperException(string problem, string fix, Exception? inner = null)
    : Exception($"BuildHelper: {problem}.\n  fix: {fix}. The previous helper output was left as it was.", inner);
