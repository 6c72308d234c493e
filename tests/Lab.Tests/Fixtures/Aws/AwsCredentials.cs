namespace Lab.Fixtures.Aws;

/// <summary>An access key pair, optionally with a session token. <see cref="ToString"/> never shows the secret.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
