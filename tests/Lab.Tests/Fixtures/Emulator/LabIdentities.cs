
namespace Lab.Fixtures.Emulator;

/// <summary>Keys and registries the emulator tests configure. Made-up values; none is a real AWS credential.</summary>
public static class LabIdentities
{
    public const string Account = "123456789012";
    public const string OtherAccount = "210987654321";

    public static readonly AwsKey Runner = new("AKIDLABTEST000000001", "lab-secret-0001/abcdefghijklmnopqrstuv", Account,
        $"arn:aws:iam::{Account}:user/lab-runner", UserId: "AIDALABTEST00000000001");

    public static readonly AwsKey Temporary = new("ASIALABTEST000000002", "lab-secret-0002/abcdefghijklmnopqrstuv", Account,
        $"arn:aws:sts::{Account}:assumed-role/lab-role/session", SessionToken: "lab-session-token-0002//+abc==",
        UserId: "AROALABTEST00000000002:session");

    public static readonly EcrRegistry Main = new(Account, "us-east-1", "main-registry-password");
    public static readonly EcrRegistry Other = new(OtherAccount, "us-east-1", "other-registry-password");
    public static readonly EcrRegistry Europe = new(Account, "eu-west-1", "europe-registry-password");

    public static AwsEmulatorOptions Options(LabPkiFixture pki) => new()
    {
        ServerCertificate = pki.Server.Certificate,
        Keys = [Runner, Temporary],
        Registries = [Main, Other, Europe],
    };
}

/// <summary>A clock that stands still, for exact <c>expiresAt</c> checks.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
