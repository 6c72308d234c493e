namespace Lab.Fixtures.Docker;

/// <summary>
/// The stand-in images built by tests/lab/setup.sh, read from tests/lab/.out/images.env. <see cref="Helper"/> is
/// Debian's glibc-linked helper (the counter-example); the lab's real static helper is <see cref="LabHelper"/>.
/// </summary>
public sealed record LabImages(string Dind, string DockerCli, string RunnerHost, string Musl, string Go, string Registry, string Hello, string Helper)
{
    public IEnumerable<string> All => [Dind, DockerCli, RunnerHost, Musl, Go, Registry, Hello, GitLabStandIn];

    /// <summary>Stands in for gitlab/gitlab-ce (which cannot be pulled here): forwards the web port to the GitLab emulator's Unix socket.</summary>
    public string GitLabStandIn { get; init; } = string.Empty;

    public static string RepositoryRoot() => TestRepository.Root();

    public static LabImages Load()
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "lab", ".out", "images.env");
        if (!File.Exists(path))
        {
            throw new LabException($"{path} is missing: the lab images are not built. Run ./test.sh (or: sudo bash tests/lab/setup.sh) first.");
        }

        var values = File.ReadAllLines(path)
            .Where(line => line.Contains('=') && !line.StartsWith('#'))
            .ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);
        string Get(string key) => values.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new LabException($"{path} has no {key}; rerun tests/lab/setup.sh");
        return new LabImages(
            Get("LAB_IMAGE_DIND"), Get("LAB_IMAGE_DOCKER_CLI"), Get("LAB_IMAGE_RUNNER_HOST"), Get("LAB_IMAGE_MUSL"),
            Get("LAB_IMAGE_GO"), Get("LAB_IMAGE_REGISTRY"), Get("LAB_IMAGE_HELLO"), Get("LAB_HELPER"))
        {
            GitLabStandIn = Get("LAB_IMAGE_GITLAB_STANDIN"),
        };
    }
}
