using Build.Settings;

namespace Build.Helper;

/// <summary>
/// What a source's binaries reporting another version than HELPER_VERSION means. <c>path</c> is the user's own
/// binary: it is used, and its real version reported, with a warning. <c>download</c> fetched HELPER_VERSION's
/// folder, and <c>build</c>/<c>archive</c> stamped HELPER_VERSION in: another version there means the mirror or the
/// stamp is wrong, so the output is refused. A version that could not be read is recorded as unverified, with a warning.
/// </summary>
public static class HelperVersionCheck
{
    /// <summary>The warnings to print (at most one per kind); throws a <see cref="BuildFailure"/> for a refused output.</summary>
    public static IReadOnlyList<string> Check(HelperRequest request, IReadOnlyList<(HelperPlatform Platform, ReportedVersion Reported)> binaries)
    {
        var warnings = new List<string>();
        var different = binaries.Where(b => b.Reported.Version is { } v && !Same(v, request.Version)).ToList();
        if (different.Count > 0)
        {
            var (platform, reported) = different[0];
            if (request.Source != HelperSource.Path)
            {
                throw Refusal(request, platform, reported);
            }

            warnings.Add(
                $"HELPER_PATH {request.Origin} reports version {reported.Version} ({reported.How}), not HELPER_VERSION {request.Version}: "
                + $"it is used, and reported, as {reported.Version}. Set HELPER_VERSION={reported.Version} if that is the version you mean to run.");
        }

        var unverified = binaries.Where(b => b.Reported.Version is null).ToList();
        if (unverified.Count > 0)
        {
            var what = request.Source == HelperSource.Path ? $"HELPER_PATH {request.Origin}" : $"the {request.SourceName} source's helper for {string.Join(", ", unverified.Select(b => b.Platform))}";
            warnings.Add($"the version of {what} could not be read ({unverified[0].Reported.How}); it is recorded, and reported, as unverified.");
        }

        return warnings;
    }

    /// <summary>Versions as binaries print them: <c>v0.8.0</c> and <c>0.8.0</c> are the same.</summary>
    public static bool Same(string reported, string wanted) => reported.TrimStart('v') == wanted.TrimStart('v');

    private static BuildFailure Refusal(HelperRequest request, HelperPlatform platform, ReportedVersion reported) => request.Source switch
    {
        HelperSource.Download => new BuildFailure(
            $"the {platform} binary downloaded for HELPER_VERSION {request.Version} from {request.Origin} reports version {reported.Version} ({reported.How}); nothing was installed",
            $"check HELPER_DOWNLOAD_URL: a mirror must serve each release unchanged under <base>/<version>/linux-<arch>/ (its .sha256 only proves the file is the one the mirror put there); or set HELPER_VERSION={reported.Version!.TrimStart('v')} if that is the release you want"),
        HelperSource.Archive => new BuildFailure(
            $"the helper built for {platform} from HELPER_ARCHIVE {request.Origin} reports version {reported.Version} ({reported.How}), not the HELPER_VERSION {request.Version} the build stamps into it; nothing was installed",
            "check that HELPER_ARCHIVE is the unmodified upstream release source: the stamp goes into <module>/version.Version of its ecr-login/go.mod module"),
        _ => new BuildFailure(
            $"the helper built for {platform} from {request.Origin} reports version {reported.Version} ({reported.How}), not the HELPER_VERSION {request.Version} the build stamps into it; nothing was installed",
            "check HELPER_MODULE: the build stamps <HELPER_MODULE>/ecr-login/version.Version, which a fork that moved or renamed that variable does not have"),
    };
}
