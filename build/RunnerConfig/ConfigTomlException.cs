namespace Build.RunnerConfig;

/// <summary>config.toml cannot be merged: what is wrong, where, and what to do. The file was not changed.</summary>
public sealed class ConfigTomlException(string problem, string fix) : BuildFailure(problem, fix + "; config.toml was not changed");
