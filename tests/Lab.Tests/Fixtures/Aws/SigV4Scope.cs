namespace Lab.Fixtures.Aws;

/// <summary>The credential scope <c>yyyyMMdd/region/service/aws4_request</c>.</summary>
public sealed record SigV4Scope(string Date, string Region, string Service)
{
    public const string Terminator = "aws4_request";

    public override string ToString() => $"{Date}/{Region}/{Service}/{Terminator}";
}
