namespace Build.Smoke;

/// <summary>SmokeTest could not run at all (no config.toml, no runner container, PRIVATE_ECR_IMAGE unset): what happened and the fix.</summary>
public sealed class SmokeTestException(string problem, string fix)
    : Exception($"SmokeTest: {problem}\n  fix: {fix}");
