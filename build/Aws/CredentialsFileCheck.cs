using System.Text.RegularExpressions;
using Amazon.Runtime.CredentialManagement;
using Build.Secrets;

namespace Build.Aws;

/// <summary>What the file check may ask of the machine; tests give their own answers.</summary>
public sealed record FileFacts(string RepositoryRoot, Func<string, bool> IsTrackedByGit, Func<string, int?> OwnerOf, int CurrentUser);

/// <summary>
/// Validates an AWS shared-credentials file before anything uses it, reporting every problem at once. The file
/// is parsed by AWSSDK.Core's <see cref="SharedCredentialsFile"/>; lines are located only to name them in
/// messages. Messages name the file, the profile and the line, never a value. It changes nothing.
/// </summary>
public static partial class CredentialsFileCheck
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public sealed record Result(AwsKey? Key, IReadOnlyList<string> Problems, bool ModeTooWide);

    [GeneratedRegex(@"\A\s*\[\s*(?<name>[^\]]*?)\s*\]\s*\z")]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"\A\s*(?<key>[A-Za-z0-9_]+)\s*=")]
    private static partial Regex Property();

    [GeneratedRegex(@"Line (?<line>[0-9]+)")]
    private static partial Regex SdkLine();

    /// <summary>
    /// Where the file is and who may read it: mode, owner, inside the repository, tracked by git. The checks that hold
    /// before anything is written into the file (a file that does not exist yet is checked for its place only).
    /// </summary>
    public static Result Placement(string path, FileFacts facts)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add($"{path}: {text}");

        var modeTooWide = false;
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~Private) != 0)
            {
                modeTooWide = true;
                Problem($"mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')} lets other users read or change it; run: chmod 600 {path} (or run again with --fix-credentials-mode)");
            }

            if (facts.OwnerOf(path) is { } owner && owner != facts.CurrentUser)
            {
                Problem($"is owned by uid {owner}, not by the user running the build (uid {facts.CurrentUser}); run: sudo chown {facts.CurrentUser} {path}");
            }
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(facts.RepositoryRoot)) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(path).StartsWith(root, StringComparison.Ordinal))
        {
            Problem($"is inside the repository {root}; a credentials file there is one `git add` away from being pushed: move it outside (for example to {CredentialsFileLocation.Describe}) and set RUNNER_CREDENTIALS_FILE in .env.local");
        }
        else if (File.Exists(path) && facts.IsTrackedByGit(path))
        {
            Problem($"is tracked by git in {Path.GetDirectoryName(path)}: run git rm --cached {Path.GetFileName(path)} there, rotate the key (it may have been pushed) and keep the file out of any repository");
        }

        return new Result(null, problems, modeTooWide);
    }

    /// <summary>The whole check where the file is chosen for mounting (StageCredentials, Up, Register): a <see cref="PreflightException"/> with every problem.</summary>
    public static void Require(string path, string profile, string? regionSetting, FileFacts facts)
    {
        var result = File.Exists(path) ? Check(path, profile, regionSetting, facts) : new Result(null, [$"{path} does not exist (to be mounted at {RunnerCredentials.CredentialsTarget})"], false);
        if (result.Problems.Count > 0)
        {
            throw new PreflightException([.. result.Problems, "then run ./build.sh --target=StageCredentials (it checks the file again and proves the key)"], $"The credentials file {path} (profile [{profile}]) cannot be mounted; nothing was changed:");
        }
    }

    public static Result Check(string path, string profile, string? regionSetting, FileFacts facts)
    {
        var placement = Placement(path, facts);
        var problems = placement.Problems.ToList();
        var modeTooWide = placement.ModeTooWide;
        void Problem(string text) => problems.Add($"{path}: {text}");

        var text = File.ReadAllText(path);
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Split('\n');
        if (lines.All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#') || l.TrimStart().StartsWith(';')))
        {
            Problem($"is empty: it needs a [{profile}] section with aws_access_key_id and aws_secret_access_key (see assets/runner-ecr-credentials)");
            return new Result(null, problems, modeTooWide);
        }

        var headers = lines.Select((line, index) => (Match: SectionHeader().Match(line), Line: index + 1)).Where(h => h.Match.Success).ToList();
        var ofProfile = headers.Where(h => h.Match.Groups["name"].Value == profile).Select(h => h.Line).ToList();
        if (ofProfile.Count > 1)
        {
            Problem($"profile [{profile}] appears {ofProfile.Count} times (lines {string.Join(", ", ofProfile)}); AWS tools disagree on which one wins: keep one");
        }

        CredentialProfile? found;
        try
        {
            new SharedCredentialsFile(path).TryGetProfile(profile, out found);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            // The SDK's message quotes the line, which may hold a secret: only its number is kept.
            var line = SdkLine().Match(ex.Message) is { Success: true } m ? "line " + m.Groups["line"].Value : "a line";
            Problem($"{line} is not a [section], a name = value pair or a comment; fix that line (it is not shown, it may hold a secret)");
            return new Result(null, problems, modeTooWide);
        }

        if (ofProfile.Count == 0 || found is null)
        {
            var names = headers.Select(h => h.Match.Groups["name"].Value).Distinct().ToList();
            Problem($"has no [{profile}] profile (AWS_PROFILE); profiles found: {(names.Count == 0 ? "none" : string.Join(", ", names))}; add a [{profile}] section or set AWS_PROFILE to one of them");
            return new Result(null, problems, modeTooWide);
        }

        var header = ofProfile[0];
        var next = headers.Where(h => h.Line > header).Select(h => h.Line).DefaultIfEmpty(lines.Length + 1).First();
        int LineOf(string property) => Enumerable.Range(header, next - header - 1)
            .FirstOrDefault(i => Property().Match(lines[i]) is { Success: true } m && m.Groups["key"].Value.Equals(property, StringComparison.OrdinalIgnoreCase));
        string Where(string property) => LineOf(property) is > 0 and var line ? $"{property} on line {line + 1} of profile [{profile}]" : $"profile [{profile}] (line {header})";

        var options = found.Options;
        if (Absent("aws_access_key_id", options.AccessKey) is var noKeyId && Absent("aws_secret_access_key", options.SecretKey) is var noSecret && (noKeyId || noSecret))
        {
            // A half pair is named for what it has and what it lacks: "is missing" alone read as if the profile were.
            var hasToken = !string.IsNullOrWhiteSpace(options.Token);
            Problem((noKeyId, noSecret) switch
            {
                (true, true) when hasToken => $"profile [{profile}] (line {header}) has aws_session_token but neither aws_access_key_id nor aws_secret_access_key: a session token works only with the key id and secret it was issued with; add both",
                (true, true) => $"profile [{profile}] (line {header}) has neither aws_access_key_id nor aws_secret_access_key: add both (see assets/runner-ecr-credentials)",
                (false, true) => $"profile [{profile}] (line {header}) has aws_access_key_id but no aws_secret_access_key: add aws_secret_access_key = <the secret of that key> to it",
                _ => $"profile [{profile}] (line {header}) has aws_secret_access_key but no aws_access_key_id: add aws_access_key_id = <the key id, AKIA… or ASIA…> to it",
            });
        }

        var keyId = noKeyId ? null : Required(options.AccessKey, "aws_access_key_id", AwsKey.IsKeyIdShaped, AwsKey.KeyIdAccepted);
        var secret = noSecret ? null : Required(options.SecretKey, "aws_secret_access_key", AwsKey.IsSecretShaped, AwsKey.SecretAccepted);
        Secret? token = null;
        if (!string.IsNullOrWhiteSpace(options.Token))
        {
            token = AwsKey.IsSessionTokenShaped(options.Token) ? new Secret(options.Token) : null;
            if (token is null)
            {
                Problem($"{Where("aws_session_token")} is not shaped like a session token (one line of base64, no spaces)");
            }
        }
        else if (keyId is not null && AwsKey.IsTemporaryKeyId(options.AccessKey))
        {
            Problem($"{Where("aws_access_key_id")} is a temporary key id (ASIA…), which only works with its aws_session_token: add the token to profile [{profile}] (line {header})");
        }

        var region = found.Region?.SystemName;
        if (string.IsNullOrWhiteSpace(region))
        {
            region = regionSetting;
            if (region is null)
            {
                Problem($"profile [{profile}] (line {header}) has no region and AWS_REGION is not set: add region = <your region, e.g. eu-west-1> to the profile or set AWS_REGION in .env.local");
            }
        }
        else if (!AwsKey.IsRegionShaped(region))
        {
            Problem($"{Where("region")} is not shaped like an AWS region (e.g. eu-west-1)");
            region = null;
        }

        var key = keyId is not null && secret is not null && region is not null && problems.Count == 0 ? new AwsKey(keyId, secret, token, region) : null;
        return new Result(key, problems, modeTooWide);

        // No line for the property at all (an empty "name =" line is there, only empty).
        bool Absent(string property, string? value) => string.IsNullOrWhiteSpace(value) && LineOf(property) == 0;

        Secret? Required(string? value, string property, Func<string, bool> shaped, string accepted)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Problem($"{Where(property)} is empty: fill it in");
                return null;
            }

            if (!shaped(value))
            {
                Problem($"{Where(property)} is not shaped like one ({accepted}); the value is not shown");
                return null;
            }

            return new Secret(value);
        }
    }
}
