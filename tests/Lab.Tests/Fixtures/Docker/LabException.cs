namespace Lab.Fixtures.Docker;

/// <summary>A lab step that failed: which step, which command, what it printed on stderr.</summary>
public sealed class LabException(string message, Exception? inner = null) : Exception(message, inner);
