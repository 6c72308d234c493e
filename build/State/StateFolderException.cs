using Build.Host;

namespace Build.State;

/// <summary>STATE_DIR cannot be used or cleaned: which folder, why, and what to set instead. Nothing in it was changed.</summary>
public sealed class StateFolderException(string problem, string fix) : BuildFailure(problem, fix);
