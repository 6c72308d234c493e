namespace Build.Aws;

/// <summary>A known cause of an AWS authentication failure, how to recognise it in an error text, and its fix.</summary>
public sealed record AwsFailure(string Name, string Cause, string Fix, IReadOnlyList<string> Signs)
{
    public static readonly AwsFailure ClockSkew = new(
        "clock skew", "this machine's clock differs from AWS's by more than 5 minutes, so every signature is refused",
        "sync the clock (timedatectl set-ntp true, or chronyc makestep) and run again",
        ["Signature expired", "RequestTimeTooSkewed", "SignatureExpired", "Signature not yet current", "clock skew"]);

    public static readonly AwsFailure ExpiredToken = new(
        "expired session token", "the session token of these temporary credentials has expired",
        "get fresh temporary credentials (aws sts get-session-token, aws sso login, your identity broker) and replace aws_session_token, or use a long-lived key of an IAM user",
        ["ExpiredToken", "RequestExpired", "token included in the request is expired"]);

    public static readonly AwsFailure UnknownKey = new(
        "unknown access key id", "AWS does not know this access key id (mistyped, deleted or deactivated, or from another partition), or its session token does not belong to it",
        "copy the access key id again from IAM (Users > Security credentials), or create a new access key, and put it in the credentials file (or AWS_ACCESS_KEY_ID)",
        ["UnrecognizedClientException", "InvalidClientTokenId", "security token included in the request is invalid"]);

    public static readonly AwsFailure BadSignature = new(
        "wrong secret access key", "the secret access key does not belong to the access key id (the signature AWS computed differs)",
        "copy the secret access key again (it is shown only when the key is created; create a new key if it is lost) and put it in the credentials file (or AWS_SECRET_ACCESS_KEY)",
        ["InvalidSignatureException", "SignatureDoesNotMatch", "request signature we calculated does not match"]);

    public static readonly AwsFailure AccessDenied = new(
        "access denied", "the identity is valid but may not call ecr:GetAuthorizationToken (or the registry's policy refuses it)",
        "attach a policy that allows ecr:GetAuthorizationToken and pulls (the managed AmazonEC2ContainerRegistryReadOnly) to the identity Preflight printed; for another account's registry, allow it in that repository's policy",
        ["AccessDenied", "not authorized to perform"]);

    public static readonly AwsFailure PublicAccessDenied = new(
        "access denied", "the identity is valid but may not get an ECR Public token, which needs both ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken (the helper's pulls from public.ecr.aws then go anonymous, at the anonymous quota)",
        "allow ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken on * for the identity Preflight printed (the managed AmazonElasticContainerRegistryPublicReadOnly has both), or remove public.ecr.aws from ECR_REGISTRIES to pull anonymously on purpose",
        AccessDenied.Signs);

    public static readonly AwsFailure TlsTrust = new(
        "TLS trust", "the AWS endpoint's certificate is not trusted (a TLS-intercepting proxy, or a CA bundle without its CA)",
        "set AWS_CA_BUNDLE to a PEM bundle that holds your proxy's CA (it is mounted into the runner, the token refresher and, in helper mode, the jobs), or fix the system trust store",
        ["x509:", "certificate signed by unknown authority", "certificate is not trusted", "AuthenticationException", "RemoteCertificate", "SSL connection could not be established", "tls: "]);

    public static readonly AwsFailure NoRoute = new(
        "no route or DNS", "the AWS endpoint cannot be reached (DNS does not resolve it, or the connection is refused or times out)",
        "check DNS and outbound HTTPS (port 443) to the endpoint named above, set HTTPS_PROXY for a proxy, or set STS_ENDPOINT for a VPC endpoint",
        ["no such host", "Name or service not known", "nodename nor servname", "Connection refused", "connection refused", "No route to host", "network is unreachable", "i/o timeout", "timed out", "dial tcp", "HttpRequestException", "SocketException", "Resource temporarily unavailable"]);

    public static readonly AwsFailure NoCredentials = new(
        "no credentials", "the helper found no credentials (instance role: no instance profile, or the metadata service does not answer containers)",
        "attach an instance profile to the instance and allow containers to reach the metadata service: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-put-response-hop-limit 2",
        ["no EC2 IMDS role found", "failed to refresh cached credentials", "EC2 IMDS", "failed to retrieve credentials", "no valid credential sources", "NoCredentialProviders"]);

    /// <summary>In the order they are tried: the specific signs before the general ones (a skewed clock also gives an invalid signature).</summary>
    public static IReadOnlyList<AwsFailure> All { get; } = [ClockSkew, ExpiredToken, UnknownKey, BadSignature, AccessDenied, TlsTrust, NoRoute, NoCredentials];

    /// <summary>The first known cause whose sign the text holds, or null.</summary>
    public static AwsFailure? Recognise(string text) =>
        All.FirstOrDefault(f => f.Signs.Any(sign => text.Contains(sign, StringComparison.OrdinalIgnoreCase)));

    /// <summary>As <see cref="Recognise(string)"/>, with the causes that read differently for <paramref name="registry"/>'s kind.</summary>
    public static AwsFailure? Recognise(string text, EcrRegistry registry) =>
        Recognise(text) is { } cause && cause == AccessDenied && registry.IsPublic ? PublicAccessDenied : Recognise(text);

    public string Describe() => $"{Name}: {Cause}. Fix: {Fix}.";
}
