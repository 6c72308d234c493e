using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Helper;
using Build.RunnerConfig;
using Build.Settings;

namespace Build.Fleet;

/// <summary>One generated file of STATE_DIR/fleet: its name there, its text, and its mode.</summary>
public sealed record WorkerFile(string Name, string Text, UnixFileMode Mode);

/// <summary>
/// The worker side of a fleet, rendered from assets/fleet for the settings: the cloud-init user-data of the mode (the
/// helper for the instance's architecture, checked against BuildHelper's SHA-256; in token mode the refresher as a
/// systemd timer; in helper mode the DinD config.json), the launch template's description, both IAM policies and the
/// CloudFormation template.
/// </summary>
public static class WorkerFiles
{
    public const string UserData = "user-data.yaml";
    public const string Service = "gitlab-runner-ecr-token.service";
    public const string Timer = "gitlab-runner-ecr-token.timer";
    public const string InstallHelper = "install-helper.sh";
    public const string LaunchTemplate = "launch-template.json";
    public const string WorkerPolicy = "worker-policy.json";
    public const string ManagerPolicy = "manager-policy.json";
    public const string CloudFormation = "cloudformation.yaml";

    /// <summary>Every name this build writes in STATE_DIR/fleet, in both modes.</summary>
    public static readonly IReadOnlyList<string> Names = [UserData, Service, Timer, InstallHelper, LaunchTemplate, WorkerPolicy, ManagerPolicy, CloudFormation];

    /// <summary>
    /// IMDSv2's hop limit by mode: in token mode only the host's refresher asks the metadata service (1 keeps every
    /// container away from the role); in helper mode the helper asks from inside a job container (2).
    /// </summary>
    public static int HopLimit(DindAuth mode) => mode == DindAuth.Token ? 1 : 2;

    public static IReadOnlyList<WorkerFile> Render(BuildSettings settings, string root, HelperManifest manifest)
    {
        var token = settings.Runner.DindAuth == DindAuth.Token;
        var refresh = ((long)settings.Runner.DindTokenRefresh.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var units = new Dictionary<string, string>
        {
            ["TOKEN_FOLDER"] = WorkerPaths.TokenFolder,
            ["REFRESH_SECONDS"] = refresh,
            ["REGISTRIES"] = string.Join(',', settings.Aws.Registries.Select(r => r.Host)),
            ["HELPER"] = WorkerPaths.Helper,
            ["REFRESHER"] = WorkerPaths.Refresher,
        };
        var service = FleetTemplate.Render(FleetTemplate.Read(root, Service), units);
        var timer = FleetTemplate.Render(FleetTemplate.Read(root, Timer), new Dictionary<string, string> { ["REFRESH_SECONDS"] = refresh });
        var install = FleetTemplate.Render(FleetTemplate.Read(root, InstallHelper), new Dictionary<string, string>
        {
            ["SHA256_AMD64"] = Sha(manifest, "linux/amd64"),
            ["SHA256_ARM64"] = Sha(manifest, "linux/arm64"),
            ["HELPER_URL"] = settings.Fleet.HelperUrl?.ToString().TrimEnd('/') ?? string.Empty,
            ["HELPER_VERSION"] = settings.Helper.Version,
        });

        var values = new Dictionary<string, string>
        {
            ["INSTALL_HELPER"] = WorkerPaths.InstallHelper,
            ["INSTALL_HELPER_SCRIPT"] = FleetTemplate.Indent(install, 6),
            ["SSH_USER"] = settings.Fleet.SshUser,
            ["CA_FILES"] = CaFiles(settings),
        };
        if (token)
        {
            values["REFRESHER"] = WorkerPaths.Refresher;
            values["REFRESHER_B64"] = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(root, Runner.RunnerStack.TokenScript)));
            values["SERVICE"] = FleetTemplate.Indent(service, 6);
            values["TIMER"] = FleetTemplate.Indent(timer, 6);
            values["TOKEN_FOLDER"] = WorkerPaths.TokenFolder;
        }
        else
        {
            values["DIND_CONFIG"] = WorkerPaths.DindConfig;
            values["DIND_CONFIG_JSON"] = FleetTemplate.Indent(DockerAuthConfig.File(settings.Aws.Registries.Select(r => r.Host), settings.Helper.UseCredsStore), 6);
        }

        var userData = FleetTemplate.Render(FleetTemplate.Read(root, token ? "user-data.token.yaml" : "user-data.helper.yaml"), values);
        var worker = FleetPolicies.Worker(settings.Aws.Registries);
        var manager = FleetPolicies.Manager(settings.Aws.Registries, settings.Fleet.GroupName ?? string.Empty);
        var cloudFormation = FleetTemplate.Render(FleetTemplate.Read(root, CloudFormation), new Dictionary<string, string>
        {
            ["RUNNER_NAME"] = settings.Runner.Name,
            ["MODE"] = token ? "token" : "helper",
            ["GROUP_NAME"] = settings.Fleet.GroupName ?? string.Empty,
            ["WORKER_POLICY"] = Compact(worker),
            ["MANAGER_POLICY"] = Compact(manager),
            ["HOP_LIMIT"] = HopLimit(settings.Runner.DindAuth).ToString(CultureInfo.InvariantCulture),
            ["USER_DATA"] = FleetTemplate.Indent(userData, 12),
            ["MAX_SIZE"] = settings.Fleet.MaxInstances.ToString(CultureInfo.InvariantCulture),
        });

        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var files = new List<WorkerFile>
        {
            new(UserData, userData, Readable),
            new(InstallHelper, install, Readable),
            new(LaunchTemplate, LaunchTemplateText(settings, userData), Readable),
            new(WorkerPolicy, worker, Readable),
            new(ManagerPolicy, manager, Readable),
            new(CloudFormation, cloudFormation, Readable),
        };
        if (token)
        {
            files.Add(new(Service, service, Readable));
            files.Add(new(Timer, timer, Readable));
        }

        return files;
    }

    private static string Sha(HelperManifest manifest, string platform) =>
        manifest.Binaries.FirstOrDefault(b => b.Platform == platform)?.Sha256 ?? "none";

    /// <summary>With REGISTRY_CA_BUNDLE: the CA for the jobs' DinD (mounted from the worker) and the worker's daemon (certs.d).</summary>
    private static string CaFiles(BuildSettings settings)
    {
        if (settings.Runner.RegistryCaBundle is not { } bundle)
        {
            return string.Empty;
        }

        var pem = FleetTemplate.Indent(File.ReadAllText(bundle.FullPath), 6);
        var text = new StringBuilder();
        foreach (var path in settings.Aws.Registries.Select(r => DockerExecutor.RegistryCaTarget(r.Host)).Prepend(WorkerPaths.RegistryCa))
        {
            text.Append(CultureInfo.InvariantCulture, $"  - path: {path}\n    permissions: \"0644\"\n    content: |\n{pem}\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string LaunchTemplateText(BuildSettings settings, string userData) => new JsonObject
    {
        ["LaunchTemplateData"] = new JsonObject
        {
            ["MetadataOptions"] = new JsonObject
            {
                ["HttpEndpoint"] = "enabled",
                ["HttpTokens"] = "required",
                ["HttpPutResponseHopLimit"] = HopLimit(settings.Runner.DindAuth),
            },
            ["IamInstanceProfile"] = new JsonObject { ["Name"] = "<the worker instance profile: WorkerInstanceProfile of cloudformation.yaml>" },
            ["UserData"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(userData)),
        },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
}
