using System.Globalization;

namespace Lab.Fixtures.Aws;

/// <summary>Signs requests the way the AWS SDK for Go v2 does: every header but a few is signed.</summary>
public static class SigV4Signer
{
    /// <summary>Headers the Go SDK leaves unsigned (signer/internal/v4/headers.go).</summary>
    public static readonly IReadOnlySet<string> UnsignedHeaders =
        new HashSet<string>(["authorization", "user-agent", "x-amzn-trace-id", "expect"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds <c>X-Amz-Date</c>, the session token (if any) and <c>Authorization</c>; returns the signed copy.</summary>
    /// <param name="addPayloadHashHeader">Also add and sign <c>X-Amz-Content-Sha256</c> (S3 style; the vectors' sign_body).</param>
    public static (SigV4Request Request, SigV4.Computation Computation) Sign(
        SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset time,
        bool addPayloadHashHeader = false)
    {
        var amzDate = time.UtcDateTime.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture);
        var scope = new SigV4Scope(amzDate[..8], region, service);
        var signed = request.ReplaceHeader("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { } token) signed = signed.ReplaceHeader("X-Amz-Security-Token", token);
        if (addPayloadHashHeader) signed = signed.ReplaceHeader("X-Amz-Content-Sha256", SigV4.HexSha256(request.Body.Span));

        var names = signed.Headers.Select(h => h.Key.ToLowerInvariant())
            .Where(n => !UnsignedHeaders.Contains(n))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        var computation = SigV4.Compute(signed, names, amzDate, scope, credentials.SecretAccessKey);
        var authorization = new SigV4Authorization(credentials.AccessKeyId, scope, names, computation.Signature);
        return (signed.WithHeader("Authorization", authorization.ToString()), computation);
    }

    /// <summary>Signs an <see cref="HttpRequestMessage"/> in place over all its headers, including Host and Content-Length.</summary>
    public static async Task SignAsync(
        HttpRequestMessage message, AwsCredentials credentials, string region, string service, DateTimeOffset time,
        CancellationToken cancellationToken = default)
    {
        var uri = message.RequestUri ?? throw new ArgumentException("The request has no RequestUri.", nameof(message));
        message.Headers.Host ??= uri.Authority;
        var body = message.Content is null ? [] : await message.Content.ReadAsByteArrayAsync(cancellationToken);
        if (message.Content is not null) message.Content.Headers.ContentLength = body.Length;

        var headers = message.Headers.Concat(message.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
            .ToList();
        var query = uri.Query.StartsWith('?') ? uri.Query[1..] : uri.Query;
        var (signed, _) = Sign(new SigV4Request(message.Method.Method, uri.AbsolutePath, query, headers, body),
            credentials, region, service, time);

        foreach (var name in new[] { "X-Amz-Date", "X-Amz-Security-Token", "Authorization" })
        {
            if (signed.Header(name) is not { } value) continue;
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
