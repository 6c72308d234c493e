using System.Diagnostics.CodeAnalysis;

namespace Lab.Fixtures.Aws;

/// <summary>A parsed <c>Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c> header.</summary>
public sealed record SigV4Authorization(
    string AccessKeyId, SigV4Scope Scope, IReadOnlyList<string> SignedHeaders, string Signature)
{
    /// <summary>The header value this record stands for.</summary>
    public override string ToString() =>
        $"{SigV4.Algorithm} Credential={AccessKeyId}/{Scope}, SignedHeaders={string.Join(';', SignedHeaders)}, Signature={Signature}";

    /// <summary>Parses the header; false when it is absent, uses another scheme or lacks a part.</summary>
    public static bool TryParse(string? header, [NotNullWhen(true)] out SigV4Authorization? authorization)
    {
        authorization = null;
        var prefix = SigV4.Algorithm + " ";
        if (header is null || !header.StartsWith(prefix, StringComparison.Ordinal)) return false;

        var parts = header[prefix.Length..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential)
            || !parts.TryGetValue("SignedHeaders", out var signedHeaders)
            || !parts.TryGetValue("Signature", out var signature))
            return false;

        var c = credential.Split('/');
        if (c.Length != 5 || c[4] != SigV4Scope.Terminator || c.Take(4).Any(string.IsNullOrEmpty)) return false;
        if (c[1].Length != 8 || !c[1].All(char.IsAsciiDigit)) return false;
        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigitLower)) return false;
        var names = signedHeaders.Split(';');
        if (names.Any(string.IsNullOrEmpty)) return false;

        authorization = new SigV4Authorization(c[0], new SigV4Scope(c[1], c[2], c[3]), names, signature);
        return true;
    }
}
