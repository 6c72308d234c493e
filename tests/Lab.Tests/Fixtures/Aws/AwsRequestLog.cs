using System.Text;

namespace Lab.Fixtures.Aws;

/// <summary>One request the emulator answered. Holds no secret: no secret key, token, signature or body.</summary>
/// <param name="Service"><c>ecr</c> or <c>sts</c> (from the request's shape: X-Amz-Target/JSON or form body).</param>
/// <param name="Operation">From X-Amz-Target (after the dot) or the Action parameter; null when absent.</param>
/// <param name="Region">From the credential scope; null without a parseable Authorization header.</param>
/// <param name="Outcome"><see cref="AwsRequestLog.Ok"/> or the error code sent, e.g. <c>InvalidSignatureException</c>.</param>
/// <param name="RegistryIds">ECR: the registries a token was asked for (the caller's account for <c>{}</c>).</param>
public sealed record AwsRequestRecord(
    DateTimeOffset Time,
    string RemoteAddress,
    string? Host,
    string Service,
    string? Operation,
    string? AccessKeyId,
    string? Region,
    string Outcome,
    int StatusCode,
    IReadOnlyList<string> RegistryIds,
    IReadOnlyList<string> SignedHeaders,
    string? UserAgent,
    string RequestId)
{
    public bool Succeeded => Outcome == AwsRequestLog.Ok;

    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {RemoteAddress} {Host} {Service}:{Operation ?? "-"} key={AccessKeyId ?? "-"} " +
        $"region={Region ?? "-"} -> {StatusCode} {Outcome} registries=[{string.Join(',', RegistryIds)}] ua={UserAgent ?? "-"} id={RequestId}";
}

/// <summary>Thread-safe record of every request, in arrival order.</summary>
public sealed class AwsRequestLog
{
    public const string Ok = "ok";

    private readonly List<AwsRequestRecord> _records = [];
    private readonly Lock _lock = new();

    public void Add(AwsRequestRecord record)
    {
        lock (_lock) _records.Add(record);
    }

    /// <summary>A copy of all records so far.</summary>
    public IReadOnlyList<AwsRequestRecord> Snapshot()
    {
        lock (_lock) return [.. _records];
    }

    /// <summary>Number of requests matching every given filter (null = any).</summary>
    public int Count(string? operation = null, string? accessKeyId = null, string? outcome = null) =>
        Snapshot().Count(r => (operation is null || r.Operation == operation)
            && (accessKeyId is null || r.AccessKeyId == accessKeyId)
            && (outcome is null || r.Outcome == outcome));

    public void Clear()
    {
        lock (_lock) _records.Clear();
    }

    /// <summary>One line per request, for failure messages.</summary>
    public override string ToString()
    {
        var records = Snapshot();
        if (records.Count == 0) return "(no requests)";
        return new StringBuilder().AppendJoin('\n', records).ToString();
    }
}
