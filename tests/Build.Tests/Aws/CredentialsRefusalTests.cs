using System.Diagnostics;
using Build.Host;

namespace Build.Tests.Aws;

/// <summary>
/// Bad credentials inputs, each run through the real build: a non-zero exit, its own message (naming file,
/// profile and line, never a value), and every file exactly as it was.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialsRefusalTests : IDisposable
{
    private const string Good = CredentialsRun.GoodFile;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly CredentialsRun _run = new();

    public void Dispose() => _run.Dispose();

    public sealed record Case(string Name, string Text, string Expected, string[]? Arguments = null, Action<CredentialsRun, string>? Arrange = null, UnixFileMode Mode = Private)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("empty file", string.Empty, "is empty: it needs a [default] section"),
        new("comments only", "# nothing here\n; nor here\n", "is empty: it needs a [default] section"),
        new("line that is not ini", "[default]\naws_access_key_id: " + CredentialsRun.KeyId + "\n", "line 2 is not a [section], a name = value pair or a comment"),
        new("missing profile", Good, "has no [ci] profile (AWS_PROFILE); profiles found: default", ["--aws-profile=ci"]),
        new("duplicate profile", Good + "[default]\naws_access_key_id = AKIATESTKEY000000002\n", "profile [default] appears 2 times (lines 1, 5)"),
        new("missing key id", "[default]\naws_secret_access_key = " + CredentialsRun.SecretKey + "\nregion = eu-west-1\n", "profile [default] (line 1) has aws_secret_access_key but no aws_access_key_id: add aws_access_key_id"),
        new("empty key id", Good.Replace(CredentialsRun.KeyId, string.Empty), "aws_access_key_id on line 2 of profile [default] is empty: fill it in"),
        new("lower-case key id", Good.Replace(CredentialsRun.KeyId, "akiatestkey000000001"), "aws_access_key_id on line 2 of profile [default] is not shaped like one (16-128 upper-case"),
        new("secret in the key id field", Good.Replace(CredentialsRun.KeyId, CredentialsRun.SecretKey), "aws_access_key_id on line 2 of profile [default] is not shaped like one"),
        new("missing secret", "[default]\naws_access_key_id = " + CredentialsRun.KeyId + "\nregion = eu-west-1\n", "profile [default] (line 1) has aws_access_key_id but no aws_secret_access_key: add aws_secret_access_key"),
        new("session token alone", "[default]\naws_session_token = IQoJb3JpZ2luX2VjEXAMPLEEXAMPLE\nregion = eu-west-1\n", "has aws_session_token but neither aws_access_key_id nor aws_secret_access_key"),
        new("short secret", Good.Replace(CredentialsRun.SecretKey, "tooShort"), "aws_secret_access_key on line 3 of profile [default] is not shaped like one"),
        new("secret with a space", Good.Replace(CredentialsRun.SecretKey, "wJalrXUtnFEMI K7MDENG/bPxRfiCYzEXAMPLE1"), "aws_secret_access_key on line 3 of profile [default] is not shaped like one"),
        new("temporary key without token", Good.Replace("AKIA", "ASIA"), "is a temporary key id (ASIA…), which only works with its aws_session_token"),
        new("token with a space", Good + "aws_session_token = IQoJb3 JpZ2luX2VjEXAMPLEEXAMPLE\n", "aws_session_token on line 5 of profile [default] is not shaped like a session token"),
        new("missing region", Good.Replace("region = eu-west-1\n", string.Empty), "profile [default] (line 1) has no region and AWS_REGION is not set"),
        new("bad region", Good.Replace("eu-west-1", "mars"), "region on line 4 of profile [default] is not shaped like an AWS region"),
        new("mode 0644", Good, "mode 0644 lets other users read or change it; run: chmod 600 ", Mode: Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        new("mode 0660", Good, "mode 0660 lets other users read or change it", Mode: Private | UnixFileMode.GroupRead | UnixFileMode.GroupWrite),
        new("another owner", Good, "is owned by uid 4242, not by the user running the build (uid 0); run: sudo chown 0 ", Arrange: (_, path) => Chown(path, 4242)),
        new("file inside the repository", Good, "is inside the repository", Arrange: (run, path) => run.Environment["RUNNER_CREDENTIALS_FILE"] = Move(path, Path.Combine(run.Root, "secrets", "credentials"))),
        new("file tracked by git", Good, "is tracked by git in ", Arrange: (_, path) => Track(path)),
        new("three problems at once", Good.Replace(CredentialsRun.KeyId, "short").Replace("eu-west-1", "mars"), "aws_access_key_id on line 2", Mode: Private | UnixFileMode.OtherRead),
        new("helper path missing", Good, "HELPER_PATH = /nonexistent/docker-credential-ecr-login does not exist", ["--helper-path=/nonexistent/docker-credential-ecr-login"]),
        new("no registries", Good, "ECR_REGISTRIES is not set and PRIVATE_ECR_IMAGE names no registry", Arrange: (run, _) => run.Environment["ECR_REGISTRIES"] = string.Empty),
        new("registry host of the wrong shape", Good, "ECR_REGISTRIES = \"12345.dkr.ecr.eu-west-1.amazonaws.com\" from environment variable ECR_REGISTRIES is not valid", Arrange: (run, _) => run.Environment["ECR_REGISTRIES"] = "12345.dkr.ecr.eu-west-1.amazonaws.com"),
        new("CA bundle missing", Good, "AWS_CA_BUNDLE = /nonexistent/ca.pem (AWS_CA_BUNDLE) does not exist; the helper panics on a missing bundle", Arrange: (run, _) => run.Environment["AWS_CA_BUNDLE"] = "/nonexistent/ca.pem"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_input_stops_with_its_own_message_a_non_zero_exit_and_unchanged_files(Case bad)
    {
        // Arrange
        var path = _run.Write(_run.CredentialsFile, bad.Text, bad.Mode);
        _run.Environment["RUNNER_CREDENTIALS_FILE"] = path;
        _run.Environment["ECR_REGISTRIES"] = CredentialsRun.Registry;
        _run.Environment["HELPER_PATH"] = "/bin/false";
        _run.Environment["AWS_CA_BUNDLE"] = string.Empty;
        _run.Environment["AWS_REGION"] = string.Empty;
        bad.Arrange?.Invoke(_run, path);
        var file = _run.Environment["RUNNER_CREDENTIALS_FILE"];
        var before = (CredentialsRun.Fingerprint(file), CredentialsRun.Fingerprint(_run.EnvLocal));

        // Act
        var (code, output) = _run.Run(["--target=StageCredentials", .. bad.Arguments ?? []]);

        // Assert
        Assert.NotEqual(0, code);
        Assert.True(code is ExitCodes.Failed or ExitCodes.Usage, output);
        Assert.Contains(bad.Expected, output);
        Assert.Equal(before, (CredentialsRun.Fingerprint(file), CredentialsRun.Fingerprint(_run.EnvLocal)));
        Assert.DoesNotContain(CredentialsRun.SecretKey, output);
        Assert.DoesNotContain(CredentialsRun.KeyId, output);
        Assert.False(Directory.Exists(Path.Combine(_run.Root, ".state")), "a refused run leaves nothing on disk");
    }

    [Fact]
    public void Every_bad_input_has_a_message_of_its_own()
    {
        var expected = ((IEnumerable<object?[]>)Cases).Select(c => ((Case)c[0]!).Expected).ToList();

        Assert.True(expected.Count >= 20);
        Assert.Equal(expected.Count - 2, expected.Distinct().Count()); // "empty file" and "comments only" are one problem
    }

    private static void Chown(string path, int uid)
    {
        using var chown = Process.Start("chown", [uid.ToString(), path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    private static string Move(string path, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Move(path, to);
        return to;
    }

    private static void Track(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        foreach (var args in new[] { new[] { "init", "-q" }, ["add", "--", Path.GetFileName(path)] })
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", folder, .. args]) { RedirectStandardOutput = true });
            git!.WaitForExit();
            Assert.Equal(0, git.ExitCode);
        }
    }
}
