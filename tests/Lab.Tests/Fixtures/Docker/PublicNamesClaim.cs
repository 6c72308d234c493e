namespace Lab.Fixtures.Docker;

/// <summary>
/// A test class's claim on the global names ECR Public uses (public.ecr.aws, its API in us-east-1), for the tests that
/// need them on the host itself: Preflight's helper on the host, the host daemon's pull of a public.ecr.aws image.
/// (Containers get the names through their own extra hosts and network aliases, without a claim.) Claimed on first
/// use under <see cref="GlobalNamesLock"/>, and held until the class ends: /etc/hosts lines and a certs.d folder owned
/// by <c>&lt;run&gt;-global pid=…</c>, removed in <see cref="DisposeAsync"/> together with the images the host daemon
/// pulled under those names. Leftovers of dead owners go by the rule of <see cref="RunOwner"/>.
/// </summary>
public sealed class PublicNamesClaim : IAsyncLifetime
{
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(10);

    // Go's resolver (dockerd's) re-reads /etc/hosts at most every 5 s: a name added now may resolve the old way until then.
    private static readonly TimeSpan ResolverCache = TimeSpan.FromSeconds(5.5);

    private readonly HostsFile _hosts = new();
    private readonly DockerCertsDirectory _certs = new();
    private GlobalNamesLock? _lock;
    private LabPublicRegistry? _registry;

    /// <summary>Host daemon images to remove when the claim ends (tags under the global names).</summary>
    public List<string> PulledImages { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Claims the names for this class (once), pointing them at <paramref name="lab"/>'s public registry and emulator.</summary>
    public async Task<LabPublicRegistry> ClaimAsync(LabFixture lab, CancellationToken cancel)
    {
        if (_registry is not null)
        {
            return _registry;
        }

        var registry = await lab.PublicRegistryAsync(cancel);
        var owner = new RunOwner(lab.RunId + "-global", Environment.ProcessId);
        _lock = await GlobalNamesLock.AcquireAsync(owner, LockWait, cancel);
        _hosts.RemoveLeftovers();
        _certs.RemoveLeftovers();
        var foreign = HostsFile.ReadLines().Where(l => !l.Contains(HostsFile.Marker, StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
            .FirstOrDefault(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1).Any(n => n is LabPublicRegistry.Host or LabPublicRegistry.ApiHost));
        if (foreign is not null || Directory.Exists(Path.Combine(_certs.Path, LabPublicRegistry.Host)))
        {
            _lock.Dispose();
            _lock = null;
            throw new LabException($"this machine already has its own entry for {LabPublicRegistry.Host} ({foreign ?? Path.Combine(_certs.Path, LabPublicRegistry.Host)}), not the lab's: the lab does not replace it; remove it to run the ECR Public tests");
        }

        _hosts.Add([(registry.Address, LabPublicRegistry.Host), (lab.Gateway.ToString(), LabPublicRegistry.ApiHost)], owner);
        _certs.Trust(LabPublicRegistry.Host, lab.CaPath, owner);
        await Task.Delay(ResolverCache, cancel);
        if (!lab.PublicImagePushed)
        {
            await lab.PushHelloAsync(LabPublicRegistry.Host, registry.Password, registry.Image, cancel);
            lab.PublicImagePushed = true;
        }

        _registry = registry;
        return registry;
    }

    public async Task DisposeAsync()
    {
        if (_lock is null)
        {
            return;
        }

        foreach (var image in PulledImages.Distinct())
        {
            await Cli.RunAsync("docker", ["rmi", "-f", image], CancellationToken.None);
        }

        _certs.Remove();
        _hosts.Remove();
        _lock.Dispose();
        _lock = null;
    }
}
