namespace Build.Server;

/// <summary>The local GitLab did not start, get ready or bootstrap: what happened and what to do.</summary>
public sealed class ServerException(string problem, string fix)
    : Exception($"Server: {problem}\n  fix: {fix}");
