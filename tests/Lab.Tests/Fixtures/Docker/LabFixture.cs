using System.Net;
using System.Security.Cryptography;

namespace Lab.Fixtures.Docker;

/// <summary>
/// The lab's tests run in three collections, each with a lab of its own (its own names, network, registries and
/// emulator), so that xunit runs them side by side: most of their time is spent waiting on Docker and timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}

/// <summary>The local GitLab server's and Preflight's lab tests, beside <see cref="LabCollection"/>.</summary>
[CollectionDefinition(Name)]
public sealed class LabServerCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab-server";
}

/// <summary>SmokeTest's, Register's and Clean's lab tests, beside <see cref="LabCollection"/>.</summary>
[CollectionDefinition(Name)]
public sealed class LabSmokeCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab-smoke";
}

/// <summary>A private ECR-shaped registry of the lab: its container and the emulator's view of it.</summary>
public sealed record LabRegistry(EcrRegistry Ecr, string Container, string Address)
{
    public string Host => Ecr.Host;

    public string PrivateImage => $"{Host}/private/hello:latest";

    /// <summary>The pull-through cache's copy of Docker Hub's hello:latest (pushed beforehand: the lab does not import).</summary>
    public string PullThroughImage => $"{Host}/{LabFixture.DockerHubPrefix}/library/hello:latest";
}

/// <summary>The registry that poses as ECR Public (public.ecr.aws) on the lab network, and its tokens' password.</summary>
public sealed record LabPublicRegistry(string Container, string Address, string Password)
{
    public const string Host = "public.ecr.aws";

    /// <summary>ECR Public's API, always in us-east-1: a global name, claimed only under <see cref="GlobalNamesLock"/>.</summary>
    public const string ApiHost = "api.ecr-public.us-east-1.amazonaws.com";

    public string Image => $"{Host}/docker/library/hello:latest";
}

