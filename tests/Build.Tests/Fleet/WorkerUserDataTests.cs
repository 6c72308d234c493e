using System.Text;
using Build.Fleet;
using YamlDotNet.RepresentationModel;
using static Build.Tests.Fixtures.FleetFixture;

namespace Build.Tests.Fleet;

/// <summary>The generated cloud-init user-data of each mode, read back as a cloud-config, and the refresher's systemd units.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WorkerUserDataTests
{
    private static Dictionary<string, YamlMappingNode> WriteFiles(YamlMappingNode userData) =>
        ((YamlSequenceNode)At(userData, "write_files")).Cast<YamlMappingNode>().ToDictionary(f => Scalar(f, "path"));

    private static List<string> Commands(YamlMappingNode userData) =>
        [.. ((YamlSequenceNode)At(userData, "runcmd")).Cast<YamlSequenceNode>().Select(c => string.Join(' ', c.Cast<YamlScalarNode>().Select(s => s.Value)))];

    [Fact]
    public void Token_mode_user_data_installs_the_helper_and_the_refresher_as_a_systemd_timer()
    {
        // Given FLEET=aws in token mode, when the worker files are rendered
        var files = Rendered("token");
        var userData = Yaml(files[WorkerFiles.UserData]);

        // Then it is a cloud-config writing the helper's installer, the unchanged refresher script and both units
        Assert.StartsWith("#cloud-config\n", files[WorkerFiles.UserData], StringComparison.Ordinal);
        var written = WriteFiles(userData);
        Assert.Equal(["/etc/gitlab-runner-ecr/install-helper.sh", "/etc/gitlab-runner-ecr/refresh-dind-tokens.sh", "/etc/systemd/system/gitlab-runner-ecr-token.service", "/etc/systemd/system/gitlab-runner-ecr-token.timer"], written.Keys);
        var script = File.ReadAllBytes(Path.Combine(TestRepository.Root(), "assets", "dind-token", "refresh-dind-tokens.sh"));
        Assert.Equal(script, Convert.FromBase64String(Scalar(written["/etc/gitlab-runner-ecr/refresh-dind-tokens.sh"], "content")));
        Assert.Equal(files[WorkerFiles.Service], Scalar(written["/etc/systemd/system/gitlab-runner-ecr-token.service"], "content"));
        Assert.Equal(files[WorkerFiles.Timer], Scalar(written["/etc/systemd/system/gitlab-runner-ecr-token.timer"], "content"));
        Assert.Equal(files[WorkerFiles.InstallHelper], Scalar(written["/etc/gitlab-runner-ecr/install-helper.sh"], "content"));

        // And it runs the installer, puts the SSH user in the docker group, makes the token folder, refreshes once and enables the timer
        Assert.Equal(
            ["sh /etc/gitlab-runner-ecr/install-helper.sh", "usermod -aG docker ec2-user", "install -d -m 0700 /etc/gitlab-runner-ecr/dind-token", "systemctl daemon-reload", "systemctl start gitlab-runner-ecr-token.service", "systemctl enable --now gitlab-runner-ecr-token.timer"],
            Commands(userData));
    }

    [Fact]
    public void The_refresher_units_run_the_script_once_per_interval_for_every_registry()
    {
        var files = Rendered("token");

        // Then the service is a oneshot run of the script with the token folder, registries and helper, and the timer repeats it every DIND_TOKEN_REFRESH
        var service = files[WorkerFiles.Service].Split('\n');
        Assert.Contains("Type=oneshot", service);
        Assert.Contains("Environment=DIND_TOKEN_ONCE=true", service);
        Assert.Contains("Environment=DIND_TOKEN_DIR=/etc/gitlab-runner-ecr/dind-token", service);
        Assert.Contains("Environment=DIND_TOKEN_REGISTRIES=111111111111.dkr.ecr.eu-west-1.amazonaws.com,222222222222.dkr.ecr.us-east-2.amazonaws.com", service);
        Assert.Contains("Environment=DIND_TOKEN_HELPER=/usr/local/bin/docker-credential-ecr-login", service);
        Assert.Contains("ExecStart=/bin/sh /etc/gitlab-runner-ecr/refresh-dind-tokens.sh", service);
        var timer = files[WorkerFiles.Timer].Split('\n');
        Assert.Contains("OnUnitActiveSec=1800", timer);
        Assert.Contains("WantedBy=timers.target", timer);
        Assert.DoesNotContain("{{", files[WorkerFiles.Service] + files[WorkerFiles.Timer], StringComparison.Ordinal);
    }

    [Fact]
    public void Helper_mode_user_data_writes_the_dind_config_and_no_refresher()
    {
        // Given helper mode with a registry CA, when the worker files are rendered
        var ca = Path.Combine(Path.GetTempPath(), $"fleet-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        try
        {
            var files = Rendered("helper", new() { ["REGISTRY_CA_BUNDLE"] = ca });
            var written = WriteFiles(Yaml(files[WorkerFiles.UserData]));

            // Then the DinD config.json names each registry's helper, the CA is there for the daemon and the jobs, and no refresher is installed
            Assert.Contains("\"111111111111.dkr.ecr.eu-west-1.amazonaws.com\": \"ecr-login\"", Scalar(written["/etc/gitlab-runner-ecr/dind/config.json"], "content"), StringComparison.Ordinal);
            Assert.Equal("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", Scalar(written["/etc/gitlab-runner-ecr/registry-ca.pem"], "content"));
            Assert.Contains("/etc/docker/certs.d/222222222222.dkr.ecr.us-east-2.amazonaws.com/ca.crt", written.Keys);
            Assert.False(files.ContainsKey(WorkerFiles.Service));
            Assert.DoesNotContain("refresh-dind-tokens", files[WorkerFiles.UserData], StringComparison.Ordinal);
            Assert.Equal(["sh /etc/gitlab-runner-ecr/install-helper.sh", "usermod -aG docker ec2-user"], Commands(Yaml(files[WorkerFiles.UserData])));
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void The_helper_installer_downloads_for_the_instance_architecture_and_checks_the_build_checksum()
    {
        var install = Rendered("token")[WorkerFiles.InstallHelper];

        Assert.Contains($"x86_64|amd64) arch=amd64; sum={Amd64Sha} ;;", install, StringComparison.Ordinal);
        Assert.Contains($"aarch64|arm64) arch=arm64; sum={Arm64Sha} ;;", install, StringComparison.Ordinal);
        Assert.Contains("url=\"https://helpers.example.com/ecr/0.12.0/linux-$arch/docker-credential-ecr-login\"", install, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c -", install, StringComparison.Ordinal);
    }

    [Fact]
    public void The_launch_template_requires_IMDSv2_with_hop_limit_1_in_token_mode_and_2_in_helper_mode()
    {
        foreach (var (mode, hops) in new[] { ("token", 1), ("helper", 2) })
        {
            var files = Rendered(mode);
            using var json = System.Text.Json.JsonDocument.Parse(files[WorkerFiles.LaunchTemplate]);
            var data = json.RootElement.GetProperty("LaunchTemplateData");
            Assert.Equal("required", data.GetProperty("MetadataOptions").GetProperty("HttpTokens").GetString());
            Assert.Equal(hops, data.GetProperty("MetadataOptions").GetProperty("HttpPutResponseHopLimit").GetInt32());
            Assert.Equal(files[WorkerFiles.UserData], Encoding.UTF8.GetString(Convert.FromBase64String(data.GetProperty("UserData").GetString()!)));
        }
    }

    [Fact]
    public void A_placeholder_without_a_value_is_a_defect_not_a_silent_gap()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FleetTemplate.Render("a {{MISSING}} b", new Dictionary<string, string>()));

        Assert.Contains("{{MISSING}}", error.Message, StringComparison.Ordinal);
    }
}
