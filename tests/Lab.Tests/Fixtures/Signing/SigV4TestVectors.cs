
namespace Lab.Fixtures.Signing;

/// <summary>One case of AWS's published SigV4 test suite (header-signing variant).</summary>
public sealed record SigV4TestVector(
    string Name,
    SigV4Request Request,
    string? SessionToken,
    bool SignBody,
    string ExpectedCanonicalRequestHash,
    string ExpectedSignature,
    string ExpectedAuthorization)
{
    public override string ToString() => Name;
}

/// <summary>
/// Facts copied from awslabs/aws-c-auth tests/aws-signing-test-suite/v4/&lt;case&gt;/ (request.txt, context.json,
/// header-string-to-sign.txt (last line = canonical request hash), header-signature.txt, header-signed-request.txt),
/// read at commit 495329c2433034bd8fd53fc6ba9e0202d3fac876. Every case uses the same context.
/// </summary>
public static class SigV4TestVectors
{
    public static readonly AwsCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    public const string Region = "us-east-1";
    public const string Service = "service";
    public static readonly DateTimeOffset Time = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private const string Scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    private const string StsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    public static readonly IReadOnlyDictionary<string, SigV4TestVector> ByName = new[]
    {
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/get-vanilla
        new SigV4TestVector("get-vanilla", Request("GET", "", ""), null, false,
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/post-vanilla
        new SigV4TestVector("post-vanilla", Request("POST", "", ""), null, false,
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/post-x-www-form-urlencoded (sign_body: true)
        new SigV4TestVector("post-x-www-form-urlencoded",
            Request("POST", "", "Param1=value1",
                ("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13")), null, true,
            "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/get-vanilla-query-order-key-case
        new SigV4TestVector("get-vanilla-query-order-key-case", Request("GET", "Param2=value2&Param1=value1", ""), null, false,
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/get-header-value-trim
        new SigV4TestVector("get-header-value-trim",
            Request("GET", "", "", ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")), null, false,
            "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/get-vanilla-with-session-token
        new SigV4TestVector("get-vanilla-with-session-token", Request("GET", "", ""),
            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267", false,
            "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        // awslabs/aws-c-auth tests/aws-signing-test-suite/v4/post-sts-header-before
        new SigV4TestVector("post-sts-header-before", Request("POST", "", ""), StsToken, false,
            "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            $"AWS4-HMAC-SHA256 {Scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    }.ToDictionary(v => v.Name);

    /// <summary>Case names, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names => [.. ByName.Keys];

    /// <summary>The request of request.txt with what the signer adds (header-signed-request.txt).</summary>
    public static SigV4Request SignedRequest(SigV4TestVector v)
    {
        var r = v.Request.WithHeader("X-Amz-Date", "20150830T123600Z");
        if (v.SessionToken is { } token) r = r.WithHeader("X-Amz-Security-Token", token);
        if (v.SignBody) r = r.WithHeader("x-amz-content-sha256", SigV4.HexSha256(v.Request.Body.Span));
        return r.WithHeader("Authorization", v.ExpectedAuthorization);
    }

    private static SigV4Request Request(string method, string query, string body, params (string Name, string Value)[] headers) =>
        new(method, "/", query,
            [new("Host", "example.amazonaws.com"), .. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))],
            System.Text.Encoding.UTF8.GetBytes(body));
}
