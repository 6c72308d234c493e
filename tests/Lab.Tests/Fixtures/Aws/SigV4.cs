using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lab.Fixtures.Aws;

/// <summary>The AWS Signature Version 4 algorithm (header form), step by step.</summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Everything a signature is computed from, kept so tests and diagnostics can show each step.</summary>
    public sealed record Computation(string CanonicalRequest, string StringToSign, string Signature)
    {
        public string CanonicalRequestHash => HexSha256(Encoding.UTF8.GetBytes(CanonicalRequest));
    }

    /// <summary>Computes the signature of a request over the given signed headers and credential scope.</summary>
    public static Computation Compute(
        SigV4Request request, IReadOnlyList<string> signedHeaders, string amzDate, SigV4Scope scope, string secretAccessKey)
    {
        var canonical = CanonicalRequest(request, signedHeaders);
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope.ToString(), HexSha256(Encoding.UTF8.GetBytes(canonical)));
        var key = SigningKey(secretAccessKey, scope);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return new Computation(canonical, stringToSign, signature);
    }

    /// <summary>METHOD, URI, query, headers, signed header list and payload hash, joined by newlines.</summary>
    public static string CanonicalRequest(SigV4Request request, IReadOnlyList<string> signedHeaders) =>
        string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalUri(request.RawPath),
            CanonicalQuery(request.RawQuery),
            CanonicalHeaders(request, signedHeaders),
            string.Join(';', signedHeaders),
            HexSha256(request.Body.Span));

    /// <summary>Each path segment URI-encoded once more (the rule for every service but S3).</summary>
    public static string CanonicalUri(string rawPath) =>
        string.IsNullOrEmpty(rawPath) ? "/" : string.Join('/', rawPath.Split('/').Select(UriEncode));

    /// <summary>Parameters decoded, re-encoded with the SigV4 rules and sorted by name, then value.</summary>
    public static string CanonicalQuery(string rawQuery) =>
        string.Join('&', rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Key: UriEncode(Decode(kv[0])), Value: UriEncode(kv.Length > 1 ? Decode(kv[1]) : "")))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary><c>name:value\n</c> for each signed header, in the order of the list (the signer sorts it).</summary>
    public static string CanonicalHeaders(SigV4Request request, IReadOnlyList<string> signedHeaders)
    {
        var sb = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            var values = request.HeaderValues(name).Select(NormalizeValue);
            sb.Append(name.ToLowerInvariant()).Append(':').AppendJoin(',', values).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Trims a header value and collapses each inner run of spaces to one space.</summary>
    public static string NormalizeValue(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>kSigning = HMAC chain over date, region, service and <c>aws4_request</c>.</summary>
    public static byte[] SigningKey(string secretAccessKey, SigV4Scope scope)
    {
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { scope.Date, scope.Region, scope.Service, SigV4Scope.Terminator })
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        return key;
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Percent-encodes everything but the unreserved characters A-Z a-z 0-9 - _ . ~ (uppercase hex).</summary>
    public static string UriEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
