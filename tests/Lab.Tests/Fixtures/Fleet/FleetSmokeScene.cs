using Build.Fleet;
using Tomlyn;
using Tomlyn.Model;

namespace Lab.Fixtures.Fleet;

/// <summary>
/// The Given of SmokeTest's fleet mode: Up and Register with FLEET=aws (the runner being <see cref="FleetRunnerStandIn"/>
/// with the real helper mounted), a worker with sshd (<see cref="SshWorker"/>) prepared by the user-data Register wrote
/// (<see cref="CloudInitRunner"/>, the role through <see cref="ImdsStandIn"/>), the DinD and job images loaded into its
/// daemon (a worker would pull them from their registry), and the group with that worker in service at its lab
/// address in the emulator. Disposed in reverse.
/// </summary>
public sealed class FleetSmokeScene : IAsyncDisposable
{
    public const string SshUser = "ec2-user";

    private readonly List<IAsyncDisposable> _owned = [];

    private FleetSmokeScene(LabFixture lab, string mode)
    {
        Lab = lab;
        Mode = mode;
    }

    public LabFixture Lab { get; }

    public string Mode { get; }

    public string Instance { get; } = "i-0" + Guid.NewGuid().ToString("N")[..16];

    public string Group { get; } = "lab-workers-" + Guid.NewGuid().ToString("N")[..6];

    public string Region => Lab.Registries[0].Ecr.Region;

    public AwsKey Role { get; private set; } = null!;

    public SmokeStack Stack { get; private set; } = null!;

    public UpRun Run => Stack.Run;

    public SshWorker Ssh { get; private set; } = null!;

    public LabWorker Worker { get; private set; } = null!;

    public string Address { get; private set; } = null!;

    public CloudInitRunner CloudInit { get; private set; } = null!;

    public static async Task<FleetSmokeScene> StartAsync(LabFixture lab, string mode, CancellationToken cancel)
    {
        var scene = new FleetSmokeScene(lab, mode);
        try
        {
            await scene.PrepareAsync(cancel);
            return scene;
        }
        catch
        {
            await scene.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync(CancellationToken cancel)
    {
        var helper = await LabHelper.Amd64Async();
        Role = new AwsKey("ASIAWORKER" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "worker-secret/" + Guid.NewGuid().ToString("N"), Lab.Key.AccountId,
            $"arn:aws:sts::{Lab.Key.AccountId}:assumed-role/{ImdsStandIn.Role}/{Instance}", SessionToken: "worker-session-" + Guid.NewGuid().ToString("N"));
        Lab.Emulator.SetKey(Role);
        var imds = Own(await ImdsStandIn.StartAsync(Lab.Gateway, Role, helper, LabHelper.Version, cancel));
        var standIn = Own(await FleetRunnerStandIn.CreateAsync(Lab, cancel));
        Ssh = Own(await SshWorker.CreateAsync(Lab, cancel));
        Stack = Own(await SmokeStack.StartAsync(Lab, "fleet-smoke-" + Mode, cancel));
        Run.Environment["GITLAB_RUNNER_IMAGE"] = standIn.Image;
        Run.Environment["FLEET"] = "aws";
        Run.Environment["FLEET_ASG"] = Group;
        Run.Environment["FLEET_SSH_USER"] = SshUser;
        Run.Environment["FLEET_SSH_KEY"] = Ssh.KeyFile;
        Run.Environment["FLEET_HELPER_URL"] = new Uri(imds.BaseAddress, "helpers").ToString();
        Run.Environment["HELPER_VERSION"] = LabHelper.Version;
        Run.Environment["DIND_AUTH"] = Mode;
        Run.Environment["AWS_REGION"] = Region;
        Run.Environment["RUNNER_EXTRA_HOSTS"] = string.Join(',', [Run.Environment["RUNNER_EXTRA_HOSTS"], .. Lab.Registries.Select(r => $"{r.Host}:{r.Address}")]);
        await Run.UpAndRegisterAsync(cancel);
        if (Mode == "helper")
        {
            GiveJobsTheInstanceMetadata(imds);
        }

        Worker = Own(await LabWorker.StartAsync(Lab, "smoke-" + Mode, SshUser, cancel, Ssh.Image));
        CloudInit = new CloudInitRunner(Worker.Container, new Dictionary<string, string>
        {
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.BaseAddress.ToString(),
            ["AWS_CA_BUNDLE"] = "/etc/lab-ca.pem",
        });
        await CloudInit.RunAsync(File.ReadAllText(Path.Combine(Run.State, "fleet", WorkerFiles.UserData)), cancel);
        Address = await Ssh.ServeAsync(Lab, Worker, SshUser, cancel);
        foreach (var image in new[] { Lab.Images.Dind, Lab.Images.DockerCli })
        {
            await Cli.CheckedAsync("load an image into the worker", "sh", ["-c", $"docker save {image} | docker exec -i {Worker.Container} docker load"], cancel);
        }

        InService();
    }

    /// <summary>The group with the worker in service, at its lab address.</summary>
    public void InService()
    {
        Lab.Emulator.Fleet.SetGroup(new EmulatedGroup(Group, Region, SuspendedProcesses: ["AZRebalance"], DesiredCapacity: 1, InstanceIds: [Instance]));
        Lab.Emulator.Fleet.SetInstance(new EmulatedInstance(Instance, PrivateIp: Address));
    }

    /// <summary>The group scaled to nothing.</summary>
    public void Empty() => Lab.Emulator.Fleet.SetGroup(new EmulatedGroup(Group, Region, SuspendedProcesses: ["AZRebalance"]));

    /// <summary>
    /// What an instance gives every container by itself and a lab worker does not: the metadata service's address
    /// (the stand-in's, never 169.254.169.254) and trust in the lab's ECR endpoint, added to config.toml's entry as a
    /// user would add keys of their own (Register keeps them).
    /// </summary>
    private void GiveJobsTheInstanceMetadata(ImdsStandIn imds)
    {
        var file = Path.Combine(Run.State, "runner", "config", "config.toml");
        var document = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(file))!;
        var entry = ((TomlTableArray)document["runners"]).Cast<TomlTable>().Single();
        var environment = (TomlArray)entry["environment"];
        environment.Add($"AWS_EC2_METADATA_SERVICE_ENDPOINT={imds.BaseAddress}");
        environment.Add("AWS_CA_BUNDLE=/etc/lab-ca.pem");
        ((TomlArray)((TomlTable)entry["docker"])["volumes"]).Add("/etc/lab-ca.pem:/etc/lab-ca.pem:ro");
        File.WriteAllText(file, TomlSerializer.Serialize(document));
    }

    private T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }
}
