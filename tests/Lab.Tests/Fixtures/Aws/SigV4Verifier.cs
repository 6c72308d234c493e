using System.Security.Cryptography;
using System.Text;

namespace Lab.Fixtures.Aws;

/// <summary>Why a signed request did or did not verify.</summary>
public enum SigV4Outcome
{
    Valid,
    /// <summary>No <c>X-Amz-Date</c> header (the <c>Date</c> alternative is not supported).</summary>
    MissingDate,
    /// <summary>The credential scope date is not the date part of <c>X-Amz-Date</c>.</summary>
    ScopeDateMismatch,
    /// <summary>The recomputed signature differs from the one sent.</summary>
    SignatureMismatch,
}

/// <summary>Verifies a request by rebuilding its canonical request from the <c>SignedHeaders</c> it carries.</summary>
public static class SigV4Verifier
{
    public static SigV4Outcome Verify(SigV4Request request, SigV4Authorization authorization, string secretAccessKey) =>
        Verify(request, authorization, secretAccessKey, out _);

    /// <summary>Also returns what the verifier computed (null when it stopped before signing).</summary>
    public static SigV4Outcome Verify(
        SigV4Request request, SigV4Authorization authorization, string secretAccessKey, out SigV4.Computation? computed)
    {
        computed = null;
        var amzDate = request.Header("X-Amz-Date")?.Trim();
        if (string.IsNullOrEmpty(amzDate)) return SigV4Outcome.MissingDate;
        if (!amzDate.StartsWith(authorization.Scope.Date + "T", StringComparison.Ordinal)) return SigV4Outcome.ScopeDateMismatch;

        computed = SigV4.Compute(request, authorization.SignedHeaders, amzDate, authorization.Scope, secretAccessKey);
        return FixedTimeEquals(computed.Signature, authorization.Signature) ? SigV4Outcome.Valid : SigV4Outcome.SignatureMismatch;
    }

    /// <summary>Constant-time comparison of two signatures (hex strings).</summary>
    public static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));
}
