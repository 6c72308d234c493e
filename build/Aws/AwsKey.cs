using System.Text.RegularExpressions;
using Build.Secrets;

namespace Build.Aws;

/// <summary>Static AWS credentials as read from a file or the environment, and the region of the preflight. Never prints a value.</summary>
public sealed partial record AwsKey(Secret AccessKeyId, Secret SecretAccessKey, Secret? SessionToken, string Region)
{
    // IAM: access key ids are 16-128 word characters, in practice 20 upper-case letters and digits (AKIA…, ASIA…).
    [GeneratedRegex(@"\A[A-Z0-9]{16,128}\z")]
    private static partial Regex KeyIdShape();

    // Secret access keys are 40 base64 characters; anything printable without spaces and quotes is accepted.
    [GeneratedRegex(@"\A[A-Za-z0-9/+=._-]{16,128}\z")]
    private static partial Regex SecretShape();

    [GeneratedRegex(@"\A[A-Za-z0-9/+=._-]{16,}\z")]
    private static partial Regex TokenShape();

    [GeneratedRegex(@"\A[a-z]{2}(-[a-z]+)+-[0-9]\z")]
    private static partial Regex RegionShape();

    public const string KeyIdAccepted = "16-128 upper-case letters and digits, like AKIA… or ASIA…";

    public const string SecretAccepted = "16-128 letters, digits and / + = . _ -, usually 40 characters";

    public static bool IsKeyIdShaped(string value) => KeyIdShape().IsMatch(value);

    public static bool IsSecretShaped(string value) => SecretShape().IsMatch(value);

    public static bool IsSessionTokenShaped(string value) => TokenShape().IsMatch(value);

    public static bool IsRegionShaped(string value) => RegionShape().IsMatch(value);

    /// <summary>ASIA… ids belong to temporary credentials, which only work with their session token.</summary>
    public static bool IsTemporaryKeyId(string value) => value.StartsWith("ASIA", StringComparison.Ordinal);

    public void RegisterWith(Redactor redactor)
    {
        redactor.Add(AccessKeyId, "AWS_ACCESS_KEY_ID");
        redactor.Add(SecretAccessKey, "AWS_SECRET_ACCESS_KEY");
        if (SessionToken is not null)
        {
            redactor.Add(SessionToken, "AWS_SESSION_TOKEN");
        }
    }

    public override string ToString() => $"AwsKey {{ Region = {Region}, SessionToken = {(SessionToken is null ? "none" : Secret.Mask)} }}";
}
