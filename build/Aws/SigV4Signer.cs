using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Build.Secrets;

namespace Build.Aws;

/// <summary>
/// AWS Signature Version 4 (header form) for the AWS calls the SDK this build is made with does not cover (ECR's
/// API has no package here): every header given is signed, the session token too, and the payload's hash goes into
/// the canonical request. The secret key is used only for the HMAC chain and never leaves this method.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (temporary credentials) and <c>Authorization</c> to
    /// <paramref name="headers"/> (names in any case; <c>host</c> must be there) for a request with no query.
    /// </summary>
    public static void Sign(IDictionary<string, string> headers, string method, string path, ReadOnlySpan<byte> body, AwsSigningKey key, string region, string service, DateTimeOffset time)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        headers["X-Amz-Date"] = amzDate;
        if (key.SessionToken is { } token)
        {
            headers["X-Amz-Security-Token"] = token.Reveal();
        }

        var signed = headers.Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(' ', h.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var names = string.Join(';', signed.Select(h => h.Name));
        var canonical = string.Join('\n',
            method.ToUpperInvariant(),
            string.Join('/', path.Split('/').Select(Encode)),
            string.Empty,
            string.Concat(signed.Select(h => $"{h.Name}:{h.Value}\n")),
            names,
            Hex(SHA256.HashData(body)));
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var signingKey = Encoding.UTF8.GetBytes("AWS4" + key.SecretAccessKey.Reveal());
        foreach (var part in new[] { amzDate[..8], region, service, "aws4_request" })
        {
            signingKey = HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        headers["Authorization"] = $"{Algorithm} Credential={key.AccessKeyId.Reveal()}/{scope}, SignedHeaders={names}, Signature={signature}";
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Percent-encodes all but A-Z a-z 0-9 - _ . ~, as SigV4 asks of every path segment.</summary>
    private static string Encode(string segment)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(segment))
        {
            var c = (char)b;
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' ? c.ToString() : "%" + b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}

/// <summary>The key material one signature needs (a static key, or an instance role's current one); never prints a value.</summary>
public sealed record AwsSigningKey(Secret AccessKeyId, Secret SecretAccessKey, Secret? SessionToken);