/// <summary>
/// The lab, started once per test run: an internal Docker network, two TLS registries with basic auth
/// under ECR host names (two accounts, two regions), the ECR/STS emulator bound to the network's gateway
/// address on 443, host-daemon trust (/etc/hosts block, certs.d) and a private image in each registry.
/// Every name on the host is the run's own (random account ids and regions), so runs can overlap; every
/// resource carries the labels ecrlab.run and ecrlab.pid (host entries: <see cref="RunOwner"/>), and the
/// next start removes what a killed run left behind, never what a live one uses.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    public const string RunLabel = "ecrlab.run";

    /// <summary>The test process that owns a resource; tests/lab/teardown.sh keeps resources of live processes.</summary>
    public const string PidLabel = "ecrlab.pid";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The pull-through cache rules of the first registry: Docker Hub (with its secret) and ECR Public.</summary>
    public const string DockerHubPrefix = "docker-hub";

    public const string EcrPublicPrefix = "ecr-public";

    private readonly SemaphoreSlim _publicStart = new(1, 1);
    private LabPublicRegistry? _public;

    private readonly HostsFile _hosts = new();
    private readonly DockerCertsDirectory _certs = new();
    private readonly EcrRegistry[] _ecr;
    private TestCertificateAuthority? _ca;
    private IssuedCertificate? _serverCertificate;

    public LabFixture()
    {
        string[] accounts = [RandomAccount(), RandomAccount()];
        while (accounts[1] == accounts[0])
        {
            accounts[1] = RandomAccount();
        }

        _ecr = [new EcrRegistry(accounts[0], RandomRegion("us"), Secret()), new EcrRegistry(accounts[1], RandomRegion("eu"), Secret())];
        Key = new("AKIDLABRUN" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)), "lab-run-secret/" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), accounts[0], $"arn:aws:iam::{accounts[0]}:user/lab-runner");
    }

    public string RunId { get; } = "ecrlab-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>This run as the owner of its /etc/hosts lines and certs.d folders.</summary>
    public RunOwner HostOwner => RunOwner.Current(RunId);

    /// <summary>The <c>ecrlab.pid</c> label of everything this run creates.</summary>
    public static string Owner => $"{PidLabel}={Environment.ProcessId}";

    public LabImages Images { get; private set; } = null!;

    public string Work { get; private set; } = null!;

    public string Network => RunId + "-net";

    public IPAddress Gateway { get; private set; } = IPAddress.None;

    public string CaPath => Path.Combine(Work, "ca.pem");

    public TestCertificateAuthority Ca => _ca ?? throw new InvalidOperationException("the lab is not started");

    public AwsEmulator Emulator { get; private set; } = null!;

    /// <summary>The password of the tokens the emulator's ECR Public issues, and of the registry posing as public.ecr.aws.</summary>
    public string PublicPassword { get; } = Secret();

    /// <summary>The Secrets Manager secret the Docker Hub rule names (the lab has no Secrets Manager: only its ARN exists).</summary>
    public string DockerHubSecretArn => $"arn:aws:secretsmanager:{_ecr[0].Region}:{_ecr[0].AccountId}:secret:ecr-pullthroughcache/docker-hub-Ab12Cd";

    /// <summary>The key the lab stages for the helper (made-up values, not a real AWS credential); its account is the first registry's.</summary>
    public AwsKey Key { get; }

    public IReadOnlyList<LabRegistry> Registries { get; private set; } = [];

    public string CredentialsFile => Path.Combine(Work, "aws", "credentials");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var cancel = timeout.Token;
        try
        {
            await Cli.DockerAsync("reach the Docker daemon (start it with tests/lab/setup.sh)", cancel, "version", "--format", "{{.Server.Version}}");
            await RemoveLeftoversAsync(cancel);
            Images = LabImages.Load();
            foreach (var image in Images.All)
            {
                await Cli.DockerAsync($"find image {image} (rerun tests/lab/setup.sh)", cancel, "image", "inspect", "--format", "{{.Id}}", image);
            }

            Work = Directory.CreateTempSubdirectory(RunId + "-").FullName;
            await CreateNetworkAsync(cancel);
            CreatePki();
            WriteCredentials(CredentialsFile, Key.SecretAccessKey);
            Registries = await Task.WhenAll(_ecr.Select((registry, index) => StartRegistryAsync(registry, index, cancel)));
            TrustOnHost();
            Emulator = await AwsEmulator.StartNewAsync(
                new AwsEmulatorOptions
                {
                    ServerCertificate = _serverCertificate!.Certificate,
                    Endpoints = [new IPEndPoint(Gateway, 443)],
                    Keys = [Key],
                    Registries = _ecr,
                    PublicPassword = PublicPassword,
                    PullThroughCacheRules =
                    [
                        new PullThroughCacheRule(_ecr[0].AccountId, _ecr[0].Region, DockerHubPrefix, "registry-1.docker.io", DockerHubSecretArn),
                        new PullThroughCacheRule(_ecr[0].AccountId, _ecr[0].Region, EcrPublicPrefix, LabPublicRegistry.Host),
                    ],
                },
                cancel);
            foreach (var registry in Registries)
            {
                await WaitForRegistryAsync(registry.Host, registry.Container, cancel);
                await PushAsync(registry.Host, registry.Ecr.Password, registry.PrivateImage, cancel);
            }

            // The cache's copy, as if a first pull had imported it: ECR's import itself is not emulated.
            await PushAsync(Registries[0].Host, Registries[0].Ecr.Password, Registries[0].PullThroughImage, cancel);
        }
        catch (Exception ex)
        {
            await DisposeAsync();
            throw new LabException($"The lab could not start ({RunId}): {ex.Message}", ex);
        }
    }

    public async Task DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        var removal = await Teardown(timeout.Token, "--run=" + RunId);
        foreach (var registry in Registries)
        {
            await Cli.RunAsync("docker", ["rmi", "-f", registry.PrivateImage, registry.PullThroughImage], timeout.Token);
        }

        _certs.Remove();
        _hosts.Remove();
        _serverCertificate?.Dispose();
        _ca?.Dispose();
        if (Work is not null && Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }

        // Reported last, so that a failed removal still lets every other clean-up step run.
        if (!removal.Succeeded)
        {
            throw new LabException($"removing the resources of {RunId} failed: {removal.Error.Trim()} {removal.Output.Trim()}; run tests/lab/teardown.sh");
        }
    }

    /// <summary>Writes an AWS shared-credentials file (mode 0600) for the lab key with the given secret.</summary>
    public void WriteCredentials(string path, string secret)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"[default]\naws_access_key_id = {Key.AccessKeyId}\naws_secret_access_key = {secret}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A fresh folder under the run's work folder.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Work, name + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)))).FullName;

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A 12-digit account id of this run only.</summary>
    private static string RandomAccount() => RandomNumberGenerator.GetInt32(1, 10) + string.Concat(Enumerable.Range(0, 11).Select(_ => RandomNumberGenerator.GetInt32(10)));

    /// <summary>
    /// A region of this run only, e.g. <c>us-labqwzkrt-1</c>: it gives the run its own registry, ECR API and STS
    /// host names, and still looks like a region to code that checks (<c>^[a-z]{2}(-[a-z]+)+-\d$</c>) and to the
    /// AWS SDKs' partition pattern (<c>^(us|eu|…)-\w+-\d+$</c>), which build <c>api.ecr.&lt;region&gt;.amazonaws.com</c>.
    /// </summary>
    private static string RandomRegion(string area) => $"{area}-lab{new string([.. Enumerable.Range(0, 6).Select(_ => (char)('a' + RandomNumberGenerator.GetInt32(26)))])}-1";

    private async Task RemoveLeftoversAsync(CancellationToken cancel)
    {
        var removal = await Teardown(cancel);
        if (!removal.Succeeded)
        {
            throw new LabException($"lab step 'remove the leftovers of killed runs' failed: {removal.Error.Trim()} {removal.Output.Trim()}");
        }

        _hosts.RemoveLeftovers();
        _certs.RemoveLeftovers();
    }

    /// <summary>
    /// tests/lab/teardown.sh --leftovers: removes containers, networks and volumes labelled ecrlab.run, except
    /// those whose ecrlab.pid is a live process; with --run=ID, exactly the resources of run ID.
    /// </summary>
    internal static Task<ProcessResult> Teardown(CancellationToken cancel, params string[] arguments) =>
        Cli.RunAsync("bash", [Path.Combine(LabImages.RepositoryRoot(), "tests", "lab", "teardown.sh"), "--leftovers", .. arguments], cancel);

    private async Task CreateNetworkAsync(CancellationToken cancel)
    {
        // Internal: containers on it have no route off the machine.
        await Cli.DockerAsync("create the lab network", cancel, "network", "create", "--internal", "--label", $"{RunLabel}={RunId}", "--label", Owner, Network);
        var gateway = await Cli.DockerAsync("read the lab network's gateway", cancel, "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", Network);
        Gateway = IPAddress.Parse(gateway.Output.Trim());
    }

    /// <summary>The emulator's host names: the ECR API and STS endpoints of the run's regions.</summary>
    public IEnumerable<string> EmulatorNames => _ecr.Select(r => r.Region).Distinct().SelectMany(region => new[] { $"api.ecr.{region}.amazonaws.com", $"sts.{region}.amazonaws.com", $"autoscaling.{region}.amazonaws.com", $"ec2.{region}.amazonaws.com" });

    private void CreatePki()
    {
        _ca = TestCertificateAuthority.Create("ecrlab test CA " + RunId);
        _ca.WriteCertificatePem(CaPath);
        // The global names are in the certificate from the start; they resolve to the lab only while a run holds them.
        _serverCertificate = _ca.IssueServerCertificate([.. _ecr.Select(r => r.Host), .. EmulatorNames, LabPublicRegistry.Host, LabPublicRegistry.ApiHost]);
        _serverCertificate.WritePemFiles(Path.Combine(Work, "certs", "server.crt"), Path.Combine(Work, "certs", "server.key"));
    }

    private async Task<LabRegistry> StartRegistryAsync(EcrRegistry ecr, int index, CancellationToken cancel)
    {
        var (container, address) = await StartRegistryContainerAsync(ecr.Host, ecr.Password, $"registry-{index}", cancel);
        return new LabRegistry(ecr, container, address);
    }

    /// <summary>
    /// The registry posing as ECR Public, started on first use (basic auth with <see cref="PublicPassword"/>, so an
    /// anonymous pull is refused and a passing pull proves the helper's token). Its name resolves on the host only
    /// under a <see cref="PublicNamesClaim"/>; on the lab network its alias does.
    /// </summary>
    public async Task<LabPublicRegistry> PublicRegistryAsync(CancellationToken cancel)
    {
        await _publicStart.WaitAsync(cancel);
        try
        {
            if (_public is null)
            {
                var (container, address) = await StartRegistryContainerAsync(LabPublicRegistry.Host, PublicPassword, "public", cancel);
                await WaitForRegistryAsync(LabPublicRegistry.Host, container, cancel, address);
                _public = new LabPublicRegistry(container, address, PublicPassword);
            }

            return _public;
        }
        finally
        {
            _publicStart.Release();
        }
    }

    /// <summary>Whether the public registry holds its image yet (pushed under the first claim of its name).</summary>
    internal bool PublicImagePushed { get; set; }

    /// <summary>Pushes the lab's hello image to <paramref name="image"/> on <paramref name="host"/>, which must resolve here.</summary>
    internal Task PushHelloAsync(string host, string password, string image, CancellationToken cancel) => PushAsync(host, password, image, cancel);

    private async Task<(string Container, string Address)> StartRegistryContainerAsync(string host, string password, string name, CancellationToken cancel)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Work, name)).FullName;
        var htpasswd = await Cli.CheckedAsync("hash the registry password", "htpasswd", ["-niB", "AWS"], cancel, standardInput: password + "\n");
        File.WriteAllText(Path.Combine(folder, "htpasswd"), htpasswd.Output);
        File.WriteAllText(Path.Combine(folder, "config.yml"), $"""
            version: 0.1
            log: {"{"}level: warn{"}"}
            storage:
              filesystem: {"{"}rootdirectory: /var/lib/registry{"}"}
            http:
              addr: :443
              tls: {"{"}certificate: /certs/server.crt, key: /certs/server.key{"}"}
            auth:
              htpasswd: {"{"}realm: "https://{host}/", path: /auth/htpasswd{"}"}
            """);
        var container = $"{RunId}-{name}";
        await Cli.DockerAsync("start registry " + host, cancel,
            "run", "-d", "--pull", "never", "--name", container, "--label", $"{RunLabel}={RunId}", "--label", Owner,
            "--network", Network, "--network-alias", host,
            "-v", Path.Combine(Work, "certs") + ":/certs:ro",
            "-v", Path.Combine(folder, "htpasswd") + ":/auth/htpasswd:ro",
            "-v", Path.Combine(folder, "config.yml") + ":/etc/docker/registry/config.yml:ro",
            Images.Registry);
        var address = await Cli.DockerAsync("read the address of " + container, cancel, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container);
        return (container, address.Output.Trim());
    }

    private void TrustOnHost()
    {
        // The host daemon resolves registries through /etc/hosts and trusts them through certs.d. Names point
        // at lab addresses, never 127.x (which the daemon treats as insecure, so TLS would go untested).
        // Only the run's own names: no global one such as sts.amazonaws.com, which two runs would both claim
        // (the resolver takes the first line). STS clients of the lab use a regional endpoint or a ServiceURL.
        _hosts.Add([.. Registries.Select(r => (r.Address, r.Host)), .. EmulatorNames.Select(name => (Gateway.ToString(), name))], HostOwner);
        foreach (var registry in Registries)
        {
            _certs.Trust(registry.Host, CaPath, HostOwner);
        }
    }

    /// <param name="address">Where to connect when <paramref name="host"/> does not resolve here (a global name not claimed).</param>
    private async Task WaitForRegistryAsync(string host, string container, CancellationToken cancel, string? address = null)
    {
        var handler = Ca.CreateHttpHandler();
        if (address is not null)
        {
            handler.ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Parse(address), context.DnsEndPoint.Port, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync($"https://{host}/v2/", cancel);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return;
                }

                last = new LabException($"unexpected status {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(200, cancel);
        }

        var logs = await Cli.RunAsync("docker", ["logs", "--tail", "20", container], cancel);
        throw new LabException($"registry {host} did not answer 401 on /v2/ within 30 s: {last?.Message}; its log: {logs.Output}{logs.Error}");
    }

    private async Task PushAsync(string host, string password, string image, CancellationToken cancel)
    {
        // Credentials go to skopeo in an auth file, not on its command line.
        var folder = NewFolder("push");
        var authFile = Path.Combine(folder, "auth.json");
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("AWS:" + password));
        File.WriteAllText(authFile, System.Text.Json.JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [host] = new { auth } } }));
        File.SetUnixFileMode(authFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var certs = Directory.CreateDirectory(Path.Combine(folder, "certs")).FullName;
        File.Copy(CaPath, Path.Combine(certs, "ca.crt"));
        await Cli.CheckedAsync("push the hello image to " + image, "skopeo",
            ["copy", "--quiet", "--dest-authfile", authFile, "--dest-cert-dir", certs, "docker-daemon:" + Images.Hello, "docker://" + image], cancel);
    }
}
