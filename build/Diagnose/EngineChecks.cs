using System.Text.RegularExpressions;
using Build.Docker;

namespace Build.Diagnose;

/// <summary>
/// Docker API versions: an Engine refuses clients older than its minimum API (Engine 29: 1.44, Docker 25's), so an old
/// docker CLI in the job image fails against a new DinD service (or against this host's Engine through a mounted
/// socket) with "client version … is too old". The versions are read from the images on this machine, never pulled.
/// </summary>
public sealed partial class EngineChecks(DockerEngine? engine, string? unreachable, ImageProbe? images, string dindImage)
{
    public Finding Run(DiagnosedEntry entry)
    {
        const string Id = "engine.api", Check = "Docker API versions";
        if (engine is null || images is null)
        {
            return Finding.Skip(Id, Check, $"Docker is not reachable from here ({unreachable}): the versions cannot be read");
        }

        var facts = new List<string> { $"this host's Engine {engine.Version} accepts API {engine.MinimumApiVersion} to {engine.ApiVersion}" };
        var problems = new List<string>();
        var dind = entry.Docker.Services.FirstOrDefault(s => s.Contains("dind", StringComparison.Ordinal)) ?? dindImage;
        var dindFrom = entry.Docker.Services.Contains(dind) ? "[[runners.docker.services]]" : "DIND_IMAGE";
        var dindVersion = images.Run(dind, "dockerd", ["--version"]) is { ExitCode: 0 } d && EngineVersion().Match(d.Output) is { Success: true } m ? m.Groups[1].Value : null;
        facts.Add(dindVersion is null ? $"the DinD image {dind} ({dindFrom}) {(images.Has(dind) ? "printed no Engine version" : "is not on this machine (not pulled)")}" : $"the DinD image {dind} ({dindFrom}) has Engine {dindVersion}, minimum API {MinimumApi(dindVersion)}");
        var job = entry.Docker.Image;
        var client = job is null ? null : images.Run(job, "docker", ["version", "--format", "{{.Client.APIVersion}}"]) is { } j
            ? j.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => Version.TryParse(l, out _))
            : null;
        facts.Add(job is null ? "no job image" : client is null ? $"the job image {job} {(images.Has(job) ? "has no docker CLI that answers" : "is not on this machine (not pulled)")}" : $"the job image {job} has a docker CLI of API {client}");
        if (client is not null && dindVersion is not null && Older(client, MinimumApi(dindVersion)))
        {
            problems.Add($"the job image's docker CLI speaks API {client} at most, and the DinD image's Engine {dindVersion} refuses clients below {MinimumApi(dindVersion)}: docker commands in jobs fail with \"client version {client} is too old\"");
        }

        if (client is not null && entry.Docker.Volumes.Any(v => v.Contains("/var/run/docker.sock", StringComparison.Ordinal)) && engine.Refuses(client))
        {
            problems.Add($"the job image's docker CLI speaks API {client} at most, and this host's Engine {engine.Version} (mounted into jobs) refuses clients below {engine.MinimumApiVersion}");
        }

        if (problems.Count > 0)
        {
            return Finding.Fail(Id, Check, string.Join("; ", problems) + " (" + string.Join("; ", facts) + ")",
                "use a job image with a docker CLI of Docker 25 or later (docker:29-cli, say), or a DinD image of the same era as the job image's CLI");
        }

        return client is null || dindVersion is null
            ? Finding.Skip(Id, Check, "nothing to compare: " + string.Join("; ", facts))
            : Finding.Ok(Id, Check, string.Join("; ", facts));
    }

    /// <summary>The oldest client API an Engine of this version accepts: 1.44 from Engine 29, 1.24 from 25, 1.12 before.</summary>
    public static string MinimumApi(string engineVersion) =>
        int.TryParse(engineVersion.Split('.')[0], out var major) ? major >= 29 ? "1.44" : major >= 25 ? "1.24" : "1.12" : "1.12";

    private static bool Older(string api, string minimum) => Version.TryParse(api, out var a) && Version.TryParse(minimum, out var m) && a < m;

    [GeneratedRegex(@"Docker version ([0-9]+\.[0-9]+\.[0-9]+)")]
    private static partial Regex EngineVersion();
}
